// What a failed Graph call means for a back-fill: wait and retry, spend one of the interval's attempts, fail the
// interval, or stop the whole job (no retry can give the app a permission it lacks).
import { GraphAuditErrorCodes, isGraphAuditError } from "../graph-audit";

export type FailureKind =
  /** throttling, 5xx, connection: try again later, no attempt spent */
  | { kind: "later"; afterMs: number }
  /** the query failed, was cancelled, is gone, never finished or was answered malformed: submit it again (one attempt spent) */
  | { kind: "resubmit" }
  /** the request itself is wrong for this interval */
  | { kind: "interval" }
  /** a missing permission or a refused token: every interval would fail the same way */
  | { kind: "job" };

/** Back-off when Graph gave no Retry-After (the pipeline has already retried the call itself). */
export const RETRY_LATER_MS = 60_000;

export function classifyGraphFailure(err: unknown): FailureKind {
  if (!isGraphAuditError(err)) return { kind: "later", afterMs: RETRY_LATER_MS };
  if (err.code === GraphAuditErrorCodes.QueryFailed || err.code === GraphAuditErrorCodes.QueryCancelled) return { kind: "resubmit" };
  // an answer that is not what Graph documents: asking again about the same query would only loop, so query anew
  if (err.code === GraphAuditErrorCodes.MalformedResponse || err.code === GraphAuditErrorCodes.QueryTimedOut) return { kind: "resubmit" };
  if (err.code === GraphAuditErrorCodes.PagingLoop) return { kind: "interval" };
  if (err.status === 401 || err.status === 403 || err.code === GraphAuditErrorCodes.MissingPermission || err.code === GraphAuditErrorCodes.Unauthorized) return { kind: "job" };
  if (err.code === GraphAuditErrorCodes.HostNotAllowed || err.code === GraphAuditErrorCodes.InsecureEndpoint) return { kind: "job" };
  if (err.status === 404) return { kind: "resubmit" };
  if (err.status === 400 || err.code === GraphAuditErrorCodes.InvalidArgument) return { kind: "interval" };
  return { kind: "later", afterMs: err.retryAfterMs ?? RETRY_LATER_MS };
}
