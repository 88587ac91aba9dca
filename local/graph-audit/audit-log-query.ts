// One submitted audit log query and its lifecycle on the emulator's clock: queued (notStarted), then running for a
// time that grows with the searched range, then succeeded or failed. Its records are those searchable at the instant
// it finishes; the search itself starts at submission, in steps, while the query is "running".
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
  private results: Promise<RecordRef[]> | null = null;
  private found: number | null = null;

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

  /** Starts the search (once), as of the end of the run. */
  startSearch(search: (q: AuditLogQuery, asOfMs: number) => Promise<RecordRef[]>): void {
    this.results ??= search(this, this.endsMs).then((refs) => {
      this.found = refs.length;
      return refs;
    });
    this.results.catch(() => undefined); // read (and reported) by whoever asks for the records
  }

  /** The records a succeeded query returns. */
  records(search: (q: AuditLogQuery, asOfMs: number) => Promise<RecordRef[]>): Promise<RecordRef[]> {
    this.startSearch(search);
    return this.results!;
  }

  /** How many records it found, once its search is done. */
  get resultCount(): number | null {
    return this.found;
  }
}
