// How often an operator may ask for a plan run of one tenant: each run lists every content type against the tenant's
// Management API quota, which the workers share. A few at once (onboarding asks twice in a row), then one per interval.
import { AdminRequestError } from "./admin-error";

/** Plan runs asked for at once per tenant before the limit applies. */
export const PLAN_NOW_BURST = 3;
/** One more plan run per tenant allowed every this many ms (the timer plans every tenant every 5 minutes anyway). */
export const PLAN_NOW_EVERY_MS = 20_000;

/** A token bucket per tenant, in this app instance's memory. */
export class PlanNowLimit {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** Takes one plan run for the tenant, or throws the 429 that says when to ask again. */
  take(tenantId: string): void {
    const at = this.now().getTime();
    const key = tenantId.toLowerCase();
    const b = this.buckets.get(key) ?? { tokens: PLAN_NOW_BURST, at };
    const tokens = Math.min(PLAN_NOW_BURST, b.tokens + (at - b.at) / PLAN_NOW_EVERY_MS);
    if (tokens < 1) {
      const waitSeconds = Math.ceil(((1 - tokens) * PLAN_NOW_EVERY_MS) / 1000);
      this.buckets.set(key, { tokens, at });
      throw new AdminRequestError(
        429,
        "PlanRateLimited",
        `tenantId: tenant ${tenantId} was planned ${PLAN_NOW_BURST} times in the last minute; each run lists every content type against the tenant's Management API quota.`,
        `Ask again in ${waitSeconds} s (Retry-After); the plan timer runs every tenant every 5 minutes without being asked.`,
        waitSeconds,
      );
    }
    this.buckets.set(key, { tokens: tokens - 1, at });
  }
}
