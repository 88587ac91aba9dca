// Landing: a part's rows through the sinks, then the record of it — ingestion_ledger rows, the ADX source ids against
// their blobs, the content ledger's final states. The worker lands every part of a message through it; anything else
// that lands blobs' rows (a back-fill) goes through the same step, so the record is kept the same way.
import { Tables } from "../../../kql/tables";
import { failureCode, failureReason, isPermanent } from "../service-error";
import type { IngestReport, MailAccessForwarder, RowSink } from "../sinks/row-sink";
import type { AdxIngestionSources, PostedSource, SourceBlob } from "../state/adx-ingestion-sources";
import type { ContentLedger, Finish, IngestedFigures } from "../state/content-ledger";
import { blobErrorRow, ledgerRow } from "../transform/outcome-rows";
import { Stage, type BlobFigures, type FinalOutcome, type LandingBlob } from "./blob-outcome";
import { pipelineLog, type EngineLog, type PipelineLog } from "./engine-log";
import type { MessagePart, PartTable } from "./message-part";

type Rows = Record<string, unknown>[];

/** Steps reported as a part lands; a test throws from one to simulate a crash at exactly that point. */
export type LandingStep =
  | { step: "rows-ingested"; contentIds: string[] }
  | { step: "ledger-row-ingested"; contentIds: string[] }
  | { step: "ledger-updated"; contentId: string; state: string };

export interface RowLandingDeps {
  adx: RowSink;
  sentinel?: MailAccessForwarder;
  ledger: Pick<ContentLedger, "finishMany">;
  /** Where the source id of every queued ingestion is recorded against its blobs (ADX failure reports name only that). */
  sources?: AdxIngestionSources;
  /** the attempt from which a Sentinel failure is recorded rather than retried */
  maxDequeueCount: number;
  now: () => Date;
  onStep?: (s: LandingStep) => void | Promise<void>;
}

/** Lands parts of blobs whose outcome is final (ingested, expired, failed): see `land`. */
export class RowLanding {
  constructor(private readonly deps: RowLandingDeps) {}

  /** A part's rows in one ingestion per table, then the ledger rows, the source records and the ledger entries. */
  async land(db: string, part: MessagePart<LandingBlob>, attempts: number, hostLog: EngineLog | PipelineLog): Promise<void> {
    const log = pipelineLog(hostLog);
    const { onStep } = this.deps;
    const work = part.blobs;
    const posted: PostedSource[] = [];
    const record = (table: string, report: IngestReport) => {
      for (const s of report?.sources ?? []) posted.push({ table, sourceId: s.sourceId });
    };
    const send = async (table: PartTable) => record(table, await this.deps.adx.ingestChunks(db, table, await part.finish(table)));
    const ids = work.map((w) => w.blob.contentId);

    await send(Tables.unifiedAudit);
    await send(Tables.accessMail);
    if (this.deps.sentinel && part.forwardRows.length) await part.addErrorRows(await this.forward(work, part.forwardRows.splice(0), attempts, log));
    await send(Tables.errors);
    await onStep?.({ step: "rows-ingested", contentIds: ids });

    const at = this.deps.now();
    record(Tables.ledger, await this.deps.adx.ingestRows(db, Tables.ledger, work.map((w) => ledgerRow(w.blob, final(w).status, w.figures, at))));
    await onStep?.({ step: "ledger-row-ingested", contentIds: ids });

    // Recorded before the ledger says "ingested", so a failure ADX reports later always finds its blobs.
    const blobs: SourceBlob[] = work.map((w) => ({
      tenantId: w.blob.tenantId,
      contentType: w.blob.contentType,
      contentId: w.blob.contentId,
      contentCreated: w.blob.contentCreated,
      generation: w.generation,
      purpose: final(w).status === "ingested" ? "rows" : "failure-record",
    }));
    await this.deps.sources?.record(db, posted, blobs, at);
    const finishes: Finish[] = work.map((w) => {
      const o = final(w);
      if (o.status === "ingested") return { ref: w.blob, state: "ingested", attempts: w.attempts, figures: ledgerFigures(o.figures) };
      return { ref: w.blob, state: o.status, attempts: w.attempts, code: o.code, reason: o.reason };
    });
    await this.deps.ledger.finishMany(finishes, this.deps.now());
    for (const w of work) {
      const o = final(w);
      const what = `ingest ${w.blob.tenantId} ${w.blob.contentType} ${w.blob.contentId}`;
      const about = { tenant: w.blob.tenantId, contentType: w.blob.contentType, contentId: w.blob.contentId, stage: Stage.ingest, attempt: w.attempts };
      if (o.status === "ingested") {
        const f = o.figures;
        log.info(`${what}: ${f.records} records → ${f.auditRows} audit rows, ${f.mailAccessRows} mail-access rows`, {
          ...about,
          outcome: "ingested",
          records: f.records,
          auditRows: f.auditRows,
          mailAccessRows: f.mailAccessRows,
          quarantinedRecords: f.quarantinedRecords,
          duplicatesInBlob: f.duplicatesInBlob,
          bytes: f.bytes,
        });
      } else if (o.status === "expired") {
        log.error(`${what}: content expired before it was fetched [${o.code}]; its records are lost and the gap is recorded in ${Tables.errors}. ${o.reason}`, {
          ...about,
          stage: Stage.fetch,
          outcome: "expired",
          code: o.code,
        });
      } else {
        log.error(`${what}: quarantined [${o.code}], recorded as failed in the ledger and ${Tables.errors}: ${o.reason}`, { ...about, outcome: "quarantined", code: o.code });
      }
      await onStep?.({ step: "ledger-updated", contentId: w.blob.contentId, state: o.status });
    }
  }

  /**
   * Sentinel gets a copy of the mail-access rows for its analytics rules; ADX stays the system of record. A refusal no
   * retry can cure, or the last attempt, becomes rows for ingestion_errors (Stage "sentinel") and lets the blobs count
   * as ingested; a transient failure retries the message (the views dedup ADX; Sentinel may see the rows twice).
   */
  private async forward(work: readonly LandingBlob[], rows: Rows, attempts: number, log: PipelineLog): Promise<Rows> {
    try {
      await this.deps.sentinel!.send(rows);
      return [];
    } catch (err) {
      const code = failureCode(err);
      const reason = failureReason(err);
      if (!isPermanent(err) && attempts < this.deps.maxDequeueCount) throw err;
      const at = this.deps.now();
      const gaps = work.filter((w) => (w.figures?.mailAccessRows ?? 0) > 0);
      for (const w of gaps) {
        log.error(
          `ingest ${w.blob.tenantId} ${w.blob.contentType} ${w.blob.contentId}: ${w.figures!.mailAccessRows} mail-access row(s) not forwarded to Sentinel [${code}] (they are in ADX; recorded in ${Tables.errors}): ${reason}`,
          { tenant: w.blob.tenantId, contentType: w.blob.contentType, contentId: w.blob.contentId, stage: Stage.sentinel, outcome: "notForwarded", code, attempt: attempts, rows: w.figures!.mailAccessRows },
        );
      }
      return gaps.map((w) => blobErrorRow(w.blob, Stage.sentinel, code, `${w.figures!.mailAccessRows} mail-access row(s) not forwarded to Sentinel: ${reason}`, attempts, at));
    }
  }
}

/** A landing blob's outcome, which the caller has made final (a re-queued or skipped blob is never in a part). */
function final(w: LandingBlob): FinalOutcome {
  const o = w.outcome;
  if (o?.status !== "ingested" && o?.status !== "expired" && o?.status !== "failed") {
    throw new Error(`blob ${w.blob.contentId} reached landing without a final outcome (${o?.status ?? "none"}): a bug in the caller`);
  }
  return o;
}

function ledgerFigures(f: BlobFigures): IngestedFigures {
  return { records: f.records, auditRows: f.auditRows, mailAccessRows: f.mailAccessRows, quarantinedRecords: f.quarantinedRecords };
}
