/** A sliding-window request budget; `take()` answers how long to wait when the budget is spent. */
export class RateLimit {
  private readonly times: number[] = [];

  constructor(
    private readonly requests: number,
    private readonly perMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(requests >= 1) || !(perMs > 0)) throw new RangeError(`A rate limit needs at least 1 request per positive window; got ${requests} per ${perMs} ms.`);
  }

  /** Counts a request if the window has room and returns 0; otherwise returns the ms until a slot frees up. */
  take(): number {
    const t = this.now();
    while (this.times.length > 0 && this.times[0] <= t - this.perMs) this.times.shift();
    if (this.times.length < this.requests) {
      this.times.push(t);
      return 0;
    }
    return this.times[0] + this.perMs - t;
  }
}
