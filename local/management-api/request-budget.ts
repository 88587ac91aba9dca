// The per-tenant request budget (about 2,000 requests a minute), kept per publisher identifier as the service does:
// callers that send PublisherIdentifier get their own quota, the others share one pool. Sliding window, real time.

export class RequestBudget {
  /** Per key, a ring of the last `limit` admission times. */
  private readonly rings = new Map<string, { times: Float64Array; next: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** True when the request may proceed (and is counted); false when the budget is spent. */
  admit(tenantId: string, publisherId: string | null): boolean {
    const key = `${tenantId}|${publisherId ?? ""}`;
    let ring = this.rings.get(key);
    if (!ring) this.rings.set(key, (ring = { times: new Float64Array(this.limit).fill(-Infinity), next: 0 }));
    const now = performance.now();
    // the slot about to be reused holds the oldest of the last `limit` admissions
    if (now - ring.times[ring.next] < this.windowMs) return false;
    ring.times[ring.next] = now;
    ring.next = (ring.next + 1) % this.limit;
    return true;
  }
}
