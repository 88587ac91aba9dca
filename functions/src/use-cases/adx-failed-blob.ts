// One content blob named by an ADX failure report: replayed (ADX gave up on a transient failure), failed (ADX refused
// it, or kept failing after the replays), or already settled — decided from its ledger entry.
import { Tables } from "../../../kql/tables";
import { failureReason } from "../service-error";
import type { AdxIngestionFailure } from "../sinks/adx-failures";
import type { RowSink } from "../sinks/row-sink";
import type { AdxIngestionSources, PostedSource, SourceBlob } from "../state/adx-ingestion-sources";
import type { ContentLedger, LedgerEntry } from "../state/content-ledger";
import { contentRef } from "../state/content-ref";
import type { ContentQueue } from "../state/content-queue";
import { blobErrorRow, ledgerRow } from "../transform/outcome-rows";
import { advice, viaPolicy } from "./adx-failure-advice";
import type { PipelineLog } from "./engine-log";

/** Replays of one blob after ADX gave up on it transiently; beyond this the blob is failed (ADX is not recovering). */
export const MAX_ADX_REPLAYS = 3;
/** A report whose blob is still with the worker waits for it this many deliveries (one per settlement run), then is dropped. */
const IN_FLIGHT_DELIVERIES = 20;

export type BlobVerdict = "deferred" | "failed" | "replayed" | "unattributed" | "settled";

export interface AdxFailedBlobDeps {
  sources: AdxIngestionSources;
  ledger: ContentLedger;
  queue: Pick<ContentQueue, "enqueue">;
  adx: RowSink;
  maxReplays: number;
  now: () => Date;
}

/** The fields of every line about a blob of a report: which blob, which ingestion, ADX's code. */
function about(f: AdxIngestionFailure, blob: Pick<SourceBlob, "tenantId" | "contentType" | "contentId">) {
  return { tenant: blob.tenantId, contentType: blob.contentType, contentId: blob.contentId, stage: "adx-settlement", code: f.errorCode, database: f.database, table: f.table, sourceId: f.sourceId };
}

export class AdxFailedBlobs {
  constructor(private readonly deps: AdxFailedBlobDeps) {}

  async settle(f: AdxIngestionFailure, blob: SourceBlob, deliveries: number, log: PipelineLog): Promise<BlobVerdict> {
    const what = `blob ${blob.contentId} (${blob.tenantId} ${blob.contentType})`;
    if (blob.purpose === "failure-record") {
      log.error(
        `ADX did not ingest the failure record of ${what} into ${f.database}.${f.table} either [${f.errorCode}]: ${f.details} — ` +
          `the content ledger and this log are its record. ${advice(f, 0)}`,
        { ...about(f, blob), outcome: "failureRecordLost" },
      );
      return "settled";
    }
    const entry = await this.deps.ledger.get(blob);
    if (!entry) {
      log.error(`ADX failed ingesting ${what} into ${f.database}.${f.table} [${f.errorCode}], but its ledger entry is gone (past retention): ${f.details}`, {
        ...about(f, blob),
        outcome: "unattributed",
      });
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
      log.warn(`ADX failed ingesting ${what} into ${f.database}.${f.table} [${f.errorCode}] while the blob was still ${entry.state}; its pending queue message re-sends the rows.`, {
        ...about(f, blob),
        outcome: "leftToWorker",
        state: entry.state,
      });
      return "settled";
    }
    if (!f.permanent && entry.adxReplays < this.deps.maxReplays) return this.replay(entry, f, log);
    await this.fail(entry, blob, f, log);
    return "failed";
  }

  /** ingested → queued, and the blob's queue message again: the worker re-sends every chunk, ADX skips those it holds. */
  private async replay(entry: LedgerEntry, f: AdxIngestionFailure, log: PipelineLog): Promise<"replayed" | "deferred"> {
    const replays = entry.adxReplays + 1;
    const reason = `ADX gave up ingesting into ${f.database}.${f.table} [${f.errorCode}, ${f.failureStatus || "transient"}]${viaPolicy(f)}: ${f.details}`;
    // Ledger first (only one racer wins the ETag), then the message; a crash in between leaves this report unsettled,
    // and its next run enqueues again (see handle). Enqueued first, a fast worker could skip the still-"ingested" blob.
    if (!(await this.deps.ledger.markReplay(entry, entry.etag!, { replays, sourceId: f.sourceId, code: f.errorCode, reason }, this.deps.now()))) return "deferred";
    await this.deps.queue.enqueue([contentRef(entry)]);
    log.warn(
      `ADX gave up ingesting blob ${entry.contentId} (${entry.tenantId} ${entry.contentType}) into ${f.database}.${f.table} [${f.errorCode}]: ${f.details} — ` +
        `replaying the blob (${replays} of ${this.deps.maxReplays}); rows of it that did land meanwhile are kept once by the _dedup views.`,
      { ...about(f, entry), outcome: "replayed", attempt: replays },
    );
    return "replayed";
  }

  /** The blob cannot land until someone fixes the cause: failed in the ledger (the record), an error log (the alert), and a try at ingestion_errors. */
  private async fail(entry: LedgerEntry, blob: SourceBlob, f: AdxIngestionFailure, log: PipelineLog): Promise<void> {
    const gaveUp = !f.permanent;
    const reason =
      `ADX ${gaveUp ? `kept failing after ${entry.adxReplays} replay(s)` : "refused"} the queued ingestion into ${f.database}.${f.table} ` +
      `[${f.errorCode}, ${f.failureStatus || "Permanent"}]${viaPolicy(f)}: ${f.details}`;
    // The alert before the ledger: a crash in between repeats the alert on the next run rather than losing it.
    log.error(
      `ingest ${entry.tenantId} ${entry.contentType} ${entry.contentId}: ${reason} — ${advice(f, entry.adxReplays)} ` +
        `The blob is failed in the content ledger; once fixed, re-enqueue it (the _dedup views keep a replayed record once).`,
      { ...about(f, entry), outcome: "failed", replays: entry.adxReplays },
    );
    await this.deps.ledger.markFailed(entry, f.errorCode, reason, entry.attempts, this.deps.now());
    // Best effort: this may fail for the same reason (a missing mapping), asynchronously; the ledger and the log stay the record.
    const at = this.deps.now();
    const posted: PostedSource[] = [];
    try {
      const errorsReport = await this.deps.adx.ingestRows(f.database, Tables.errors, [blobErrorRow(entry, "adx", f.errorCode, reason, entry.attempts, at)]);
      for (const s of errorsReport?.sources ?? []) posted.push({ table: Tables.errors, sourceId: s.sourceId });
      const ledgerReport = await this.deps.adx.ingestRows(f.database, Tables.ledger, [ledgerRow(entry, "failed", undefined, at)]);
      for (const s of ledgerReport?.sources ?? []) posted.push({ table: Tables.ledger, sourceId: s.sourceId });
      await this.deps.sources.record(f.database, posted, [{ ...blob, purpose: "failure-record" }], at);
    } catch (err) {
      log.error(
        `ingest ${entry.tenantId} ${entry.contentType} ${entry.contentId}: could not record the failure in ${Tables.errors} (${failureReason(err)}); the content ledger and this log are its record.`,
        { ...about(f, entry), outcome: "failureRecordLost" },
      );
    }
  }
}
