import type { AdxFailedIntervals } from "../backfill/adx-failed-interval";
import type { AdxFailureQueue, ReceivedFailure } from "../sinks/adx-failures";
import type { RowSink } from "../sinks/row-sink";
import { failureCode as errorCodeOf, failureReason } from "../service-error";
import type { AdxIngestionSources, AdxSourceRecord } from "../state/adx-ingestion-sources";
import type { ContentLedger } from "../state/content-ledger";
import type { ContentQueue } from "../state/content-queue";
import { AdxFailedBlobs, MAX_ADX_REPLAYS, type BlobVerdict } from "./adx-failed-blob";
import { advice } from "./adx-failure-advice";
import { forEachConcurrent } from "./concurrency";
import { pipelineLog, type EngineLog, type PipelineLog } from "./engine-log";
import { HOUR } from "./listing-window";

export { MAX_ADX_REPLAYS };
/** A report naming a source nobody recorded waits this long for a worker still between ingestion and its record. */
const UNKNOWN_SOURCE_DELIVERIES = 5;
const PER_RUN = 2000;
/** ADX's code for an ingestion skipped because an extent already has its ingest-by tag (FailureStatus Permanent). */
export const TAG_ALREADY_EXISTS = "Skipped_IngestByTagAlreadyExists";
const CONCURRENCY = 8;
const PURGE_EVERY_MS = 6 * HOUR;
/** The stage named in this use case's log lines. */
const STAGE = "adx-settlement";

export interface AdxFailureSettlementDeps {
  failures: Pick<AdxFailureQueue, "receive">;
  sources: AdxIngestionSources;
  ledger: ContentLedger;
  queue: Pick<ContentQueue, "enqueue">;
  adx: RowSink;
  /** the tenants' databases: their source records are purged past the retention */
  databases: string[];
  retentionDays: number;
  now?: () => Date;
  maxReplays?: number;
  /** Back-fill intervals named by reports: re-opened (queried and landed again) or failed. */
  intervals?: Pick<AdxFailedIntervals, "settle">;
}

export interface AdxFailureSettlementResult {
  /** reports read from the FailedIngestionsQueue */
  received: number;
  /** blobs now failed in the ledger (a permanent failure, or ADX still failing after the replays), or back-fill intervals failed */
  failed: number;
  /** blobs sent back to the queue (a transient failure ADX gave up on), or back-fill intervals re-opened to land again */
  replayed: number;
  /** blobs already taken care of: replayed since, failed or expired already, or skipped by ADX as already there (a tag skip) */
  settled: number;
  /** reports for no known blob (logged) */
  unattributed: number;
  /** blobs (or unattributed reports) left for a later run: still with the worker, or their source not recorded yet */
  deferred: number;
  /** reports for databases this app does not write (another client of the cluster): left for their owner */
  foreign: number;
  /** reports that could not be handled now (storage errors); they come back */
  errors: number;
}

/**
 * Acts on ADX's failure reports for queued ingestions, which arrive after the worker marked the blob ingested:
 * a permanent failure (a mapping missing after a bad deploy, an invalid blob) fails the blob in the ledger with ADX's
 * error code, logs at error level what to fix, and tries to record it in ingestion_errors; a transient failure ADX gave
 * up on re-enqueues the blob (rows of it that landed meanwhile are kept once by the _dedup views). One report names
 * every blob of the queue message whose rows the ingestion held. A back-fill page has no blob: its interval is re-opened
 * to be queried and landed again, or failed (backfill/adx-failed-interval.ts). Reports are deleted only once acted on, so a crash
 * leaves them for the next run. Runs on its own timer (handlers/settle-adx-failures.ts).
 */
export class AdxFailureSettlement {
  private readonly now: () => Date;
  private readonly blobs: AdxFailedBlobs;
  private readonly databases: Set<string>;
  private lastPurge = 0;

  constructor(private readonly deps: AdxFailureSettlementDeps) {
    this.now = deps.now ?? (() => new Date());
    this.blobs = new AdxFailedBlobs({ ...deps, now: this.now, maxReplays: deps.maxReplays ?? MAX_ADX_REPLAYS });
    // ADX database names compare case-insensitively
    this.databases = new Set(deps.databases.map((d) => d.toLowerCase()));
  }

  async run(hostLog: EngineLog): Promise<AdxFailureSettlementResult> {
    const log = pipelineLog(hostLog);
    const notHandled = (err: unknown) =>
      log.error(`ADX failure report not handled yet (it comes back on a later run): ${failureReason(err)}`, { stage: STAGE, outcome: "notHandled", code: errorCodeOf(err) });
    const result: AdxFailureSettlementResult = { received: 0, failed: 0, replayed: 0, settled: 0, unattributed: 0, deferred: 0, foreign: 0, errors: 0 };
    const count = (outcome: keyof AdxFailureSettlementResult) => result[outcome]++;
    while (result.received < PER_RUN) {
      const batch = await this.deps.failures.receive(Math.min(64, PER_RUN - result.received));
      if (batch.length === 0) break;
      result.received += batch.length;
      // Each table's ingestion of a message fails on its own (audit rows, mail rows, ledger rows): one message's reports
      // are handled one after the other, so the first replays or fails its blobs and the rest find them done.
      const resolved: Array<{ report: ReceivedFailure; source?: AdxSourceRecord }> = [];
      await forEachConcurrent(batch, CONCURRENCY, async (report) => {
        try {
          const ours = report.kind === "failure" && this.databases.has(report.failure.database.toLowerCase());
          const source = ours ? await this.deps.sources.find(report.failure.database, report.failure.sourceId, this.now()) : undefined;
          resolved.push({ report, source });
        } catch (err) {
          count("errors");
          notHandled(err);
        }
      });
      const byBlob = new Map<string, typeof resolved>();
      resolved.forEach((item, i) => {
        // the reports of one queue message (one per table) name the same blobs
        const key = item.source ? item.source.blobs.map((b) => `${b.tenantId}|${b.contentType}|${b.contentId}`).sort().join(",") : `#${i}`;
        byBlob.set(key, [...(byBlob.get(key) ?? []), item]);
      });
      await forEachConcurrent(byBlob.values(), CONCURRENCY, async (items) => {
        for (const { report, source } of items) {
          try {
            const outcomes = await this.handle(report, source, log);
            for (const o of outcomes) count(o);
            if (!outcomes.includes("deferred") && !outcomes.includes("foreign")) await report.settle();
          } catch (err) {
            count("errors");
            notHandled(err);
          }
        }
      });
    }
    if (result.received >= PER_RUN) log.warn(`ADX reported ${PER_RUN}+ failed ingestions; the rest are handled on the next runs.`, { stage: STAGE, outcome: "backlog", reports: result.received });
    await this.purge(log);
    if (result.received) {
      log.info(
        `ADX failure reports: ${result.received} read, ${result.failed} blob(s) failed, ${result.replayed} replayed, ${result.settled} already settled, ` +
          `${result.unattributed} unattributed, ${result.deferred} deferred, ${result.errors} not handled` +
          (result.foreign ? `, ${result.foreign} for other databases (left for their owners)` : ""),
        { stage: STAGE, outcome: "run", ...result },
      );
    }
    return result;
  }

  private async handle(
    r: ReceivedFailure,
    source: AdxSourceRecord | undefined,
    log: PipelineLog,
  ): Promise<Array<Exclude<keyof AdxFailureSettlementResult, "received" | "errors">>> {
    if (r.kind === "unreadable") {
      log.error(`ADX posted a failure report that cannot be read (${r.error}); it is dropped. Its text: ${r.text}`, { stage: STAGE, outcome: "unreadable" });
      return ["unattributed"];
    }
    const f = r.failure;
    // The failure queue is the cluster's, shared by every client: another app's reports are not ours to delete.
    if (!this.databases.has(f.database.toLowerCase())) return ["foreign"];
    // ADX reports a skipped ingest-by ingestion as a permanent failure, but its rows are there: it counts as landed.
    if (f.errorCode === TAG_ALREADY_EXISTS) return ["settled"];
    if (!source) {
      // A worker may be between posting the rows and recording their source ids: give it a few runs.
      if (r.deliveries < UNKNOWN_SOURCE_DELIVERIES) return ["deferred"];
      log.error(
        `ADX failed a queued ingestion into ${f.database}.${f.table} [${f.errorCode}] that no content blob of this app is known for ` +
          `(source id ${f.sourceId}: sent by another client, or by a worker that died before recording it — its queue retry re-posts the rows). ` +
          `${f.details} — ${advice(f, 0)}`,
        { stage: STAGE, outcome: "unattributed", code: f.errorCode, database: f.database, table: f.table, sourceId: f.sourceId },
      );
      return ["unattributed"];
    }
    // One outcome per blob the ingestion held; the report is settled once none of them waits.
    const outcomes: BlobVerdict[] = [];
    for (const blob of source.blobs) {
      if (blob.purpose !== "backfill") outcomes.push(await this.blobs.settle(f, blob, r.deliveries, log));
      else if (this.deps.intervals) outcomes.push(await this.deps.intervals.settle(f, blob, log));
      else {
        log.error(`ADX failed a back-fill page of ${blob.contentId} into ${f.database}.${f.table} [${f.errorCode}], and this app runs no back-fill to land it again: ${f.details}`, {
          stage: STAGE,
          outcome: "unattributed",
          code: f.errorCode,
          contentId: blob.contentId,
        });
        outcomes.push("unattributed");
      }
    }
    return outcomes;
  }

  /** Source records live as long as ledger entries; purged a few times a day. */
  private async purge(log: PipelineLog): Promise<void> {
    const now = this.now().getTime();
    if (now - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = now;
    const cutoff = new Date(now - this.deps.retentionDays * 24 * HOUR);
    for (const db of this.deps.databases) {
      await this.deps.sources.purge(db, cutoff).catch((e) =>
        log.warn(`ADX source records of ${db} not purged (retried later): ${failureReason(e)}`, { stage: STAGE, outcome: "purgeFailed", code: errorCodeOf(e), database: db }),
      );
    }
  }
}
