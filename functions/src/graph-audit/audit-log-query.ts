// The query resource as the client reads it, checked: a response that is not one is a MalformedResponse.
import { GraphAuditError, GraphAuditErrorCodes } from "./errors";

export type AuditLogQueryStatus = "notStarted" | "running" | "succeeded" | "failed" | "cancelled" | "unknownFutureValue";

export interface AuditLogQuery {
  id: string;
  status: AuditLogQueryStatus;
  displayName: string | null;
  filterStartDateTime: string | null;
  filterEndDateTime: string | null;
  /** v1.0 only. */
  approximateReturnedRecordCount?: number | null;
  isRecordCountLimitExceeded?: boolean;
}

/** The query as Graph answers it: the entity itself (as the Create page prints it), or wrapped as `{"value": {…}}`
 *  (as v1.0's "Get auditLogQuery" example prints it). */
export function readAuditLogQuery(json: unknown): AuditLogQuery {
  const wrapped = (json as { value?: unknown } | null)?.value;
  const q = (wrapped && typeof wrapped === "object" && !Array.isArray(wrapped) && !("id" in (json as object)) ? wrapped : json) as Partial<AuditLogQuery> | null;
  if (!q || typeof q !== "object" || typeof q.id !== "string" || typeof q.status !== "string") {
    throw new GraphAuditError(`Graph answered with something that is not an audit log query (no id or status): ${JSON.stringify(json).slice(0, 200)}`, {
      code: GraphAuditErrorCodes.MalformedResponse,
    });
  }
  return {
    id: q.id,
    status: q.status,
    displayName: q.displayName ?? null,
    filterStartDateTime: q.filterStartDateTime ?? null,
    filterEndDateTime: q.filterEndDateTime ?? null,
    approximateReturnedRecordCount: q.approximateReturnedRecordCount,
    isRecordCountLimitExceeded: q.isRecordCountLimitExceeded,
  };
}
