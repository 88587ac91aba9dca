// One page of a Graph query's records → the same rows, tables and ADX queued ingestion the live feed's worker uses.
// A record landed by both paths has the same Id, so the `_dedup` views keep it once.
import type { IngestionErrorsRow } from "../../../kql/generated/table-rows";
import { Tables } from "../../../kql/tables";
import { unwrapAuditLogRecord, type GraphAuditLogRecord, type ManagementApiRecord } from "../graph-audit";
import { transformBlob } from "../transform/transform";
import { contentTypeOfRecord } from "./record-content-type";

/** What landing needs of the ADX sink (the worker's RowSink). */
export interface PageSink {
  ingestRows(database: string, table: string, rows: Record<string, unknown>[]): Promise<unknown>;
}

export interface PageTarget {
  tenantId: string;
  database: string;
  /** The rows' ContentId: which job, interval and page they came from (back-fill has no content blob). */
  contentId: string;
}

export interface LandedPage {
  fetched: number;
  /** Records now in microsoft_unified_audit (each Id of the page once). */
  landed: number;
  /** Records that could not land, each a row in ingestion_errors with the reason. */
  quarantined: number;
}

/** Stage written in ingestion_errors for what back-fill could not land. */
export const BACKFILL_STAGE = "backfill";
/** ContentType of an ingestion_errors row about a back-fill interval or a record that could not be unwrapped. */
export const BACKFILL_CONTENT_TYPE = "Backfill";

export async function landPage(records: GraphAuditLogRecord[], target: PageTarget, sink: PageSink, at: Date): Promise<LandedPage> {
  const errorRows: IngestionErrorsRow[] = [];
  const byContentType = new Map<string, ManagementApiRecord[]>();
  for (const graph of records) {
    let record: ManagementApiRecord;
    try {
      record = unwrapAuditLogRecord(graph);
    } catch (e) {
      errorRows.push(errorRow(target, BACKFILL_CONTENT_TYPE, typeof graph?.id === "string" ? graph.id : "", "RecordNotUnwrappable", (e as Error).message, graph, at));
      continue;
    }
    const ct = contentTypeOfRecord(record);
    let group = byContentType.get(ct);
    if (!group) byContentType.set(ct, (group = []));
    group.push(record);
  }

  const auditRows: Record<string, unknown>[] = [];
  const mailRows: Record<string, unknown>[] = [];
  for (const [contentType, group] of byContentType) {
    const result = transformBlob(group, { tenantId: target.tenantId, contentType, contentId: target.contentId });
    for (const r of result.auditRows) auditRows.push(r as unknown as Record<string, unknown>);
    for (const r of result.mailAccessRows) mailRows.push(r as unknown as Record<string, unknown>);
    for (const q of result.quarantined) errorRows.push(errorRow(target, contentType, q.recordId ?? "", "MalformedRecord", q.reason, q.record, at));
  }

  // the page counts as landed once ADX has accepted all its tables' rows
  await Promise.all([
    sink.ingestRows(target.database, Tables.unifiedAudit, auditRows),
    sink.ingestRows(target.database, Tables.accessMail, mailRows),
    errorRows.length ? sink.ingestRows(target.database, Tables.errors, errorRows as unknown as Record<string, unknown>[]) : undefined,
  ]);
  return { fetched: records.length, landed: auditRows.length, quarantined: errorRows.length };
}

export function errorRow(target: Pick<PageTarget, "tenantId" | "contentId">, contentType: string, recordId: string, code: string, reason: string, payload: unknown, at: Date): IngestionErrorsRow {
  return {
    Timestamp: at.toISOString(),
    TenantId: target.tenantId,
    ContentType: contentType,
    ContentId: target.contentId,
    RecordId: recordId,
    Stage: BACKFILL_STAGE,
    ErrorCode: code,
    Reason: reason,
    Payload: payload,
  } as IngestionErrorsRow;
}
