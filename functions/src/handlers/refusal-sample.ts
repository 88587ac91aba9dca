// Refusals of an anonymous route, logged by sample: whoever can reach the route must not be able to drive log volume.

/** The first refusal logs at once; later ones within the interval are counted into the next line, one per interval. */
export class RefusalSample {
  private lastLoggedAt: number | undefined;
  private unlogged = 0;

  constructor(
    private readonly intervalMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** How many refusals the line to log now stands for (this one included), or 0 when this one is only counted. */
  take(): number {
    this.unlogged++;
    const at = this.now();
    if (this.lastLoggedAt !== undefined && at - this.lastLoggedAt < this.intervalMs) return 0;
    this.lastLoggedAt = at;
    const refused = this.unlogged;
    this.unlogged = 0;
    return refused;
  }
}
