/** Injected ingestion failures: a share of attempts fails transiently (5xx, retry helps) or permanently (4xx). */
export interface AdxFaultRates {
  transient?: number; // 0..1
  permanent?: number; // 0..1
}

export type InjectedFault = "transient" | "permanent" | undefined;

/** Rolls faults from a seeded generator (mulberry32), so a run with the same seed fails the same attempts. */
export class AdxFaults {
  private state: number;

  private rates: AdxFaultRates = {};

  constructor(rates: AdxFaultRates = {}, seed = 1) {
    this.set(rates);
    this.state = seed >>> 0 || 1;
  }

  /** Changes the rates from the next attempt on. */
  set(rates: AdxFaultRates): void {
    for (const [name, rate] of Object.entries(rates)) {
      if (rate !== undefined && !(rate >= 0 && rate <= 1)) throw new RangeError(`ADX fault rate '${name}' must be between 0 and 1; got ${rate}.`);
    }
    this.rates = { ...rates };
  }

  roll(): InjectedFault {
    const transient = this.rates.transient ?? 0;
    const permanent = this.rates.permanent ?? 0;
    if (transient === 0 && permanent === 0) return undefined;
    const r = this.next();
    if (r < transient) return "transient";
    if (r < transient + permanent) return "permanent";
    return undefined;
  }

  private next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
