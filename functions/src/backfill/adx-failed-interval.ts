// One back-fill interval named by an ADX failure report: ADX failed one of its pages after accepting it (queued
// ingestion fails after the fact). Back-fill has no content blob to replay, so the interval is re-opened and queried
// and landed again whole, within its bounded attempts; past them, or when ADX refused the rows outright, it fails with
// ADX's code and advice in the job and in ingestion_errors.
import { Tables } from "../../../kql/tables";
import type { AdxIngestionFailure } from "../sinks/adx-failures";
import type { AdxIngestionSources, SourceBlob } from "../state/adx-ingestion-sources";
import { advice, viaPolicy } from "../use-cases/adx-failure-advice";
import type { PipelineLog } from "../use-cases/engine-log";
import { intervalName, parseIntervalContentId, type BackfillInterval, type StoredJob } from "./backfill-job";
import type { BackfillStore } from "./backfill-store";
import { BACKFILL_CONTENT_TYPE, BACKFILL_STAGE, errorRow, intervalSource, type PageSink } from "./page-landing";

export type IntervalVerdict = "deferred" | "failed" | "replayed" | "unattributed" | "settled";

export interface AdxFailedIntervalDeps {
  store: Pick<BackfillStore, "interval" | "job" | "saveInterval" | "saveJob">;
  sink: PageSink;
  sources: Pick<AdxIngestionSources, "record">;
  /** Queries per interval, the runner's bound (MAX_INTERVAL_ATTEMPTS): a re-opening spends one. */
  maxAttempts: number;
  now: () => Date;
}

/** Writers of a job race (the runner's timer, this settlement's): a stale write is read again this many times. */
const JOB_WRITE_TRIES = 5;

export class AdxFailedIntervals {
  constructor(private readonly deps: AdxFailedIntervalDeps) {}

  async settle(f: AdxIngestionFailure, source: SourceBlob, log: PipelineLog): Promise<IntervalVerdict> {
    const about = { stage: "adx-settlement", tenant: source.tenantId, contentId: source.contentId, code: f.errorCode, database: f.database, table: f.table, sourceId: f.sourceId };
    const ref = parseIntervalContentId(source.contentId);
    const iv = ref && (await this.deps.store.interval(ref.jobId, ref.index));
    const job = ref && (await this.deps.store.job(ref.jobId));
    if (!ref || !iv || !job) {
      log.error(`ADX failed a back-fill page of ${source.contentId} into ${f.database}.${f.table} [${f.errorCode}], but its job is gone: ${f.details} — start a back-fill of ${source.contentCreated} again.`, {
        ...about,
        outcome: "unattributed",
      });
      return "unattributed";
    }
    // Re-opened since this landing, failed already, or being queried again from its first page: nothing to add.
    if (iv.adxReopens > source.generation || iv.state === "failed" || iv.state === "pending" || iv.state === "submitted") return "settled";
    const what = `back-fill ${job.id} ${intervalName(iv)}`;
    const stopped = job.jobError !== undefined;
    if (f.permanent || stopped || iv.attempts >= this.deps.maxAttempts) return this.fail(job, iv, f, stopped, log, about);

    const reason = `ADX gave up ingesting a page into ${f.database}.${f.table} [${f.errorCode}, ${f.failureStatus || "transient"}]${viaPolicy(f)}: ${f.details}`;
    // The whole interval again: its query is submitted anew and every page landed again; the pages ADX did ingest land
    // twice in the raw tables and once in the _dedup views (same Id).
    Object.assign(iv, {
      state: "pending",
      queryId: undefined,
      nextLink: undefined,
      notBefore: undefined,
      pages: 0,
      fetched: 0,
      landed: 0,
      outOfRange: 0,
      retries: 0,
      adxReopens: iv.adxReopens + 1,
      errorCode: f.errorCode,
      errorMessage: `${reason} Re-opened: queried and landed again (attempt ${iv.attempts + 1} of ${this.deps.maxAttempts}).`,
    } satisfies Partial<BackfillInterval>);
    // The runner paging it meanwhile wrote it: read again on the next run, the report stays until then.
    if (!(await this.deps.store.saveInterval(iv, this.deps.now()))) return "deferred";
    await this.touchJob(job, "running");
    log.warn(`${what}: ${iv.errorMessage}`, { ...about, jobId: job.id, interval: intervalName(iv), outcome: "reopened", attempt: iv.attempts + 1 });
    return "replayed";
  }

  private async fail(job: StoredJob, iv: BackfillInterval, f: AdxIngestionFailure, stopped: boolean, log: PipelineLog, about: { stage: string; [field: string]: unknown }): Promise<IntervalVerdict> {
    const why = f.permanent ? "refused" : stopped ? "gave up on (the job is stopped)" : `kept failing after ${iv.attempts} queries of`;
    const message =
      `ADX ${why} a queued ingestion of this interval into ${f.database}.${f.table} [${f.errorCode}, ${f.failureStatus || "Permanent"}]${viaPolicy(f)}: ${f.details} — ` +
      `${advice(f, iv.adxReopens)} Then start a back-fill of this interval again (the _dedup views keep a record landed twice once).`;
    Object.assign(iv, { state: "failed", nextLink: undefined, notBefore: undefined, errorCode: f.errorCode, errorMessage: message } satisfies Partial<BackfillInterval>);
    if (!(await this.deps.store.saveInterval(iv, this.deps.now()))) return "deferred";
    await this.touchJob(job, "failed");
    log.error(`back-fill ${job.id} ${intervalName(iv)} failed [${f.errorCode}]: ${message}`, { ...about, jobId: job.id, interval: intervalName(iv), outcome: "failed", attempt: iv.attempts });
    const tenantId = job.tenantId;
    const row = errorRow({ tenantId, contentId: intervalSource(tenantId, iv).contentId }, BACKFILL_CONTENT_TYPE, "", f.errorCode, message, { jobId: job.id, from: iv.from.toISOString(), to: iv.to.toISOString(), attempts: iv.attempts, sourceId: f.sourceId }, this.deps.now());
    // Best effort, like a blob's failure record: a table ADX refuses may refuse this row too; the job and the log remain.
    try {
      const report = await this.deps.sink.ingestRows(f.database, Tables.errors, [row as unknown as Record<string, unknown>]);
      const posted = (report?.sources ?? []).map((s) => ({ table: Tables.errors, sourceId: s.sourceId }));
      await this.deps.sources.record(f.database, posted, [intervalSource(tenantId, iv, "failure-record")], this.deps.now());
    } catch (err) {
      log.error(`back-fill ${job.id} ${intervalName(iv)}: could not record the failure in ${Tables.errors} (${(err as Error).message}); the job and this log are its record.`, {
        ...about,
        stage: BACKFILL_STAGE,
        outcome: "failureRecordLost",
      });
    }
    return "failed";
  }

  /**
   * Writes the job, so the runner's copy read before this change is refused (it reads the job again on its next run);
   * "running" picks a finished job up again, "failed" marks a finished one failed.
   */
  private async touchJob(job: StoredJob, to: "running" | "failed"): Promise<void> {
    let current: StoredJob | undefined = job;
    for (let i = 0; i < JOB_WRITE_TRIES && current; i++) {
      if (!current.jobError && (to === "running" || current.state === "succeeded")) current.state = to;
      current.updatedAt = this.deps.now();
      if (await this.deps.store.saveJob(current)) return;
      current = await this.deps.store.job(job.id);
    }
  }
}
