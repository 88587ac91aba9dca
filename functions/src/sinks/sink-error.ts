// Typed errors of the sinks: callers branch on `transient` (retry the blob) or `code`, never on message text.
import { ServiceError } from "../service-error";

export type SinkErrorCode =
  | "MappingNotFound" // the table has no `<table>_json` mapping: the kql/ scripts were not applied
  | "EntityNotFound" // database or table missing
  | "BadRequest" // the service refused the payload (a bug here, or a schema change)
  | "Unauthorized" // token rejected (expired or wrong audience)
  | "Forbidden" // the identity lacks the ingestor / publisher role
  | "Throttled"
  | "ServiceUnavailable"
  | "Network" // no answer: connection refused/reset, timeout
  | "StorageUnavailable" // queued ingestion could not upload the data blob or post the queue message
  | "TlsUntrusted" // the endpoint's certificate does not verify: configuration, not luck
  | "Unknown";

export class SinkError extends ServiceError {
  declare readonly code: SinkErrorCode;
  readonly status?: number;
  /** the service's own error code, when it sent one (e.g. BadRequest_MappingReferenceWasNotFound) */
  readonly serviceCode?: string;

  constructor(message: string, o: { code: SinkErrorCode; transient: boolean; status?: number; serviceCode?: string; advice?: string; cause?: unknown }) {
    super(message, o);
    this.name = new.target.name;
    this.status = o.status;
    this.serviceCode = o.serviceCode;
  }
}

/** Azure Data Explorer refused or could not take the rows. */
export class AdxIngestError extends SinkError {}

/** The Logs Ingestion API (Sentinel) refused or could not take the rows. */
export class SentinelSendError extends SinkError {
  /** rows of the call that did not land (the others did: Log Analytics has no dedup, so a retry repeats them) */
  readonly failedRows: number;
  constructor(message: string, o: ConstructorParameters<typeof SinkError>[1] & { failedRows: number }) {
    super(message, o);
    this.failedRows = o.failedRows;
  }
}

/** Whether an HTTP status means "try again later". */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500 || status === 401;
}

export function codeForStatus(status: number): SinkErrorCode {
  if (status === 401) return "Unauthorized";
  if (status === 403) return "Forbidden";
  if (status === 404) return "EntityNotFound";
  if (status === 429) return "Throttled";
  if (status >= 500 || status === 408) return "ServiceUnavailable";
  if (status >= 400) return "BadRequest";
  return "Unknown";
}

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ECONNABORTED", "EPIPE", "EAI_AGAIN", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_SOCKET", "ERR_SOCKET_CONNECTION_TIMEOUT"]);

/** Whether `err` (or its cause chain) is a socket-level failure. */
export function isNetworkError(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === "string" && NETWORK_CODES.has(e.code)) return true;
  }
  return false;
}

const TLS_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "SELF_SIGNED_CERT_IN_CHAIN", "DEPTH_ZERO_SELF_SIGNED_CERT", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_GET_ISSUER_CERT", "CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID", "ERR_TLS_CERT_ALTNAME_INVALID", "CERT_UNTRUSTED",
]);

/** Whether `err` (or its cause chain) is a certificate verification failure. */
export function isTlsTrustError(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === "string" && TLS_CODES.has(e.code)) return true;
  }
  return false;
}
