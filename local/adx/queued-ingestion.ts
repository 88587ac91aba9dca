import type { DequeuedMessageItem } from "@azure/storage-queue";
import type { Catalog } from "../../kql/catalog";
import { downloadBlob } from "./blob-source";
import { AdxIngestionError } from "./errors";
import type { AdxFaults } from "./faults";
import { AdxIngestion, parseTagList } from "./ingestion";
import { IngestionBatches, type BatchItem } from "./ingestion-batches";
import type { IngestionResources } from "./ingestion-resources";
import type { AdxStore } from "./store";

/** The message azure-kusto-ingest posts to SecuredReadyForAggregationQueue (IngestionBlobInfo), base64 JSON. */
interface IngestionBlobInfo {
  Id?: string;
  BlobPath?: string;
  DatabaseName?: string;
  TableName?: string;
  ReportLevel?: number | null;   // 0 FailuresOnly (default), 1 DoNotReport, 2 FailuresAndSuccesses
  ReportMethod?: number | null;  // 0 Queue (default), 1 Table, 2 QueueAndTable
  RawDataSize?: number;
  AdditionalProperties?: Record<string, unknown>;
  IngestionStatusInTable?: Record<string, string> | null;
}

const MAX_ATTEMPTS = 5;       // transient failures: the service retries, then gives up with RetryAttemptsExceeded
const RETRY_AFTER_SECONDS = 0; // the real service backs off for minutes; here the next drain pass retries
const POLL_MS = 100;
const CONCURRENCY = 8;

/**
 * The queued half of ADX: drains the aggregation queue, reads each referenced blob, ingests it, and reports the
 * outcome where the message asked (failure/success queues in the SDK's status-message shape, the status table).
 */
export class QueuedIngestion {
  private running = false;
  private loop: Promise<void> | undefined;
  private busy = false;
  private wake: (() => void) | undefined;

  private readonly batches: IngestionBatches<IngestionBlobInfo>;

  constructor(
    private readonly resources: IngestionResources,
    private readonly ingestion: AdxIngestion,
    private readonly store: AdxStore,
    private readonly faults: AdxFaults,
    catalog: Catalog,
    private readonly log: (line: string) => void = () => {},
  ) {
    this.batches = new IngestionBatches(catalog, store, (items) => this.reportSealed(items), log);
  }

  /** A sealed batch: each of its ingestions succeeded (reported as each asked). */
  private async reportSealed(items: BatchItem<IngestionBlobInfo>[]): Promise<void> {
    await Promise.all(items.map((i) => this.report(i.source, "Succeeded")));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.batches.discard();
  }

  /**
   * Resolves when no message waits (visible or not), none is being processed, and every open batch is sealed: the
   * batches are sealed at once rather than after their batching time (a run's "seal now").
   */
  async idle(): Promise<void> {
    for (;;) {
      if (!this.busy) {
        const props = await this.resources.aggregationQueue.getProperties();
        if ((props.approximateMessagesCount ?? 0) === 0 && !this.busy) {
          await this.batches.sealAll();
          if (this.batches.pending === 0 && !this.busy) return;
        }
      }
      await sleep(POLL_MS / 2);
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      let messages: DequeuedMessageItem[] = [];
      this.busy = true;
      try {
        messages = (await this.resources.aggregationQueue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 300 })).receivedMessageItems;
        // Downloads and storage calls overlap; each ingestion itself is synchronous, so tag checks stay atomic.
        let next = 0;
        await Promise.all(
          Array.from({ length: Math.min(CONCURRENCY, messages.length) }, async () => {
            while (this.running && next < messages.length) {
              const m = messages[next++];
              await this.handle(m).catch((e: Error) => this.log(`adx emulator: message ${m.messageId} not settled: ${e.message}`));
            }
          }),
        );
      } catch (e) {
        if (this.running) this.log(`adx emulator: aggregation queue error: ${(e as Error).message}`);
      } finally {
        this.busy = false;
      }
      if (messages.length === 0 && this.running) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, POLL_MS);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
    }
  }

  private async handle(m: DequeuedMessageItem): Promise<void> {
    this.store.counters.queuedMessages++;
    let info: IngestionBlobInfo;
    try {
      info = JSON.parse(Buffer.from(m.messageText, "base64").toString("utf8"));
    } catch {
      this.log(`adx emulator: dropped an aggregation-queue message that is not base64 JSON (${m.messageId})`);
      this.store.counters.permanentFailures++;
      await this.resources.aggregationQueue.deleteMessage(m.messageId, m.popReceipt);
      return;
    }
    const blobPath = info.BlobPath ?? "";
    try {
      const injected = this.faults.roll();
      if (injected === "transient") {
        this.store.counters.injectedTransient++;
        throw new AdxIngestionError("ServiceUnavailable", "Injected transient ingestion failure (ADX emulator fault injection).", false);
      }
      if (injected === "permanent") {
        this.store.counters.injectedPermanent++;
        throw new AdxIngestionError("BadRequest_EmulatorInjectedFault", "Injected permanent ingestion failure (ADX emulator fault injection).");
      }
      if (!info.DatabaseName || !info.TableName || !blobPath) {
        throw new AdxIngestionError("BadRequest_InvalidIngestionProperty", "The ingestion message lacks DatabaseName, TableName or BlobPath.");
      }
      const props = info.AdditionalProperties ?? {};
      const request = {
        database: info.DatabaseName,
        table: info.TableName,
        format: String(props.format ?? "csv"),
        mapping: {
          reference: typeof props.ingestionMappingReference === "string" ? props.ingestionMappingReference : undefined,
          inline: typeof props.ingestionMapping === "string" ? props.ingestionMapping : undefined,
        },
        tags: parseTagList(props.tags, "tags"),
        ingestIfNotExists: parseTagList(props.ingestIfNotExists, "ingestIfNotExists"),
        sourceLocation: blobPath.split("?")[0],
        mode: "queued" as const,
        sourceId: info.Id ?? null,
      };
      this.ingestion.mappingFor(request.database, request.table, request.mapping); // target errors before download
      this.store.countIngestion(request.database, request.table);
      const data = await downloadBlob(blobPath, this.resources);
      const ingestByTag = request.tags.some((t) => t.startsWith("ingest-by:"));
      if (request.ingestIfNotExists.length > 0 || ingestByTag) {
        // ADX seals such an ingestion alone, at once (seal reasons SingleBlob_IngestIfNotExists / SingleBlob_IngestByTag).
        const outcome = this.ingestion.ingest({ ...request, data }, request.ingestIfNotExists.length > 0 ? "SingleBlob_IngestIfNotExists" : "SingleBlob_IngestByTag");
        if (outcome.status === "skipped") {
          // Not a quiet success: ADX reports the skip as a permanent failure of the ingestion.
          this.log(`adx emulator: skipped ${info.Id}: ${outcome.reason}`);
          await this.report(info, "Failed", {
            ErrorCode: "Skipped_IngestByTagAlreadyExists",
            FailureStatus: "Permanent",
            Details: `Skipped ingestion: an extent with the ingest-by tag '${outcome.tag}' already exists in ${request.database}.${request.table}.`,
            ShouldRetry: false,
          });
        } else await this.report(info, "Succeeded");
      } else {
        // Mapped now, so a bad blob fails on its own and never takes its batch down with it.
        const rows = this.ingestion.rows({ ...request, data });
        const lines = { lines: rows.map((r) => JSON.stringify(r) + "\n").join(""), count: rows.length };
        await this.batches.add(request.database, request.table, request.tags, { rows: lines, rawBytes: rawSize(info, data), sourceId: request.sourceId, source: info });
      }
      const tempBlob = this.resources.tempBlobName(blobPath);
      await Promise.all([
        this.resources.aggregationQueue.deleteMessage(m.messageId, m.popReceipt),
        tempBlob ? this.resources.tempContainer.deleteBlob(tempBlob).catch(() => undefined) : undefined, // temp storage is the service's to clean
      ]);
    } catch (e) {
      const err = e instanceof AdxIngestionError ? e : new AdxIngestionError("ServiceUnavailable", `Unexpected emulator error: ${(e as Error).message}`, false);
      if (!err.permanent && m.dequeueCount < MAX_ATTEMPTS) {
        this.store.counters.transientFailures++;
        // Back in the queue shortly: the real service retries transient failures itself.
        await this.resources.aggregationQueue.updateMessage(m.messageId, m.popReceipt, undefined, RETRY_AFTER_SECONDS);
        return;
      }
      const exhausted = !err.permanent;
      if (exhausted) this.store.counters.transientFailures++;
      else this.store.counters.permanentFailures++;
      await this.report(info, "Failed", {
        ErrorCode: exhausted ? "General_RetryAttemptsExceeded" : err.code,
        FailureStatus: exhausted ? "Exhausted" : "Permanent",
        Details: exhausted ? `Retry attempts exceeded; last error ${err.code}: ${err.message}` : `${err.code}: ${err.message}`,
        ShouldRetry: exhausted,
      });
      await this.resources.aggregationQueue.deleteMessage(m.messageId, m.popReceipt);
    }
  }

  /** Reports like the real service: queue messages per ReportLevel/ReportMethod, and the status-table row when asked. */
  private async report(
    info: IngestionBlobInfo,
    status: "Succeeded" | "Failed",
    failure?: { ErrorCode: string; FailureStatus: string; Details: string; ShouldRetry: boolean },
  ): Promise<void> {
    const level = info.ReportLevel ?? 0;
    const method = info.ReportMethod ?? 0;
    const now = new Date().toISOString();
    const base = {
      OperationId: info.Id ?? "",
      Database: info.DatabaseName ?? "",
      Table: info.TableName ?? "",
      IngestionSourceId: info.Id ?? "",
      IngestionSourcePath: (info.BlobPath ?? "").split(/[?;]/)[0],
      RootActivityId: info.Id ?? "",
    };
    if (method === 0 || method === 2) {
      if (status === "Failed" && (level === 0 || level === 2)) {
        const message = { ...base, FailedOn: now, Details: failure!.Details, ErrorCode: failure!.ErrorCode, FailureStatus: failure!.FailureStatus, OriginatesFromUpdatePolicy: false, ShouldRetry: failure!.ShouldRetry };
        await this.resources.failedQueue.sendMessage(statusMessageText(message));
        this.store.counters.failureMessagesPosted++;
      } else if (status === "Succeeded" && level === 2) {
        await this.resources.successQueue.sendMessage(statusMessageText({ ...base, SucceededOn: now }));
        this.store.counters.successMessagesPosted++;
      }
    }
    const row = info.IngestionStatusInTable;
    const partitionKey = row?.PartitionKey ?? row?.partitionKey;
    const rowKey = row?.RowKey ?? row?.rowKey;
    if ((method === 1 || method === 2) && partitionKey && rowKey) {
      await this.resources.statusTable
        .upsertEntity(
          { partitionKey, rowKey, Status: status, UpdatedOn: now, Details: failure?.Details ?? "", ErrorCode: failure?.ErrorCode ?? "", FailureStatus: failure?.FailureStatus ?? "" },
          "Merge",
        )
        .catch((e: Error) => this.log(`adx emulator: cannot update the ingestion status table: ${e.message}`));
    }
  }
}

/**
 * A status message as the queue holds it: base64 of JSON. azure-kusto-ingest decodes it as ASCII, not UTF-8, so any
 * character beyond ASCII (a name in Details) is written as a \uXXXX escape: still the same JSON, readable either way.
 */
export function statusMessageText(message: object): string {
  const json = JSON.stringify(message).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return Buffer.from(json, "ascii").toString("base64");
}

/** The uncompressed size the client declared (the SDK sends it), else the data's own size once decompressed. */
function rawSize(info: IngestionBlobInfo, data: Buffer): number {
  return typeof info.RawDataSize === "number" && info.RawDataSize > 0 ? info.RawDataSize : data.length;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
