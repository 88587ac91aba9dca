import type { TenantConfig } from "../config";
import { ServiceError, failureCode, failureReason, isPermanent } from "../service-error";
import type { ManagementActivityClient } from "../management-api";
import type { MailAccessForwarder, RowSink } from "../sinks/row-sink";
import type { AdxIngestionSources } from "../state/adx-ingestion-sources";
import type { ContentLedger, LedgerEntry } from "../state/content-ledger";
import type { ContentMessage, ContentQueue, QueuedBlob } from "../state/content-queue";
import { contentRef } from "../state/content-ref";
import { fetchBlob, takeRows, type BlobFetchContext, type BlobWork } from "./blob-fetch";
import { Stage, type BlobOutcome } from "./blob-outcome";
import { forEachConcurrent } from "./concurrency";
import { pipelineLog, type EngineLog } from "./engine-log";
import { MessagePart } from "./message-part";
import { RowLanding, type LandingStep } from "./row-landing";

// Contracts and outcomes other code imported from here before they got their own modules.
export type { MailAccessForwarder, RowSink };
export type { BlobOutcome };

export interface WorkerTenant {
  config: TenantConfig;
  source: Pick<ManagementActivityClient, "fetchContent">;
}

/** Steps reported as the worker goes; a test throws from one to simulate a crash at exactly that point. */
export type WorkerStep = { step: "fetched"; contentId: string; records: number; bytes: number } | LandingStep;

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

/**
 * The worker: one queue message of several content blobs to rows in ADX. The blobs are fetched a few at a time, their
 * rows compressed as each arrives, and sent to ADX in one ingestion per table for the whole message (ADX then batches
 * messages by the tables' batching policies) — or, when a message's compressed rows pass `partBytes`, in parts of
 * whole blobs, each landed (row-landing.ts: rows, ledger rows, ledger entries) before the next, so memory stays
 * bounded. At least once: a crash or retry re-sends the rows of blobs the ledger does not show finished, and the
 * `_dedup` materialized views keep each record once. One blob that cannot be fetched never fails its neighbours
 * (blob-fetch.ts): it is quarantined (expired, refused) or re-queued alone (transient).
 */
export class Worker {
  private readonly now: () => Date;
  private readonly landing: RowLanding;

  constructor(private readonly deps: WorkerDeps) {
    this.now = deps.now ?? (() => new Date());
    this.landing = new RowLanding({ ...deps, now: this.now });
  }

  async ingest(msg: ContentMessage, dequeueCount: number, hostLog: EngineLog): Promise<BlobOutcome[]> {
    const log = pipelineLog(hostLog);
    const { ledger } = this.deps;
    const tenantId = msg.blobs[0].tenantId;
    const about = (b: QueuedBlob) => ({ tenant: b.tenantId, contentType: b.contentType, contentId: b.contentId });
    const tenant = this.deps.tenants.get(tenantId.toLowerCase());
    if (!tenant) throw new UnknownTenantError(tenantId);
    const db = tenant.config.database;

    const entries = await ledger.getMany(msg.blobs);
    const outcomes: BlobOutcome[] = [];
    const work: BlobWork[] = [];
    for (const blob of msg.blobs) {
      const entry = entries.get(blob.contentId);
      if (entry?.state === "ingested" || entry?.state === "expired") {
        log.info(`ingest ${blob.tenantId} ${blob.contentType} ${blob.contentId}: already ${entry.state}, nothing to do (replayed message)`, {
          ...about(blob),
          stage: Stage.ingest,
          outcome: "skipped",
          state: entry.state,
          attempt: dequeueCount,
        });
        outcomes.push({ contentId: blob.contentId, status: "skipped", reason: `already ${entry.state}` });
        continue;
      }
      work.push({ blob, attempts: (blob.priorAttempts ?? 0) + dequeueCount, generation: generationOf(entry), auditRows: [], mailAccessRows: [], errorRows: [] });
    }
    if (work.length === 0) return outcomes;

    const budget = this.deps.partBytes ?? MESSAGE_PART_BYTES;
    // Only a tenant that forwards keeps its mail-access rows for Sentinel: the destination is that tenant's workspace.
    const forwards = this.deps.sentinel !== undefined && tenant.config.forwardMailAccess;
    const newPart = () => new MessagePart<BlobWork>(() => this.deps.adx.rowWriter(), forwards);
    let open = newPart();
    const landed = new Set<BlobWork>();
    let landing: Promise<void> = Promise.resolve();
    // Parts land one at a time, in order, while the next part fills.
    const landPart = (part: MessagePart<BlobWork>) => {
      landing = landing.then(async () => {
        await this.landing.land(db, part, dequeueCount, log);
        for (const w of part.blobs) landed.add(w);
      });
      return landing;
    };

    const { onStep } = this.deps;
    const fetching: BlobFetchContext = {
      source: tenant.source,
      maxDequeueCount: this.deps.maxDequeueCount,
      now: this.now,
      onFetched: onStep && ((s) => onStep({ step: "fetched", ...s })),
    };
    let failure: { err: unknown } | undefined;
    try {
      await forEachConcurrent(work, this.deps.fetchConcurrency ?? FETCH_CONCURRENCY, async (w) => {
        await fetchBlob(w, fetching, log);
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
        log.warn(`ingest ${tenantId}: attempt ${dequeueCount} of ${this.deps.maxDequeueCount} failed for all ${retry.length} blob(s) of the message; the queue retries: ${first.reason}`, {
          tenant: tenantId,
          stage: retry[0].failedAt ?? Stage.fetch,
          outcome: "messageRetried",
          code: first.code,
          attempt: dequeueCount,
          blobs: retry.length,
        });
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
        log.error(`ingest ${tenantId}: ${unlanded.length} blob(s) failed at ${Stage.ingest} [${code}], recorded as failed in the ledger; the message goes to the poison queue: ${reason}`, {
          tenant: tenantId,
          stage: Stage.ingest,
          outcome: "failed",
          code,
          attempt: dequeueCount,
          blobs: unlanded.length,
        });
      } else {
        await Promise.all(unlanded.map((w) => ledger.recordAttempt(w.blob, code, reason, w.attempts).catch(() => undefined)));
        log.warn(`ingest ${tenantId}: attempt ${dequeueCount} of ${this.deps.maxDequeueCount} failed at ${Stage.ingest} [${code}]; the queue retries: ${reason}`, {
          tenant: tenantId,
          stage: Stage.ingest,
          outcome: "messageRetried",
          code,
          attempt: dequeueCount,
          blobs: unlanded.length,
        });
      }
      throw err;
    }

    // Only now, with the landed blobs recorded, do the transient failures go back to the queue: alone, attempts kept.
    if (retry.length) {
      await this.deps.queue.enqueue(retry.map((w) => ({ ...contentRef(w.blob), priorAttempts: w.attempts })));
      for (const w of retry) {
        const o = w.outcome as Extract<BlobOutcome, { status: "requeued" }>;
        await ledger.recordAttempt(w.blob, o.code, o.reason, w.attempts).catch(() => undefined);
        log.warn(`ingest ${w.blob.tenantId} ${w.blob.contentType} ${w.blob.contentId}: attempt ${w.attempts} of ${this.deps.maxDequeueCount} failed [${o.code}]; re-queued alone: ${o.reason}`, {
          ...about(w.blob),
          stage: w.failedAt ?? Stage.fetch,
          outcome: "requeued",
          code: o.code,
          attempt: w.attempts,
        });
      }
    }
    for (const w of work) outcomes.push(w.outcome!);
    return outcomes;
  }
}

function generationOf(entry: LedgerEntry | undefined): number {
  return entry?.adxReplays ?? 0;
}
