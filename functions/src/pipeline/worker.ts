import { Tables } from "../../../kql/tables";
import type { TenantConfig } from "../config";
import type { ManagementActivityClient } from "../management-api";
import type { AdxIngestionSources, PostedSource } from "./adx-ingestion-sources";
import type { ContentLedger, ContentRef, IngestedFigures } from "./content-ledger";
import type { ContentMessage } from "./content-queue";
import type { EngineLog } from "./engine-log";
import { blobErrorRow, ledgerRow, quarantineRows, type LedgerStatus } from "./outcome-rows";
import { transformBlob } from "./transform";

/** What the worker needs of the ADX and Sentinel sinks. */
export interface RowSink {
  /** Resolves once ADX accepted the rows; queued ingestions name their source ids, in case ADX reports a failure later. */
  ingestRows(database: string, table: string, rows: Record<string, unknown>[], dedupTag: string): Promise<{ sources?: ReadonlyArray<{ sourceId: string; tag: string }> } | void>;
}
export interface MailAccessForwarder {
  send(rows: Record<string, unknown>[]): Promise<unknown>;
}

export interface WorkerTenant {
  config: TenantConfig;
  source: Pick<ManagementActivityClient, "fetchContent">;
}

/** Steps reported as the worker goes; a test throws from one to simulate a crash at exactly that point. */
export type WorkerStep =
  | { step: "fetched"; contentId: string; records: number; bytes: number }
  | { step: "rows-ingested"; contentId: string }
  | { step: "ledger-row-ingested"; contentId: string }
  | { step: "ledger-updated"; contentId: string; state: string };

export interface WorkerDeps {
  tenants: Map<string, WorkerTenant>;
  ledger: ContentLedger;
  adx: RowSink;
  sentinel?: MailAccessForwarder;
  /** Where the source id of every queued ingestion is recorded against its blob (ADX failure reports name only that). */
  sources?: AdxIngestionSources;
  maxDequeueCount: number;
  now?: () => Date;
  onStep?: (s: WorkerStep) => void | Promise<void>;
}

export type WorkerOutcome =
  | { status: "ingested"; figures: IngestedFigures & { duplicatesInBlob: number; bytes: number } }
  | { status: "skipped"; reason: string }
  | { status: "expired" | "failed"; code: string; reason: string };

export class UnknownTenantError extends Error {
  readonly code = "UnknownTenant";
  constructor(tenantId: string) {
    super(
      `Queue message for tenant ${tenantId}, which is not in AUDIT_LAKE_TENANTS: add the tenant back to the setting ` +
        `(its messages then land), or delete the messages from the queue if it was off-boarded on purpose.`,
    );
    this.name = "UnknownTenantError";
  }
}

/** Stage names recorded in ingestion_errors. */
const Stage = { fetch: "fetch", transform: "transform", ingest: "ingest", sentinel: "sentinel" } as const;

/**
 * The worker: one content blob from queue message to rows in ADX, exactly once.
 * Idempotent under replay: the ledger skips finished blobs, and every ADX ingestion carries the blob's contentId as its
 * ingestIfNotExists tag, so a crash between ingestion and the ledger update replays without duplicate rows.
 */
export class Worker {
  private readonly now: () => Date;

  constructor(private readonly deps: WorkerDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async ingest(msg: ContentMessage, dequeueCount: number, log: EngineLog): Promise<WorkerOutcome> {
    const { ledger, onStep } = this.deps;
    const tenant = this.deps.tenants.get(msg.tenantId.toLowerCase());
    if (!tenant) throw new UnknownTenantError(msg.tenantId);
    const db = tenant.config.database;
    const what = `${msg.tenantId} ${msg.contentType} ${msg.contentId}`;

    const entry = await ledger.get(msg);
    if (entry?.state === "ingested" || entry?.state === "expired") {
      log.info(`ingest ${what}: already ${entry.state}, nothing to do (replayed message)`);
      return { status: "skipped", reason: `already ${entry.state}` };
    }

    // Queued ingestions of this attempt; recorded before the ledger says "ingested", so a failure ADX reports later
    // always finds its blob. The generation tells a failure of this attempt from one a replay has superseded.
    const posted: PostedSource[] = [];
    const generation = entry?.adxReplays ?? 0;
    const send = async (table: string, rows: Record<string, unknown>[], tag: string) => collect(posted, table, await this.deps.adx.ingestRows(db, table, rows, tag));

    let stage: string = Stage.fetch;
    try {
      const fetched = await tenant.source.fetchContent(msg.contentUri);
      const { bytes } = fetched;
      const recordCount = fetched.records.length;
      await onStep?.({ step: "fetched", contentId: msg.contentId, records: recordCount, bytes });

      stage = Stage.transform;
      // Only the rows are kept past this point: the parsed records (as large again) can be collected during the uploads.
      const result = transformBlob(fetched.records.splice(0), msg);

      const figures = {
        records: recordCount,
        auditRows: result.auditRows.length,
        mailAccessRows: result.mailAccessRows.length,
        quarantinedRecords: result.quarantined.length,
      };

      stage = Stage.ingest;
      // The contentId is the dedup tag of each table: a replay of this blob lands nothing twice.
      if (result.auditRows.length) await send(Tables.unifiedAudit, result.auditRows, msg.contentId);
      // The audit rows hold the whole records (their Record column): the largest part of a blob, and done with.
      result.auditRows = [];
      if (result.mailAccessRows.length) await send(Tables.accessMail, result.mailAccessRows, msg.contentId);
      if (result.quarantined.length) {
        await send(Tables.errors, quarantineRows(msg, result.quarantined, this.now()), msg.contentId);
        log.warn(`ingest ${what}: ${result.quarantined.length} malformed record(s) quarantined in ${Tables.errors}; the rest of the blob lands`);
      }
      await onStep?.({ step: "rows-ingested", contentId: msg.contentId });
      stage = Stage.sentinel;
      if (this.deps.sentinel && result.mailAccessRows.length) await this.forward(msg, result.mailAccessRows, dequeueCount, send, log);

      stage = Stage.ingest;
      await send(Tables.ledger, [ledgerRow(msg, "ingested", { ...figures, duplicatesInBlob: result.duplicatesInBlob }, this.now())], msg.contentId);
      await onStep?.({ step: "ledger-row-ingested", contentId: msg.contentId });

      await this.deps.sources?.record(msg, db, posted, { generation, purpose: "rows", now: this.now() });
      await ledger.markIngested(msg, figures, dequeueCount, this.now());
      await onStep?.({ step: "ledger-updated", contentId: msg.contentId, state: "ingested" });
      log.info(`ingest ${what}: ${recordCount} records → ${figures.auditRows} audit rows, ${figures.mailAccessRows} mail-access rows`);
      return { status: "ingested", figures: { ...figures, duplicatesInBlob: result.duplicatesInBlob, bytes } };
    } catch (err) {
      const code = errorCode(err);
      const reason = (err as Error)?.message ?? String(err);
      if (stage === Stage.fetch && code === "AF20051") {
        await this.quarantine(tenant, msg, "expired", Stage.fetch, code, reason, dequeueCount, generation, log);
        return { status: "expired", code, reason };
      }
      // Errors that no retry can cure (a foreign contentUri, an oversized blob, a missing permission or mapping)
      // quarantine now; untyped errors are retried.
      const permanent = (err as { transient?: unknown })?.transient === false;
      if (permanent || dequeueCount >= this.deps.maxDequeueCount) {
        const why = permanent ? reason : `gave up after ${dequeueCount} attempt(s): ${reason}`;
        await this.quarantine(tenant, msg, "failed", stage, code, why, dequeueCount, generation, log);
        return { status: "failed", code, reason: why };
      }
      await ledger.recordAttempt(msg, code, reason, dequeueCount).catch(() => undefined);
      log.warn(`ingest ${what}: attempt ${dequeueCount} of ${this.deps.maxDequeueCount} failed at ${stage} [${code}]; the queue retries: ${reason}`);
      throw err;
    }
  }

  /**
   * Sentinel gets a copy of the mail-access rows for its analytics rules; ADX stays the system of record. A refusal no
   * retry can cure, or the last attempt, records the gap in ingestion_errors (Stage "sentinel") and lets the blob
   * count as ingested; a transient failure retries the blob (ADX dedups it; Sentinel may see the rows twice).
   */
  private async forward(
    msg: ContentRef,
    rows: Record<string, unknown>[],
    attempts: number,
    send: (table: string, rows: Record<string, unknown>[], tag: string) => Promise<void>,
    log: EngineLog,
  ): Promise<void> {
    try {
      await this.deps.sentinel!.send(rows);
    } catch (err) {
      const code = errorCode(err);
      const reason = (err as Error)?.message ?? String(err);
      if ((err as { transient?: unknown })?.transient !== false && attempts < this.deps.maxDequeueCount) {
        throw err;
      }
      const row = blobErrorRow(msg, Stage.sentinel, code, `${rows.length} mail-access row(s) not forwarded to Sentinel: ${reason}`, attempts, this.now());
      await send(Tables.errors, [row], `sentinel:${code}:${msg.contentId}`);
      log.error(`ingest ${msg.tenantId} ${msg.contentType} ${msg.contentId}: ${rows.length} mail-access row(s) not forwarded to Sentinel [${code}] (they are in ADX; recorded in ${Tables.errors}): ${reason}`);
    }
  }

  /**
   * The blob cannot land. Rows in ingestion_errors and ingestion_ledger make it visible next to the data; the ledger
   * entity makes it visible to health and stops further work. If ADX refuses the rows, the error is rethrown so the
   * queue retries (the rows carry a dedup tag); on the last attempt the ledger is updated anyway and the message goes
   * to the poison queue — recorded twice, never dropped.
   */
  private async quarantine(
    tenant: WorkerTenant,
    msg: ContentRef,
    status: Exclude<LedgerStatus, "ingested">,
    stage: string,
    code: string,
    reason: string,
    attempts: number,
    generation: number,
    log: EngineLog,
  ): Promise<void> {
    const what = `${msg.tenantId} ${msg.contentType} ${msg.contentId}`;
    const db = tenant.config.database;
    const tag = `${status}:${code}:${msg.contentId}`;
    const posted: PostedSource[] = [];
    let adxError: unknown;
    try {
      collect(posted, Tables.errors, await this.deps.adx.ingestRows(db, Tables.errors, [blobErrorRow(msg, stage, code, reason, attempts, this.now())], tag));
      collect(posted, Tables.ledger, await this.deps.adx.ingestRows(db, Tables.ledger, [ledgerRow(msg, status, undefined, this.now())], tag));
      await this.deps.sources?.record(msg, db, posted, { generation, purpose: "failure-record", now: this.now() });
    } catch (e) {
      adxError = e;
    }
    if (!adxError || attempts >= this.deps.maxDequeueCount) {
      if (status === "expired") await this.deps.ledger.markExpired(msg, code, reason, attempts, this.now());
      else await this.deps.ledger.markFailed(msg, code, reason, attempts, this.now());
      await this.deps.onStep?.({ step: "ledger-updated", contentId: msg.contentId, state: status });
      log.error(
        status === "expired"
          ? `ingest ${what}: content expired before it was fetched [${code}]; its records are lost and the gap is recorded in ${Tables.errors}. ${reason}`
          : `ingest ${what}: quarantined at ${stage} [${code}], recorded as failed in the ledger and ${Tables.errors}: ${reason}`,
      );
    }
    if (adxError) {
      log.error(`ingest ${what}: could not record the ${status} blob in ${Tables.errors} (${errorCode(adxError)}); the queue retries.`);
      throw adxError;
    }
  }
}

function collect(posted: PostedSource[], table: string, report: Awaited<ReturnType<RowSink["ingestRows"]>>): void {
  for (const s of report?.sources ?? []) posted.push({ table, sourceId: s.sourceId, tag: s.tag });
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === "string" && code) return code;
  return (err as Error)?.name || "Error";
}
