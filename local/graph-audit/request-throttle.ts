// Graph throttling for the query API: a request budget per tenant and app in a sliding window of real time, an
// injected share of throttled requests, and the service's submission limits (queries per rolling 24 h and queries
// not yet finished, on the emulator's clock). Every refusal is a 429 with Retry-After in seconds.
import { unitHash } from "../management-api/random";
import { GraphErrors, type GraphError } from "./graph-errors";

export interface ThrottleSettings {
  seed: number;
  requestsPerWindow: number;
  windowMs: number;
  /** Share of requests answered 429 regardless of the budget, in [0, 1] (deterministic per request sequence). */
  throttleShare: number;
  /** Retry-After sent with an injected 429, seconds. */
  injectedRetryAfterSeconds: number;
  maxQueriesPerDay: number;
  maxUnfinishedQueries: number;
}

export class RequestThrottle {
  private readonly windows = new Map<string, number[]>();
  private sequence = 0;

  constructor(private readonly s: ThrottleSettings) {}

  /** Counts the request; returns the 429 to send, or null. */
  admit(tenantId: string, clientId: string): GraphError | null {
    const n = this.sequence++;
    if (this.s.throttleShare > 0 && unitHash(this.s.seed, "graph-throttle", n) < this.s.throttleShare) {
      return GraphErrors.throttled(this.s.injectedRetryAfterSeconds, "the application's request rate for this tenant is too high");
    }
    const key = `${tenantId}|${clientId}`;
    const now = Date.now();
    const times = (this.windows.get(key) ?? []).filter((t) => t > now - this.s.windowMs);
    if (times.length >= this.s.requestsPerWindow) {
      this.windows.set(key, times);
      const retryAfter = Math.max(1, Math.ceil((times[0] + this.s.windowMs - now) / 1000));
      return GraphErrors.throttled(retryAfter, `more than ${this.s.requestsPerWindow} requests in ${this.s.windowMs / 1000} s from this application for this tenant`);
    }
    times.push(now);
    this.windows.set(key, times);
    return null;
  }

  /** The tenant's submission limits, given its queries' submission times and how many have not finished. */
  admitSubmission(createdTimesMs: number[], unfinished: number, nowMs: number): GraphError | null {
    if (unfinished >= this.s.maxUnfinishedQueries) {
      return GraphErrors.throttled(60, `the tenant already has ${unfinished} audit log queries queued or running (limit ${this.s.maxUnfinishedQueries})`);
    }
    const lastDay = createdTimesMs.filter((t) => t > nowMs - 86_400_000);
    if (lastDay.length >= this.s.maxQueriesPerDay) {
      const retryAfter = Math.max(1, Math.ceil((Math.min(...lastDay) + 86_400_000 - nowMs) / 1000));
      return GraphErrors.throttled(retryAfter, `the tenant submitted ${lastDay.length} audit log queries in the last 24 hours (limit ${this.s.maxQueriesPerDay})`);
    }
    return null;
  }
}
