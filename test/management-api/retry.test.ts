import { parseRetryAfter, retryDecision } from "../../functions/src/management-api/retry-strategy";

const transient = { transient: true, retryAfterMs: undefined };
const opts = { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1000 };

describe("retry decisions", () => {
  it("never retries a permanent error", () => {
    expect(retryDecision({ transient: false }, 0, opts)).toEqual({ retry: false, reason: "permanent" });
  });

  it("stops after maxRetries", () => {
    expect(retryDecision(transient, 3, opts)).toEqual({ retry: false, reason: "retries exhausted" });
  });

  it("backs off exponentially with full jitter: a uniform draw below base·2^n, capped at maxDelayMs", () => {
    const top = () => 0.999999;
    expect(retryDecision(transient, 0, opts, top)).toEqual({ retry: true, delayMs: 99 });
    expect(retryDecision(transient, 2, opts, top)).toEqual({ retry: true, delayMs: 399 });
    expect(retryDecision(transient, 0, opts, () => 0)).toEqual({ retry: true, delayMs: 0 });
    expect(retryDecision(transient, 2, { ...opts, maxRetries: 10, maxDelayMs: 250 }, top)).toEqual({ retry: true, delayMs: 249 });
  });

  it("waits at least Retry-After when the service states it", () => {
    const d = retryDecision({ transient: true, retryAfterMs: 800 }, 0, opts, () => 0.5);
    expect(d.retry && d.delayMs).toBeGreaterThanOrEqual(800);
  });

  it("hands a Retry-After longer than maxDelayMs back to the caller instead of sleeping through it", () => {
    expect(retryDecision({ transient: true, retryAfterMs: 5000 }, 0, opts).retry).toBe(false);
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter("Thu, 14 Mar 2024 07:00:10 GMT", Date.parse("2024-03-14T07:00:00Z"))).toBe(10000);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
