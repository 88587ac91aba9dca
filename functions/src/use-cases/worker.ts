import { Tables } from "../../../kql/tables";
import type { TenantConfig } from "../config";
import { AfCodes, type ManagementActivityClient } from "../management-api";
import { failureCode, failureReason, isPermanent, isServiceError, ServiceError } from "../service-error";
import type { AdxIngestionSources, PostedSource, SourceBlob } from "../state/adx-ingestion-sources";
import { forEachConcurrent } from "./concurrency";
import type { ContentLedger, Finish, IngestedFigures, LedgerEntry } from "../state/content-ledger";
import type { ContentMessage, ContentQueue, QueuedBlob } from "../state/content-queue";
import { contentRef } from "../state/content-ref";
import type { EngineLog } from "./engine-log";
import { MessagePart, type PartTable } from "./message-part";
import { blobErrorRow, ledgerRow, quarantineRows } from "../transform/outcome-rows";
import { transformBlob } from "../transform/transform";
import type { IngestReport, MailAccessForwarder, RowSink } from "../sinks/row-sink";

// The sinks own the contract the worker lands rows through; re-exported for code that imported it from here.
export type { MailAccessForwarder, RowSink };

type Rows = Record<string, unknown>[];

export interface WorkerTenant {
  config: TenantConfig;
  source: Pick<ManagementActivityClient, "fetchContent">;
}

/** Steps reported as the worker goes; a test throws from one to simulate a crash at exactly that point. */
export type WorkerStep =
  | { step: "fetched"; contentId: string; records: number; bytes: number }
  | { step: "rows-ingested"; contentIds: string[] }
  | { step: "ledger-row-ingested"; contentIds: string[] }
  | { step: "ledger-updated"; contentId: string; state: string };

/** Blobs fetched at once per message: a message's blobs come from one tenant, whose API budget the planner shares. */
export const FETCH_CONCURRENCY = 4;

/** Compressed rows one message holds before it lands them as a part (MESSAGE_PART_BYTES; config.ts says why 4 MiB). */
export const MESSAGE_PART_BYTES = 4 << 20;

export interface WorkerDeps {
  tenants: Map<string, WorkerTenant>;
  ledger: ContentLedger;
  adx: RowSink;
  /** Where a blob that failed transiently while its neighbours landed goes back, alone. */
  queue: Pick<ContentQueue, "enqueue">;
  sentinel?: MailAccessForwarder;
  /** Where the source id of every queued ingestion is recorded against its blobs (ADX failure reports name only that). */
  sources?: AdxIngestionSources;
  maxDequeueCount: number;
  fetchConcurrency?: number;
  /** compressed row bytes a message holds before landing them as a part; default MESSAGE_PART_BYTES */
  partBytes?: number;
  now?: () => Date;
  onStep?: (s: WorkerStep) => void | Promise<void>;
}

export type BlobOutcome =
  | { contentId: string; status: "ingested"; figures: IngestedFigures & { duplicatesInBlob: number; bytes: number } }
  | { contentId: string; status: "skipped"; reason: string }
  | { contentId: string; status: "requeued"; code: string; reason: string }
  | { contentId: string; status: "expired" | "failed"; code: string; reason: string };

export class UnknownTenantError extends ServiceError {
  override readonly name = "UnknownTenantError";
  constructor(tenantId: string) {
    super(`Queue message for tenant ${tenantId}, which is not in AUDIT_LAKE_TENANTS.`, {
      code: "UnknownTenant",
      transient: false,
      advice: "Add the tenant back to the setting (its messages then land), or delete the messages from the queue if it was off-boarded on purpose.",
    });
  }
}

/** Stage names recorded in ingestion_errors. */
const Stage = { fetch: "fetch", transform: "transform", ingest: "ingest", sentinel: "sentinel" } as const;

/** One blob of the message on its way: its rows once fetched, or why it will not land in this attempt. */
interface BlobWork {
  blob: QueuedBlob;
  attempts: number;
  generation: number;
  figures?: IngestedFigures & { duplicatesInBlob: number; bytes: number };
  auditRows: Rows;
  mailAccessRows: Rows;
  errorRows: Rows;
  outcome?: BlobOutcome;
  /** what a re-queued blob failed with: the message's own failure when every blob of it failed so */
  error?: unknown;
}

/**
 * The worker: one queue message of several content blobs to rows in ADX. The blobs are fetched a few at a time, their
 * rows compressed as each arrives, and sent to ADX in one ingestion per table for the whole message (ADX then batches
 * messages by the tables' batching policies) — or, when a message's compressed rows pass `partBytes`, in parts of
 * whole blobs, each landed (rows, ledger rows, ledger entries) before the next, so memory stays bounded. At least once: a crash or retry re-sends the rows of blobs the ledger does not show finished, and
 * the `_dedup` materialized views keep each record once. One blob that cannot be fetched never fails its neighbours:
 * it is quarantined (expired, refused) or re-queued alone (transient).
 */
export class Worker {
  private readonly now: () => Date;

  constructor(private readonly deps: WorkerDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async ingest(msg: ContentMessage, dequeueCount: number, log: EngineLog): Promise<BlobOutcome[]> {
    const { ledger } = this.deps;
    const tenantId = msg.blobs[0].tenantId;
    const tenant = this.deps.tenants.get(tenantId.toLowerCase());
    if (!tenant) throw new UnknownTenantError(tenantId);
    const db = tenant.config.database;

    const entries = await ledger.getMany(msg.blobs);
    const outcomes: BlobOutcome[] = [];
    const work: BlobWork[] = [];
    for (const blob of msg.blobs) {
      const entry = entries.get(blob.contentId);
      if (entry?.state === "ingested" || entry?.state === "expired") {
        log.info(`ingest ${blob.tenantId} ${blob.contentType} ${blob.contentId}: already ${entry.state}, nothing to do (replayed message)`);
        outcomes.push({ contentId: blob.contentId, status: "skipped", reason: `already ${entry.state}` });
        continue;
      }
      work.push({ blob, attempts: (blob.priorAttempts ?? 0) + dequeueCount, generation: generationOf(entry), auditRows: [], mailAccessRows: [], errorRows: [] });
    }
    if (work.length === 0) return outcomes;

    const budget = this.deps.partBytes ?? MESSAGE_PART_BYTES;
    const newPart = () => new MessagePart<BlobWork>(() => this.deps.adx.rowWriter(), this.deps.sentinel !== undefined);
    let open = newPart();
    const landed = new Set<BlobWork>();
    let landing: Promise<void> = Promise.resolve();
    // Parts land one at a time, in order, while the next part fills.
    const landPart = (part: MessagePart<BlobWork>) => {
      landing = landing.then(async () => {
        await this.land(db, part, dequeueCount, log);
        for (const w of part.blobs) landed.add(w);
      });
      return landing;
    };

    let failure: { err: unknown } | undefined;
    try {
      await forEachConcurrent(work, this.deps.fetchConcurrency ?? FETCH_CONCURRENCY, async (w) => {
        await this.fetch(tenant, w, log);
        if (w.outcome?.status === "requeued") return;
        const part = open;
        await part.add(w, takeRows(w));
        if (part === open && part.heldBytes >= budget) {
          open = newPart();
          await landPart(part);
        }
      });
      await landing;
    } catch (err) {
      failure = { err };
    }

    const retry = work.filter((w) => w.outcome?.status === "requeued");
    if (!failure) {
      // Every blob failed transiently: nothing to land, so the queue retries the message as a whole.
      if (retry.length === work.length) {
        const first = retry[0].outcome as Extract<BlobOutcome, { status: "requeued" }>;
        await Promise.all(retry.map((w) => ledger.recordAttempt(w.blob, first.code, first.reason, w.attempts).catch(() => undefined)));
        log.warn(`ingest ${tenantId}: attempt ${dequeueCount} of ${this.deps.maxDequeueCount} failed for all ${retry.length} blob(s) of the message; the queue retries: ${first.reason}`);
        throw retry[0].error;
      }
      if (open.blobs.length) await landPart(open).catch((err) => (failure = { err }));
    }

    if (failure) {
      // ADX refused a part's rows: the queue retries the message whole (its landed parts are skipped then); after the
      // last attempt the blobs not landed are failed in the ledger (the message goes to the poison queue: recorded
      // twice, never dropped).
      const { err } = failure;
      const unlanded = work.filter((w) => !landed.has(w) && w.outcome?.status !== "requeued");
      const code = failureCode(err);
      const reason = failureReason(err);
      const last = isPermanent(err) || dequeueCount >= this.deps.maxDequeueCount;
      if (last) {
        await ledger.finishMany(unlanded.map((w) => ({ ref: w.blob, state: "failed", attempts: w.attempts, code, reason })), this.now());
        log.error(`ingest ${tenantId}: ${unlanded.length} blob(s) failed at ${Stage.ingest} [${code}], recorded as failed in the ledger; the message goes to the poison queue: ${reason}`);
      } else {
        await Promise.all(unlanded.map((w) => ledger.recordAttempt(w.blob, code, reason, w.attempts).catch(() => undefined)));
        log.warn(`ingest ${tenantId}: attempt ${dequeueCount} of ${this.deps.maxDequeueCount} failed at ${Stage.ingest} [${code}]; the queue retries: ${reason}`);
      }
      throw err;
    }

    // Only now, with the landed blobs recorded, do the transient failures go back to the queue: alone, attempts kept.
    if (retry.length) {
      await this.deps.queue.enqueue(retry.map((w) => ({ ...contentRef(w.blob), priorAttempts: w.attempts })));
      for (const w of retry) {
        const o = w.outcome as Extract<BlobOutcome, { status: "requeued" }>;
        await ledger.recordAttempt(w.blob, o.code, o.reason, w.attempts).catch(() => undefined);
        log.warn(`ingest ${w.blob.tenantId} ${w.blob.contentType} ${w.blob.contentId}: attempt ${w.attempts} of ${this.deps.maxDequeueCount} failed [${o.code}]; re-queued alone: ${o.reason}`);
      }
    }
    for (const w of work) outcomes.push(w.outcome!);
    return outcomes;
  }

  /** Fetches and transforms one blob; a failure decides the blob's fate without touching its neighbours. */
  private async fetch(tenant: WorkerTenant, w: BlobWork, log: EngineLog): Promise<void> {
    const { blob } = w;
    let stage: string = Stage.fetch;
    try {
      const fetched = await tenant.source.fetchContent(blob.contentUri);
      const { bytes } = fetched;
      const records = fetched.records.length;
      await this.deps.onStep?.({ step: "fetched", contentId: blob.contentId, records, bytes });
      stage = Stage.transform;
      // Only the rows are kept past this point: the parsed records (as large again) can be collected meanwhile.
      const result = transformBlob(fetched.records.splice(0), blob);
      w.auditRows = result.auditRows;
      w.mailAccessRows = result.mailAccessRows;
      if (result.quarantined.length) {
        w.errorRows = quarantineRows(blob, result.quarantined, this.now());
        log.warn(`ingest ${blob.tenantId} ${blob.contentType} ${blob.contentId}: ${result.quarantined.length} malformed record(s) quarantined in ${Tables.errors}; the rest of the blob lands`);
      }
      w.figures = {
        records,
        auditRows: result.auditRows.length,
        mailAccessRows: result.mailAccessRows.length,
        quarantinedRecords: result.quarantined.length,
        duplicatesInBlob: result.duplicatesInBlob,
        bytes,
      };
      w.outcome = { contentId: blob.contentId, status: "ingested", figures: w.figures };
    } catch (err) {
      const code = failureCode(err);
      const reason = failureReason(err);
      if (stage === Stage.fetch && isServiceError(err) && err.code === AfCodes.ContentExpired) {
        w.outcome = { contentId: blob.contentId, status: "expired", code, reason };
      } else if (isPermanent(err) || w.attempts >= this.deps.maxDequeueCount) {
        // Errors that no retry can cure (a foreign contentUri, an oversized blob, a missing permission) quarantine now.
        const why = isPermanent(err) ? reason : `gave up after ${w.attempts} attempt(s): ${reason}`;
        w.outcome = { contentId: blob.contentId, status: "failed", code, reason: why };
      } else {
        w.outcome = { contentId: blob.contentId, status: "requeued", code, reason };
        w.error = err;
        return;
      }
      w.errorRows = [blobErrorRow(blob, stage, code, w.outcome.reason, w.attempts, this.now())];
    }
  }

  /** A part's rows in one ingestion per table, then the ledger rows, the source records and the ledger entries. */
  private async land(db: string, part: MessagePart<BlobWork>, attempts: number, log: EngineLog): Promise<void> {
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

    const at = this.now();
    record(Tables.ledger, await this.deps.adx.ingestRows(db, Tables.ledger, work.map((w) => ledgerRow(w.blob, w.outcome!.status as Finish["state"], w.figures, at))));
    await onStep?.({ step: "ledger-row-ingested", contentIds: ids });

    // Recorded before the ledger says "ingested", so a failure ADX reports later always finds its blobs.
    const blobs: SourceBlob[] = work.map((w) => ({
      tenantId: w.blob.tenantId,
      contentType: w.blob.contentType,
      contentId: w.blob.contentId,
      contentCreated: w.blob.contentCreated,
      generation: w.generation,
      purpose: w.outcome!.status === "ingested" ? "rows" : "failure-record",
    }));
    await this.deps.sources?.record(db, posted, blobs, at);
    const finishes: Finish[] = work.map((w) => {
      const o = w.outcome!;
      if (o.status === "ingested") return { ref: w.blob, state: "ingested", attempts: w.attempts, figures: stripBytes(o.figures) };
      const failure = o as Extract<BlobOutcome, { status: "expired" | "failed" }>;
      return { ref: w.blob, state: failure.status, attempts: w.attempts, code: failure.code, reason: failure.reason };
    });
    await this.deps.ledger.finishMany(finishes, this.now());
    for (const w of work) {
      const o = w.outcome!;
      const what = `ingest ${w.blob.tenantId} ${w.blob.contentType} ${w.blob.contentId}`;
      if (o.status === "ingested") log.info(`${what}: ${o.figures.records} records → ${o.figures.auditRows} audit rows, ${o.figures.mailAccessRows} mail-access rows`);
      else if (o.status === "expired") log.error(`${what}: content expired before it was fetched [${o.code}]; its records are lost and the gap is recorded in ${Tables.errors}. ${o.reason}`);
      else if (o.status === "failed") log.error(`${what}: quarantined [${o.code}], recorded as failed in the ledger and ${Tables.errors}: ${o.reason}`);
      await onStep?.({ step: "ledger-updated", contentId: w.blob.contentId, state: o.status });
    }
  }

  /**
   * Sentinel gets a copy of the mail-access rows for its analytics rules; ADX stays the system of record. A refusal no
   * retry can cure, or the last attempt, becomes rows for ingestion_errors (Stage "sentinel") and lets the blobs count
   * as ingested; a transient failure retries the message (the views dedup ADX; Sentinel may see the rows twice).
   */
  private async forward(work: BlobWork[], rows: Rows, attempts: number, log: EngineLog): Promise<Rows> {
    try {
      await this.deps.sentinel!.send(rows);
      return [];
    } catch (err) {
      const code = failureCode(err);
      const reason = failureReason(err);
      if (!isPermanent(err) && attempts < this.deps.maxDequeueCount) throw err;
      const at = this.now();
      const gaps = work.filter((w) => (w.figures?.mailAccessRows ?? 0) > 0);
      for (const w of gaps) {
        log.error(`ingest ${w.blob.tenantId} ${w.blob.contentType} ${w.blob.contentId}: ${w.figures!.mailAccessRows} mail-access row(s) not forwarded to Sentinel [${code}] (they are in ADX; recorded in ${Tables.errors}): ${reason}`);
      }
      return gaps.map((w) => blobErrorRow(w.blob, Stage.sentinel, code, `${w.figures!.mailAccessRows} mail-access row(s) not forwarded to Sentinel: ${reason}`, attempts, at));
    }
  }
}

/** A blob's rows per table, released from the blob as they are taken (memory: the part holds them compressed). */
function takeRows(w: BlobWork): Record<PartTable, Rows> {
  const rows = { [Tables.unifiedAudit]: w.auditRows, [Tables.accessMail]: w.mailAccessRows, [Tables.errors]: w.errorRows };
  w.auditRows = [];
  w.mailAccessRows = [];
  w.errorRows = [];
  return rows;
}

function stripBytes(f: IngestedFigures & { bytes?: number; duplicatesInBlob?: number }): IngestedFigures {
  return { records: f.records, auditRows: f.auditRows, mailAccessRows: f.mailAccessRows, quarantinedRecords: f.quarantinedRecords };
}

function generationOf(entry: LedgerEntry | undefined): number {
  return entry?.adxReplays ?? 0;
}
