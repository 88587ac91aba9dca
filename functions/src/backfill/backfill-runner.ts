// The back-fill timer's work: advance every unfinished job as far as one run allows, never waiting on Graph inside a
// run. Each interval is one Graph query: submit → poll (a later run, queries take minutes to hours) → land its pages,
// saving the next page's link after each one, so a crash re-lands at most one page (the views dedup it) and loses none.
import { Tables } from "../../../kql/tables";
import type { TenantConfig } from "../config";
import type { GraphAuditLogClient } from "../graph-audit";
import { failureCode, failureReason } from "../service-error";
import type { AdxIngestionSources } from "../state/adx-ingestion-sources";
import { forEachConcurrent } from "../use-cases/concurrency";
import { pipelineLog, type EngineLog, type PipelineLog } from "../use-cases/engine-log";
import {
  intervalContentId,
  intervalName,
  jobView,
  MAX_INTERVAL_ATTEMPTS,
  MAX_QUERY_WAIT_MS,
  MAX_RECORDS_PER_QUERY,
  MAX_TRANSIENT_RETRIES,
  type BackfillInterval,
  type BackfillJob,
  type StoredJob,
} from "./backfill-job";
import type { BackfillStore } from "./backfill-store";
import { classifyGraphFailure } from "./graph-failure";
import { BACKFILL_CONTENT_TYPE, BACKFILL_STAGE as STAGE, errorRow, intervalSource, landPage, type PageSink } from "./page-landing";

export interface BackfillTenant {
  config: TenantConfig;
  /** Absent when back-fill is off for the tenant. */
  graph?: Pick<GraphAuditLogClient, "createQuery" | "getQuery" | "recordPage" | "firstRecordsPage">;
}

/** Steps reported as the runner goes; a test throws from one to simulate a crash at exactly that point. */
export type BackfillStep =
  | { step: "submitted"; jobId: string; index: number; queryId: string }
  | { step: "page-landed"; jobId: string; index: number; page: number; records: number }
  | { step: "interval-finished"; jobId: string; index: number; state: "done" | "failed" };

export interface BackfillRunnerDeps {
  store: BackfillStore;
  tenants: Map<string, BackfillTenant>;
  sink: PageSink;
  /** Where each page's ADX source ids are recorded against its interval, so the ADX failure settlement re-opens it. */
  sources?: Pick<AdxIngestionSources, "record">;
  now?: () => Date;
  /** Wall-clock time one run may spend landing pages (default 4 min: the timer fires every 5). */
  budgetMs?: number;
  /** Queries submitted or being paged per tenant at once (Graph admits at least 50; other tools share them). */
  maxOpenQueries?: number;
  /** Intervals whose pages are landed at once (default PAGING_CONCURRENCY). */
  pagingConcurrency?: number;
  /** Queries submitted per interval before it is failed (a failed query says no reason; it often passes again).
   *  Default MAX_INTERVAL_ATTEMPTS, the bound the ADX failure settlement counts re-openings against too. */
  maxQueryAttempts?: number;
  onStep?: (s: BackfillStep) => void | Promise<void>;
}

/** 4 intervals paged at once: 1,354 records/s on the 90-day × 50-user bench against 1,049 one at a time (the CPU was
 *  mostly idle, waiting on Graph and on ADX's uploads); npx tsx test/backfill/bench.ts. */
export const PAGING_CONCURRENCY = 4;


export class BackfillRunner {
  private readonly now: () => Date;

  constructor(private readonly deps: BackfillRunnerDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** One run of the timer: the jobs it advanced, as the admin API shows them. */
  async run(hostLog: EngineLog): Promise<BackfillJob[]> {
    const log = pipelineLog(hostLog);
    const deadline = Date.now() + (this.deps.budgetMs ?? 240_000);
    const active = await this.deps.store.jobs({ states: ["queued", "running"] });
    const work = await Promise.all(active.map(async (job) => ({ job, intervals: await this.deps.store.intervals(job.id) })));
    const open = new Map<string, number>();
    for (const { job, intervals } of work) {
      open.set(job.tenantId, (open.get(job.tenantId) ?? 0) + intervals.filter((i) => i.state === "submitted" || i.state === "paging").length);
    }
    const out: BackfillJob[] = [];
    for (const { job, intervals } of work) {
      await this.advance(job, intervals, open, deadline, log);
      out.push(jobView(job, intervals));
    }
    return out;
  }

  private async advance(job: StoredJob, intervals: BackfillInterval[], open: Map<string, number>, deadline: number, log: PipelineLog): Promise<void> {
    const tenant = this.deps.tenants.get(job.tenantId);
    const graph = tenant?.graph;
    if (!graph || !tenant) {
      await this.stop(job, "BackfillDisabled", `Back-fill is no longer enabled for tenant ${job.tenantId} (AUDIT_LAKE_TENANTS): the job stopped. Enable it and start a new job for what is left.`, log);
      return;
    }
    if (job.state === "queued") job.state = "running";
    const due = (iv: BackfillInterval) => !iv.notBefore || iv.notBefore.getTime() <= this.now().getTime();
    try {
      for (const iv of intervals.filter((i) => i.state === "submitted" && due(i))) await this.poll(job, iv, graph, log);
      // a few intervals' pages at once: each interval's pages stay in order, the waits on Graph and ADX overlap
      await forEachConcurrent(intervals.filter((i) => i.state === "paging" && due(i)), this.deps.pagingConcurrency ?? PAGING_CONCURRENCY, async (iv) => {
        if (Date.now() >= deadline) return;
        await this.page(job, iv, graph, tenant.config.database, deadline, log);
        if (iv.state !== "paging") open.set(job.tenantId, (open.get(job.tenantId) ?? 1) - 1);
      });
      const limit = this.deps.maxOpenQueries ?? 10;
      for (const iv of intervals.filter((i) => i.state === "pending" && due(i))) {
        if ((open.get(job.tenantId) ?? 0) >= limit || Date.now() >= deadline) break;
        await this.submit(job, iv, graph, log);
        if (iv.state === "submitted") open.set(job.tenantId, (open.get(job.tenantId) ?? 0) + 1);
      }
    } catch (err) {
      if (!(err instanceof JobStopped)) throw err;
      await this.stop(job, err.code, err.message, log);
      return;
    }
    const finished = intervals.every((i) => i.state === "done" || i.state === "failed");
    if (finished) job.state = intervals.some((i) => i.state === "failed") ? "failed" : "succeeded";
    job.updatedAt = this.now();
    // refused when the ADX failure settlement re-opened an interval meanwhile: the next run reads the job afresh
    if (!(await this.deps.store.saveJob(job))) {
      job.state = "running";
      return;
    }
    if (finished) {
      const failed = intervals.filter((i) => i.state === "failed").length;
      const what = `back-fill ${job.id} of tenant ${job.tenantId} (${intervalName(job)})`;
      const fields = { stage: STAGE, tenant: job.tenantId, jobId: job.id, intervals: intervals.length, failed };
      if (failed) log.error(`${what} finished with ${failed} of ${intervals.length} interval(s) failed; their reasons are in the job and in ingestion_errors (Stage backfill). Start a job for those intervals again.`, { ...fields, outcome: "failed" });
      else log.info(`${what} succeeded: ${intervals.length} interval(s)`, { ...fields, outcome: "succeeded" });
    }
  }

  private async submit(job: StoredJob, iv: BackfillInterval, graph: NonNullable<BackfillTenant["graph"]>, log: PipelineLog): Promise<void> {
    try {
      const q = await graph.createQuery({ from: iv.from, to: iv.to, operations: job.operations, recordTypes: job.recordTypes, displayName: `m365-audit-lake back-fill ${job.id} #${iv.index}` });
      iv.queryId = q.id;
      iv.state = "submitted";
      iv.attempts++;
      iv.submittedAt = this.now();
      iv.retries = 0;
      // polled from the next run on: the timer's schedule (5 min) paces the status reads
      iv.notBefore = undefined;
      await this.deps.store.saveInterval(iv, this.now());
      await this.deps.onStep?.({ step: "submitted", jobId: job.id, index: iv.index, queryId: q.id });
    } catch (err) {
      const kind = classifyGraphFailure(err);
      // a malformed answer to a create may still have created a query: it spends this attempt
      if (kind.kind === "resubmit") iv.attempts++;
      await this.failed(job, iv, err, log, kind);
    }
  }

  private async poll(job: StoredJob, iv: BackfillInterval, graph: NonNullable<BackfillTenant["graph"]>, log: PipelineLog): Promise<void> {
    try {
      const q = await graph.getQuery(iv.queryId!);
      iv.retries = 0;
      if (q.status === "succeeded") {
        iv.state = "paging";
        iv.nextLink = graph.firstRecordsPage(q.id);
        iv.notBefore = undefined;
        if (q.isRecordCountLimitExceeded) {
          iv.errorCode = "RecordCountLimitExceeded";
          iv.errorMessage = `Query ${q.id} for ${intervalName(iv)} hit Graph's record limit per query: records beyond it are missing. Start back-fills with operations or recordTypes filters for this interval.`;
          log.error(`back-fill ${job.id}: ${iv.errorMessage}`, { stage: STAGE, outcome: "truncated", tenant: job.tenantId, jobId: job.id, interval: intervalName(iv), code: iv.errorCode });
        }
      } else if (q.status === "failed" || q.status === "cancelled") {
        throw Object.assign(new Error(`Audit log query ${q.id} for ${intervalName(iv)} ended ${q.status}; Graph gives no reason.`), { code: q.status === "failed" ? "AuditLogQueryFailed" : "AuditLogQueryCancelled" });
      } else if (this.now().getTime() - (iv.submittedAt ?? iv.updatedAt ?? this.now()).getTime() > MAX_QUERY_WAIT_MS) {
        // still notStarted, running (or a status Graph added since): not waited on for ever
        throw Object.assign(new Error(`Audit log query ${q.id} for ${intervalName(iv)} is still ${q.status} ${Math.round(MAX_QUERY_WAIT_MS / 3_600_000)} h after it was submitted.`), { code: "AuditLogQueryTimedOut" });
      }
      // still notStarted or running: read again on the next run
      await this.deps.store.saveInterval(iv, this.now());
    } catch (err) {
      const code = failureCode(err);
      // the query's own failure is Graph's answer, not a call that failed: submit it again
      const kind = code === "AuditLogQueryFailed" || code === "AuditLogQueryCancelled" || code === "AuditLogQueryTimedOut" ? { kind: "resubmit" as const } : classifyGraphFailure(err);
      await this.failed(job, iv, err, log, kind);
    }
  }

  private async page(job: StoredJob, iv: BackfillInterval, graph: NonNullable<BackfillTenant["graph"]>, database: string, deadline: number, log: PipelineLog): Promise<void> {
    const target = { tenantId: job.tenantId, database, contentId: intervalContentId(job.id, iv.index), range: { from: iv.from, to: iv.to } };
    while (iv.nextLink && Date.now() < deadline) {
      let page;
      try {
        page = await graph.recordPage(iv.queryId!, iv.nextLink);
        // a link to itself, or more records than a query ever holds: the paging would not end
        if (page.nextLink === iv.nextLink || iv.fetched + page.records.length > MAX_RECORDS_PER_QUERY) {
          throw Object.assign(new Error(`The records of query ${iv.queryId} for ${intervalName(iv)} do not end: ${page.nextLink === iv.nextLink ? "a page links to itself" : `more than ${MAX_RECORDS_PER_QUERY} records, Graph's limit per query`}. Back-fill this interval again with operations or recordTypes filters.`), { code: "PagingLoop" });
        }
      } catch (err) {
        await this.failed(job, iv, err, log, failureCode(err) === "PagingLoop" ? { kind: "interval" } : classifyGraphFailure(err));
        return;
      }
      iv.retries = 0;
      // landed before the link moves on: a crash in between lands this page again, never skips it
      const landed = await landPage(page.records, target, this.deps.sink, this.now());
      // recorded before the link moves on, so a failure ADX reports later always finds the interval
      await this.deps.sources?.record(database, landed.posted, [intervalSource(job.tenantId, iv)], this.now());
      await this.deps.onStep?.({ step: "page-landed", jobId: job.id, index: iv.index, page: iv.pages + 1, records: landed.fetched });
      iv.pages++;
      iv.fetched += landed.fetched;
      iv.landed += landed.landed;
      iv.outOfRange += landed.outOfRange;
      iv.nextLink = page.nextLink;
      if (!iv.nextLink) {
        iv.state = "done";
        if (iv.errorCode !== "RecordCountLimitExceeded") iv.errorCode = iv.errorMessage = undefined;
      }
      // refused when the ADX failure settlement re-opened the interval meanwhile: the next run reads it afresh; this
      // run's copy counts as unfinished and not due, so it neither finishes the job nor submits a query of its own
      if (!(await this.deps.store.saveInterval(iv, this.now()))) {
        Object.assign(iv, { state: "pending", nextLink: undefined, notBefore: new Date(8.64e15) });
        return;
      }
    }
    if (iv.state === "done") await this.deps.onStep?.({ step: "interval-finished", jobId: job.id, index: iv.index, state: "done" });
  }

  /** A Graph call for the interval failed: retry later, resubmit (bounded), fail the interval, or stop the job. */
  private async failed(job: StoredJob, iv: BackfillInterval, err: unknown, log: PipelineLog, kind = classifyGraphFailure(err)): Promise<void> {
    const code = failureCode(err);
    const message = failureReason(err);
    if (kind.kind === "job") throw new JobStopped(code, message);
    const max = this.deps.maxQueryAttempts ?? MAX_INTERVAL_ATTEMPTS;
    const fields = { stage: STAGE, tenant: job.tenantId, jobId: job.id, interval: intervalName(iv), code };
    iv.errorCode = code;
    let finalMessage = message;
    if (kind.kind === "later" && iv.retries >= MAX_TRANSIENT_RETRIES) {
      // bounded like every other retry: Graph not answering for this long is reported, not waited out for ever
      kind = { kind: "interval" };
      finalMessage = `${message} Gave up after ${iv.retries + 1} tries in a row; start a back-fill of this interval again later.`;
    }
    if (kind.kind === "later") {
      iv.retries++;
      iv.errorMessage = `${message} (retrying after ${Math.round(kind.afterMs / 1000)} s)`;
      iv.notBefore = new Date(this.now().getTime() + kind.afterMs);
      log.warn(`back-fill ${job.id} ${intervalName(iv)}: ${iv.errorMessage}`, { ...fields, outcome: "retryLater" });
    } else if (kind.kind === "resubmit" && iv.attempts < max) {
      iv.errorMessage = `${message} Attempt ${iv.attempts} of ${max}: submitted again.`;
      // pages already landed are landed again from the new query (the _dedup views keep each record once)
      Object.assign(iv, { state: "pending", queryId: undefined, nextLink: undefined, notBefore: undefined, submittedAt: undefined, pages: 0, fetched: 0, landed: 0, outOfRange: 0 });
      log.warn(`back-fill ${job.id} ${intervalName(iv)}: ${iv.errorMessage}`, { ...fields, outcome: "resubmitted", attempt: iv.attempts });
    } else {
      iv.errorMessage = kind.kind === "resubmit" ? `${message} Gave up after ${iv.attempts} queries.` : finalMessage;
      Object.assign(iv, { state: "failed", nextLink: undefined, notBefore: undefined });
      log.error(`back-fill ${job.id} ${intervalName(iv)} failed [${code}]: ${iv.errorMessage}`, { ...fields, outcome: "failed", attempt: iv.attempts });
      const database = this.deps.tenants.get(job.tenantId)!.config.database;
      const row = errorRow({ tenantId: job.tenantId, contentId: intervalContentId(job.id, iv.index) }, BACKFILL_CONTENT_TYPE, "", code, iv.errorMessage, { jobId: job.id, from: iv.from.toISOString(), to: iv.to.toISOString(), queryId: iv.queryId ?? null, attempts: iv.attempts }, this.now());
      const report = await this.deps.sink.ingestRows(database, Tables.errors, [row as unknown as Record<string, unknown>]);
      const posted = (report?.sources ?? []).map((s) => ({ table: Tables.errors, sourceId: s.sourceId }));
      await this.deps.sources?.record(database, posted, [intervalSource(job.tenantId, iv, "failure-record")], this.now());
    }
    await this.deps.store.saveInterval(iv, this.now());
    if (iv.state === "failed") await this.deps.onStep?.({ step: "interval-finished", jobId: job.id, index: iv.index, state: "failed" });
  }

  private async stop(job: StoredJob, code: string, message: string, log: PipelineLog): Promise<void> {
    job.state = "failed";
    job.jobError = { code, message };
    job.updatedAt = this.now();
    log.error(`back-fill ${job.id} of tenant ${job.tenantId} stopped [${code}]: ${message}`, { stage: STAGE, outcome: "stopped", tenant: job.tenantId, jobId: job.id, code });
    await this.deps.store.saveJob(job);
  }
}

class JobStopped extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
