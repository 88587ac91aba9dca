// Retry decisions: exponential backoff with full jitter, Retry-After honoured, and every wait abortable.
import type { ManagementApiError } from "./errors";

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

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
