// Retry decisions for core-rest-pipeline's retry policy: exponential backoff with full jitter, Retry-After honoured,
// AF codes deciding (AF429 comes as 429 and as 403), and a refused token retried within the same budget.
import type { RetryStrategy } from "@azure/core-rest-pipeline";
import { callState, carriedError } from "./api-call";
import { ClientErrorCodes, type ManagementApiError } from "./errors";
import type { OnEvent } from "./events";

export interface RetryOptions {
  /** Retries after the first attempt (default 5). */
  maxRetries?: number;
  /** First backoff ceiling (default 500 ms); doubles per retry. */
  baseDelayMs?: number;
  /** Backoff ceiling, and the longest Retry-After waited in-process (default 30 s); longer asks are handed to the caller. */
  maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = { maxRetries: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: string };

/**
 * Whether to retry after `retriesDone` retries failed with `error`, and how long to wait first.
 * A Retry-After longer than maxDelayMs is not slept through: the error (carrying retryAfterMs) goes to the caller,
 * whose scheduler (timer, queue visibility) is the right place for waits of minutes.
 */
export function retryDecision(
  error: Pick<ManagementApiError, "transient" | "retryAfterMs">,
  retriesDone: number,
  options: RetryOptions = {},
  random: () => number = Math.random,
): RetryDecision {
  const o = { ...DEFAULT_RETRY, ...options };
  if (!error.transient) return { retry: false, reason: "permanent" };
  if (retriesDone >= o.maxRetries) return { retry: false, reason: "retries exhausted" };
  if (error.retryAfterMs !== undefined) {
    if (error.retryAfterMs > o.maxDelayMs) return { retry: false, reason: "Retry-After longer than maxDelayMs" };
    // A little jitter on top so that concurrent callers told the same Retry-After do not return in lockstep.
    return { retry: true, delayMs: error.retryAfterMs + Math.floor(random() * Math.min(o.baseDelayMs, 1000)) };
  }
  const ceiling = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** retriesDone);
  return { retry: true, delayMs: Math.floor(random() * ceiling) };
}

/** Retry-After as delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** The strategy: decides on our typed errors only, and leaves the pipeline's retry loop to wait (abortably) and repeat. */
export function managementApiRetryStrategy(retry: Required<RetryOptions>, onEvent?: OnEvent): RetryStrategy {
  return {
    name: "managementApiRetryStrategy",
    retry({ retryCount, responseError }) {
      const error = carriedError(responseError);
      if (!error || !responseError?.request) return { skipStrategy: true };
      const state = callState(responseError.request);
      // A 401 that outlived the immediate fresh-token repeat: another early revocation can hit a fresh token too, so
      // it gets the retry budget (with backoff); only one that outlives it is reported, as the configuration problem it is.
      const unauthorized = error.code === ClientErrorCodes.Unauthorized;
      const decision = retryDecision(unauthorized ? { transient: true, retryAfterMs: undefined } : error, retryCount, retry);
      if (!decision.retry) {
        if (unauthorized) error.message += ` (rejected ${state.attempts} times, each time with a fresh token)`;
        else if (error.transient && decision.reason !== "permanent") {
          error.message += ` (gave up after ${state.attempts} attempts: ${decision.reason})`;
        }
        return { errorToThrow: responseError };
      }
      onEvent?.({ type: "retry", operation: state.call.operation, attempt: state.attempts, code: error.code, delayMs: decision.delayMs });
      return { retryAfterInMs: decision.delayMs };
    },
  };
}
