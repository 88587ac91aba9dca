// Typed errors of the audit log query client: callers branch on `code` (Graph's error code or one of ours). They share
// the app's error base, so failure codes and "may this succeed later" read the same as for every other service.
import { ServiceError } from "../service-error";

export const GraphAuditErrorCodes = {
  InvalidArgument: "InvalidArgument",
  InsecureEndpoint: "InsecureEndpoint",
  HostNotAllowed: "HostNotAllowed",
  MalformedResponse: "MalformedResponse",
  Throttled: "TooManyRequests",
  MissingPermission: "MissingPermission",
  Unauthorized: "Unauthorized",
  QueryFailed: "AuditLogQueryFailed",
  QueryCancelled: "AuditLogQueryCancelled",
  QueryTimedOut: "AuditLogQueryTimedOut",
  QueryNotFinished: "AuditLogQueryNotFinished",
  PagingLoop: "PagingLoop",
  RecordNotUnwrappable: "AuditRecordNotUnwrappable",
} as const;

export interface GraphAuditErrorInit {
  code: string;
  /** HTTP status, 0 when the error is ours (no response involved). */
  status?: number;
  /** Graph's own message, kept apart from our guidance. */
  serviceMessage?: string;
  requestId?: string;
  retryAfterMs?: number;
  queryId?: string;
  /** Whether the same call may succeed later; default: throttled (429) or a server error (5xx). */
  transient?: boolean;
  advice?: string;
  cause?: unknown;
}

export class GraphAuditError extends ServiceError {
  override readonly name = "GraphAuditError";
  readonly status: number;
  readonly serviceMessage?: string;
  readonly requestId?: string;
  readonly retryAfterMs?: number;
  readonly queryId?: string;

  constructor(message: string, init: GraphAuditErrorInit) {
    const status = init.status ?? 0;
    super(message, { code: init.code, transient: init.transient ?? (status === 429 || status >= 500), advice: init.advice, cause: init.cause });
    this.status = status;
    this.serviceMessage = init.serviceMessage;
    this.requestId = init.requestId;
    this.retryAfterMs = init.retryAfterMs;
    this.queryId = init.queryId;
  }
}

export function isGraphAuditError(e: unknown): e is GraphAuditError {
  return e instanceof GraphAuditError;
}
