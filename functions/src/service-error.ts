// The one error shape callers branch on, whatever service failed (the Management Activity API, Azure Data Explorer, the
// Logs Ingestion API): a stable code, whether the same call may succeed later, and what an operator should do about it.
// It sits above management-api/ and sinks/ so both can extend it without importing each other.

export interface ServiceErrorInit {
  code: string;
  transient: boolean;
  /** What to do about it, for the operator; defaults to a generic retry/fix sentence from `transient`. */
  advice?: string;
  cause?: unknown;
}

export abstract class ServiceError extends Error {
  /** A stable identifier to branch on (the service's own code, such as AF20051, or one of ours); never the message. */
  readonly code: string;
  /** True when the same call may succeed later (throttling, 5xx, network); false when something must be fixed first. */
  readonly transient: boolean;
  /** What the operator should do; the message says what happened. */
  readonly advice: string;

  protected constructor(message: string, init: ServiceErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.transient = init.transient;
    this.advice =
      init.advice ?? (init.transient ? "Transient: the call is retried; act only if it keeps failing." : "Fix the cause named in the message, then replay.");
  }
}

export function isServiceError(e: unknown): e is ServiceError {
  return e instanceof ServiceError;
}

/** Whether no retry can cure `e`: only a ServiceError can say so; anything else (a bug, a storage hiccup) is retried. */
export function isPermanent(e: unknown): boolean {
  return isServiceError(e) && !e.transient;
}

/**
 * The code recorded for a failure (ledger, ingestion_errors, logs): a ServiceError's own; else the code a Node or SDK
 * error carries (ECONNRESET, a Table storage code); else the error's class name.
 */
export function failureCode(e: unknown): string {
  if (isServiceError(e)) return e.code;
  const code = (e as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && code) return code;
  return e instanceof Error ? e.name || "Error" : "Error";
}

/** The failure's message, for whatever was thrown. */
export function failureReason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
