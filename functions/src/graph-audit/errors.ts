// Typed errors of the audit log query client: callers branch on `code` (Graph's error code or one of ours).

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
  cause?: unknown;
}

export class GraphAuditError extends Error {
  override readonly name = "GraphAuditError";
  readonly code: string;
  readonly status: number;
  readonly serviceMessage?: string;
  readonly requestId?: string;
  readonly retryAfterMs?: number;
  readonly queryId?: string;

  constructor(message: string, init: GraphAuditErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.status = init.status ?? 0;
    this.serviceMessage = init.serviceMessage;
    this.requestId = init.requestId;
    this.retryAfterMs = init.retryAfterMs;
    this.queryId = init.queryId;
  }
}

export function isGraphAuditError(e: unknown): e is GraphAuditError {
  return e instanceof GraphAuditError;
}
