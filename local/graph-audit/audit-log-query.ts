// One submitted audit log query and its lifecycle on the emulator's clock: queued (notStarted), then running for a
// time that grows with the searched range, then succeeded or failed. Its records are fixed when it finishes.
import type { QueryFilter } from "./query-filter";
import type { RecordRef } from "./tenant-audit-log";

export type QueryStatus = "notStarted" | "running" | "succeeded" | "failed";

export interface QueryTiming {
  /** Time spent queued before it runs, ms (emulator clock). */
  queuedMs: number;
  /** Running time of any query, ms. */
  baseRunMs: number;
  /** Extra running time per day of searched range, ms. */
  runMsPerDay: number;
}

export const DEFAULT_QUERY_TIMING: QueryTiming = { queuedMs: 45_000, baseRunMs: 120_000, runMsPerDay: 20_000 };

export class AuditLogQuery {
  readonly startsMs: number;
  readonly endsMs: number;
  /** Set at the first read after it finished: what it found, as of the instant it finished. */
  private results: RecordRef[] | null = null;

  constructor(
    readonly id: string,
    readonly tenantId: string,
    readonly filter: QueryFilter,
    /** The range actually searched (open ends resolved: retention start, submission time). */
    readonly fromMs: number,
    readonly toMs: number,
    readonly createdMs: number,
    timing: QueryTiming,
    /** Decided at submission (the configured failed share): the query ends `failed`. */
    readonly fails: boolean,
  ) {
    this.startsMs = createdMs + timing.queuedMs;
    const days = Math.max(0, toMs - fromMs) / 86_400_000;
    this.endsMs = this.startsMs + timing.baseRunMs + Math.round(days * timing.runMsPerDay);
  }

  status(nowMs: number): QueryStatus {
    if (nowMs < this.startsMs) return "notStarted";
    if (nowMs < this.endsMs) return "running";
    return this.fails ? "failed" : "succeeded";
  }

  isFinished(nowMs: number): boolean {
    return nowMs >= this.endsMs;
  }

  /** The records a succeeded query returns; `search` runs once, as of the end of the run. */
  records(search: (q: AuditLogQuery, asOfMs: number) => RecordRef[]): RecordRef[] {
    this.results ??= search(this, this.endsMs);
    return this.results;
  }

  get resultCount(): number | null {
    return this.results?.length ?? null;
  }
}
