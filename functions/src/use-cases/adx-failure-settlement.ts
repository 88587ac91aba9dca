import { Tables } from "../../../kql/tables";
import type { AdxFailureQueue, AdxIngestionFailure, ReceivedFailure } from "../sinks/adx-failures";
import type { AdxIngestionSources, AdxSourceRecord, PostedSource, SourceBlob } from "../state/adx-ingestion-sources";
import { forEachConcurrent } from "./concurrency";
import type { ContentLedger, LedgerEntry } from "../state/content-ledger";
import { contentRef } from "../state/content-ref";
import type { ContentQueue } from "../state/content-queue";
import type { EngineLog } from "./engine-log";
import { HOUR } from "./listing-window";
import { blobErrorRow, ledgerRow } from "../transform/outcome-rows";
import type { RowSink } from "../sinks/row-sink";
import { failureReason } from "../service-error";
import { advice, viaPolicy } from "./adx-failure-advice";

/** Replays of one blob after ADX gave up on it transiently; beyond this the blob is failed (ADX is not recovering). */
export const MAX_ADX_REPLAYS = 3;
/** A report whose blob is still with the worker waits for it this many deliveries (one per settlement run), then is dropped. */
const IN_FLIGHT_DELIVERIES = 20;
/** A report naming a source nobody recorded waits this long for a worker still between ingestion and its record. */
const UNKNOWN_SOURCE_DELIVERIES = 5;
const PER_RUN = 2000;
/** ADX's code for an ingestion skipped because an extent already has its ingest-by tag (FailureStatus Permanent). */
export const TAG_ALREADY_EXISTS = "Skipped_IngestByTagAlreadyExists";
const CONCURRENCY = 8;
const PURGE_EVERY_MS = 6 * HOUR;

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
}

export interface AdxFailureSettlementResult {
  /** reports read from the FailedIngestionsQueue */
  received: number;
  /** blobs now failed in the ledger (a permanent failure, or ADX still failing after the replays) */
  failed: number;
  /** blobs sent back to the queue (a transient failure ADX gave up on) */
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
 * every blob of the queue message whose rows the ingestion held. Reports are deleted only once acted on, so a crash
 * leaves them for the next run. Runs on its own timer (handlers/settle-adx-failures.ts).
 */
export class AdxFailureSettlement {
  private readonly now: () => Date;
  private readonly maxReplays: number;
  private readonly databases: Set<string>;
  private lastPurge = 0;

  constructor(private readonly deps: AdxFailureSettlementDeps) {
    this.now = deps.now ?? (() => new Date());
    this.maxReplays = deps.maxReplays ?? MAX_ADX_REPLAYS;
    // ADX database names compare case-insensitively
    this.databases = new Set(deps.databases.map((d) => d.toLowerCase()));
  }

  async run(log: EngineLog): Promise<AdxFailureSettlementResult> {
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
          log.error(`ADX failure report not handled yet (it comes back on a later run): ${failureReason(err)}`);
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
            log.error(`ADX failure report not handled yet (it comes back on a later run): ${failureReason(err)}`);
          }
        }
      });
    }
    if (result.received >= PER_RUN) log.warn(`ADX reported ${PER_RUN}+ failed ingestions; the rest are handled on the next runs.`);
    await this.purge(log);
    if (result.received) {
      log.info(
        `ADX failure reports: ${result.received} read, ${result.failed} blob(s) failed, ${result.replayed} replayed, ${result.settled} already settled, ` +
          `${result.unattributed} unattributed, ${result.deferred} deferred, ${result.errors} not handled` +
          (result.foreign ? `, ${result.foreign} for other databases (left for their owners)` : ""),
      );
    }
    return result;
  }

  private async handle(
    r: ReceivedFailure,
    source: AdxSourceRecord | undefined,
    log: EngineLog,
  ): Promise<Array<Exclude<keyof AdxFailureSettlementResult, "received" | "errors">>> {
    if (r.kind === "unreadable") {
      log.error(`ADX posted a failure report that cannot be read (${r.error}); it is dropped. Its text: ${r.text}`);
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
      );
      return ["unattributed"];
    }
    // One outcome per blob the ingestion held; the report is settled once none of them waits.
    const outcomes: Array<Awaited<ReturnType<AdxFailureSettlement["handleBlob"]>>> = [];
    for (const blob of source.blobs) outcomes.push(await this.handleBlob(f, blob, r.deliveries, log));
    return outcomes;
  }

  private async handleBlob(f: AdxIngestionFailure, blob: SourceBlob, deliveries: number, log: EngineLog): Promise<"deferred" | "failed" | "replayed" | "unattributed" | "settled"> {
    const what = `blob ${blob.contentId} (${blob.tenantId} ${blob.contentType})`;
    if (blob.purpose === "failure-record") {
      log.error(
        `ADX did not ingest the failure record of ${what} into ${f.database}.${f.table} either [${f.errorCode}]: ${f.details} — ` +
          `the content ledger and this log are its record. ${advice(f, 0)}`,
      );
      return "settled";
    }
    const entry = await this.deps.ledger.get(blob);
    if (!entry) {
      log.error(`ADX failed ingesting ${what} into ${f.database}.${f.table} [${f.errorCode}], but its ledger entry is gone (past retention): ${f.details}`);
      return "unattributed";
    }
    if (entry.state === "failed" || entry.state === "expired") return "settled";
    if (entry.adxReplays > blob.generation) {
      // A replay re-sends the whole blob after this report's attempt. If this is the report that started it, back
      // unsettled while the blob still waits, its enqueue may not have happened: enqueue again (a spare message is harmless).
      if (entry.state === "queued" && entry.adxReplaySource === f.sourceId) await this.deps.queue.enqueue([contentRef(entry)]);
      return "settled";
    }
    if (entry.state !== "ingested") {
      // The worker still has this blob: once it marks it ingested, the report is acted on (or superseded by its retry).
      if (deliveries < IN_FLIGHT_DELIVERIES) return "deferred";
      log.warn(`ADX failed ingesting ${what} into ${f.database}.${f.table} [${f.errorCode}] while the blob was still ${entry.state}; its pending queue message re-sends the rows.`);
      return "settled";
    }
    if (!f.permanent && entry.adxReplays < this.maxReplays) return this.replay(entry, f, log);
    await this.fail(entry, blob, f, log);
    return "failed";
  }

  /** ingested → queued, and the blob's queue message again: the worker re-sends every chunk, ADX skips those it holds. */
  private async replay(entry: LedgerEntry, f: AdxIngestionFailure, log: EngineLog): Promise<"replayed" | "deferred"> {
    const replays = entry.adxReplays + 1;
    const reason = `ADX gave up ingesting into ${f.database}.${f.table} [${f.errorCode}, ${f.failureStatus || "transient"}]${viaPolicy(f)}: ${f.details}`;
    // Ledger first (only one racer wins the ETag), then the message; a crash in between leaves this report unsettled,
    // and its next run enqueues again (see handle). Enqueued first, a fast worker could skip the still-"ingested" blob.
    if (!(await this.deps.ledger.markReplay(entry, entry.etag!, { replays, sourceId: f.sourceId, code: f.errorCode, reason }, this.now()))) return "deferred";
    await this.deps.queue.enqueue([contentRef(entry)]);
    log.warn(
      `ADX gave up ingesting blob ${entry.contentId} (${entry.tenantId} ${entry.contentType}) into ${f.database}.${f.table} [${f.errorCode}]: ${f.details} — ` +
        `replaying the blob (${replays} of ${this.maxReplays}); rows of it that did land meanwhile are kept once by the _dedup views.`,
    );
    return "replayed";
  }

  /** The blob cannot land until someone fixes the cause: failed in the ledger (the record), an error log (the alert), and a try at ingestion_errors. */
  private async fail(entry: LedgerEntry, blob: SourceBlob, f: AdxIngestionFailure, log: EngineLog): Promise<void> {
    const gaveUp = !f.permanent;
    const reason =
      `ADX ${gaveUp ? `kept failing after ${entry.adxReplays} replay(s)` : "refused"} the queued ingestion into ${f.database}.${f.table} ` +
      `[${f.errorCode}, ${f.failureStatus || "Permanent"}]${viaPolicy(f)}: ${f.details}`;
    // The alert before the ledger: a crash in between repeats the alert on the next run rather than losing it.
    log.error(
      `ingest ${entry.tenantId} ${entry.contentType} ${entry.contentId}: ${reason} — ${advice(f, entry.adxReplays)} ` +
        `The blob is failed in the content ledger; once fixed, re-enqueue it (the _dedup views keep a replayed record once).`,
    );
    await this.deps.ledger.markFailed(entry, f.errorCode, reason, entry.attempts, this.now());
    // Best effort: this may fail for the same reason (a missing mapping), asynchronously; the ledger and the log stay the record.
    const at = this.now();
    const posted: PostedSource[] = [];
    try {
      const errorsReport = await this.deps.adx.ingestRows(f.database, Tables.errors, [blobErrorRow(entry, "adx", f.errorCode, reason, entry.attempts, at)]);
      for (const s of errorsReport?.sources ?? []) posted.push({ table: Tables.errors, sourceId: s.sourceId });
      const ledgerReport = await this.deps.adx.ingestRows(f.database, Tables.ledger, [ledgerRow(entry, "failed", undefined, at)]);
      for (const s of ledgerReport?.sources ?? []) posted.push({ table: Tables.ledger, sourceId: s.sourceId });
      await this.deps.sources.record(f.database, posted, [{ ...blob, purpose: "failure-record" }], at);
    } catch (err) {
      log.error(`ingest ${entry.tenantId} ${entry.contentType} ${entry.contentId}: could not record the failure in ${Tables.errors} (${failureReason(err)}); the content ledger and this log are its record.`);
    }
  }

  /** Source records live as long as ledger entries; purged a few times a day. */
  private async purge(log: EngineLog): Promise<void> {
    const now = this.now().getTime();
    if (now - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = now;
    const cutoff = new Date(now - this.deps.retentionDays * 24 * HOUR);
    for (const db of this.deps.databases) {
      await this.deps.sources.purge(db, cutoff).catch((e) => log.warn(`ADX source records of ${db} not purged (retried later): ${failureReason(e)}`));
    }
  }
}
