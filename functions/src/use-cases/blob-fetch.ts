// One content blob fetched and turned into rows — or its fate decided without touching its neighbours: expired
// (AF20051), quarantined (a failure no retry can cure, or the last attempt), or re-queued alone (transient).
import { Tables } from "../../../kql/tables";
import { AfCodes, type ManagementActivityClient } from "../management-api";
import { failureCode, failureReason, isPermanent, isServiceError } from "../service-error";
import type { QueuedBlob } from "../state/content-queue";
import type { PartTable } from "./message-part";
import { blobErrorRow, quarantineRows } from "../transform/outcome-rows";
import { transformBlob } from "../transform/transform";
import { Stage, type LandingBlob } from "./blob-outcome";
import type { PipelineLog } from "./engine-log";

type Rows = Record<string, unknown>[];

/** One blob of the message on its way: its rows once fetched, or why it will not land in this attempt. */
export interface BlobWork extends LandingBlob {
  blob: QueuedBlob;
  auditRows: Rows;
  mailAccessRows: Rows;
  errorRows: Rows;
  /** what a re-queued blob failed with, and at which stage: the message's own failure when every blob of it failed so */
  error?: unknown;
  failedAt?: string;
}

export interface BlobFetchContext {
  source: Pick<ManagementActivityClient, "fetchContent">;
  maxDequeueCount: number;
  now: () => Date;
  onFetched?: (s: { contentId: string; records: number; bytes: number }) => void | Promise<void>;
}

/** Fetches and transforms one blob; a failure decides the blob's fate without touching its neighbours. */
export async function fetchBlob(w: BlobWork, ctx: BlobFetchContext, log: PipelineLog): Promise<void> {
  const { blob } = w;
  let stage: string = Stage.fetch;
  try {
    // A contentUri other than the blob's own feed path (a forged claim in the ledger) is refused, not fetched.
    const fetched = await ctx.source.fetchContent(blob.contentUri, { contentId: blob.contentId });
    const { bytes } = fetched;
    const records = fetched.records.length;
    await ctx.onFetched?.({ contentId: blob.contentId, records, bytes });
    stage = Stage.transform;
    // Only the rows are kept past this point: the parsed records (as large again) can be collected meanwhile.
    const result = transformBlob(fetched.records.splice(0), blob);
    w.auditRows = result.auditRows;
    w.mailAccessRows = result.mailAccessRows;
    if (result.quarantined.length) {
      w.errorRows = quarantineRows(blob, result.quarantined, ctx.now());
      log.warn(`ingest ${blob.tenantId} ${blob.contentType} ${blob.contentId}: ${result.quarantined.length} malformed record(s) quarantined in ${Tables.errors}; the rest of the blob lands`, {
        tenant: blob.tenantId,
        contentType: blob.contentType,
        contentId: blob.contentId,
        stage: Stage.transform,
        outcome: "recordsQuarantined",
        code: "MalformedRecord",
        attempt: w.attempts,
        records: result.quarantined.length,
      });
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
    } else if (isPermanent(err) || w.attempts >= ctx.maxDequeueCount) {
      // Errors that no retry can cure (a foreign contentUri, an oversized blob, a missing permission) quarantine now.
      const why = isPermanent(err) ? reason : `gave up after ${w.attempts} attempt(s): ${reason}`;
      w.outcome = { contentId: blob.contentId, status: "failed", code, reason: why };
    } else {
      w.outcome = { contentId: blob.contentId, status: "requeued", code, reason };
      w.error = err;
      w.failedAt = stage;
      return;
    }
    w.errorRows = [blobErrorRow(blob, stage, code, w.outcome.reason, w.attempts, ctx.now())];
  }
}

/** A blob's rows per table, released from the blob as they are taken (memory: the part holds them compressed). */
export function takeRows(w: BlobWork): Record<PartTable, Rows> {
  const rows = { [Tables.unifiedAudit]: w.auditRows, [Tables.accessMail]: w.mailAccessRows, [Tables.errors]: w.errorRows };
  w.auditRows = [];
  w.mailAccessRows = [];
  w.errorRows = [];
  return rows;
}
