// What ADX reports after the fact about queued ingestions: the FailedIngestionsQueue, read through azure-kusto-ingest's
// IngestStatusQueues. Queued ingestion "succeeds" once the data blob and its queue message are posted; a mapping
// missing after a bad deploy, a malformed blob or retries ADX gave up on surface only here, minutes later.
import { QueueClient, type DequeuedMessageItem } from "@azure/storage-queue";
import { IngestStatusQueues, type IngestClient } from "azure-kusto-ingest";

/** One failure report, in the fields of the SDK's FailureMessage status class. */
export interface AdxIngestionFailure {
  /** the ingestion's source id: what IngestClient returned as IngestionSourceId when the data was posted */
  sourceId: string;
  database: string;
  table: string;
  /** ADX's ingestion error code, e.g. BadRequest_MappingReferenceWasNotFound, General_RetryAttemptsExceeded */
  errorCode: string;
  details: string;
  /** as ADX wrote it: Permanent, Transient, Exhausted (RetryAttemptsExceeded in the diagnostic logs) */
  failureStatus: string;
  shouldRetry: boolean;
  originatesFromUpdatePolicy: boolean;
  failedOn: string;
  /** Whether retrying the same data can never succeed (ADX said Permanent); false: a replay may land it. */
  permanent: boolean;
}

export type ReceivedFailure =
  | { kind: "failure"; failure: AdxIngestionFailure; deliveries: number; settle(): Promise<void> }
  /** a message the SDK's status class could not read: logged with its text, then settled */
  | { kind: "unreadable"; text: string; error: string; deliveries: number; settle(): Promise<void> };

/** Reads ADX's status fields the way a failure must be acted on: a permanent failure fails the blob, anything else replays it. */
export function isPermanentFailure(f: { FailureStatus?: unknown; ErrorCode?: unknown; ShouldRetry?: unknown }): boolean {
  // The service writes the enum's name; the numbers are Kusto.Ingest's FailureStatus values, in case a writer sends those.
  const status = String(f.FailureStatus ?? "").trim().toLowerCase();
  if (status === "permanent" || status === "1") return true;
  if (["transient", "exhausted", "retryattemptsexceeded", "2", "3"].includes(status)) return false;
  if (f.ErrorCode === "General_RetryAttemptsExceeded") return false;
  return f.ShouldRetry !== true && String(f.ShouldRetry).toLowerCase() !== "true";
}

const PAGE = 32;

/**
 * The cluster's FailedIngestionsQueue(s). Reports are received, not popped: each stays hidden (the queue's 30 s
 * visibility timeout) until `settle()` deletes it, so a process that dies mid-way leaves it for the next run instead of
 * losing it. `IngestStatusQueues.failure.pop()` would delete each report before it was acted on.
 */
export class AdxFailureQueue {
  private readonly status: IngestStatusQueues;

  constructor(client: IngestClient) {
    this.status = new IngestStatusQueues(client);
  }

  /** Up to `max` reports now waiting (each at most once per call); fewer when the queue runs dry. */
  async receive(max: number): Promise<ReceivedFailure[]> {
    const failure = this.status.failure;
    const seen = new Set<string>();
    const out: ReceivedFailure[] = [];
    while (out.length < max) {
      // pop(n) takes at most ⌊n / queues⌋ messages per queue per call, so ask for a page and loop until empty
      const batch = (await failure.pop(Math.min(PAGE, max - out.length), { raw: true, remove: false })) as unknown as DequeuedMessageItem[];
      const fresh = batch.filter((m) => m?.messageId && !seen.has(m.messageId));
      if (fresh.length === 0) break;
      for (const m of fresh) {
        seen.add(m.messageId);
        const settle = () => this.delete(m);
        const deliveries = m.dequeueCount ?? 1;
        try {
          const msg = failure.deserializeMessage(m) as Record<string, unknown>;
          out.push({ kind: "failure", failure: toFailure(msg), deliveries, settle });
        } catch (e) {
          out.push({ kind: "unreadable", text: decode(m.messageText), error: (e as Error).message, deliveries, settle });
        }
      }
    }
    return out;
  }

  /** Deletes a received report from whichever failure queue holds it (the service may list several). */
  private async delete(m: DequeuedMessageItem): Promise<void> {
    const queues = (await this.status.failure.getQueuesFunc()) ?? [];
    let lastError: unknown;
    for (const q of queues) {
      try {
        await new QueueClient(q.uri).deleteMessage(m.messageId, m.popReceipt);
        return;
      } catch (e) {
        // 404: not this queue (or another reader settled it already)
        if ((e as { statusCode?: number }).statusCode === 404) continue;
        lastError = e;
      }
    }
    if (lastError) throw lastError;
  }
}

function toFailure(msg: Record<string, unknown>): AdxIngestionFailure {
  const text = (v: unknown) => (v === undefined || v === null ? "" : String(v));
  return {
    sourceId: text(msg.IngestionSourceId).toLowerCase(),
    database: text(msg.Database),
    table: text(msg.Table),
    errorCode: text(msg.ErrorCode) || "Unknown",
    details: text(msg.Details),
    failureStatus: text(msg.FailureStatus),
    shouldRetry: msg.ShouldRetry === true || text(msg.ShouldRetry).toLowerCase() === "true",
    originatesFromUpdatePolicy: msg.OriginatesFromUpdatePolicy === true || text(msg.OriginatesFromUpdatePolicy).toLowerCase() === "true",
    failedOn: text(msg.FailedOn),
    permanent: isPermanentFailure(msg),
  };
}

function decode(messageText: string): string {
  try {
    return Buffer.from(messageText, "base64").toString("utf8").slice(0, 2000);
  } catch {
    return messageText.slice(0, 2000);
  }
}
