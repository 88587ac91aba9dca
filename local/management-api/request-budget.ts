// The per-tenant request budget (about 2,000 requests a minute), kept per publisher identifier as the service does:
// callers that send PublisherIdentifier get their own quota, the others share one pool. Sliding window, real time.

export class RequestBudget {
  /** Per key, admission times still inside the window (oldest first, from `head`). */
  private readonly queues = new Map<string, { times: number[]; head: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** True when the request may proceed (and is counted); false when the budget is spent. */
  admit(tenantId: string, publisherId: string | null): boolean {
    const key = `${tenantId}|${publisherId ?? ""}`;
    let q = this.queues.get(key);
    if (!q) this.queues.set(key, (q = { times: [], head: 0 }));
    const now = performance.now();
    while (q.head < q.times.length && now - q.times[q.head] >= this.windowMs) q.head++;
    if (q.times.length - q.head >= this.limit) return false;
    q.times.push(now);
    // drop the consumed prefix now and then, so memory follows the requests in the window, not all requests ever
    if (q.head > 1024 && q.head * 2 > q.times.length) {
      q.times.splice(0, q.head);
      q.head = 0;
    }
    return true;
  }
}
