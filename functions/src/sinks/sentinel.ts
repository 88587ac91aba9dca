// Microsoft Sentinel sink: mail-access rows → the Logs Ingestion API (a DCR stream feeding a custom table), so
// scheduled analytics rules can use them. ADX stays the system of record; this copy is for alerting.
import type { TokenCredential } from "@azure/core-auth";
import { isAggregateLogsUploadError, LogsIngestionClient } from "@azure/monitor-ingestion";
// type only: kql/sentinel-stream reads kql/tables from disk, which the bundled Function App does not ship
import type { SentinelStream } from "../../../kql/sentinel-stream";
import { codeForStatus, isNetworkError, isTlsTrustError, isTransientStatus, SentinelSendError, type SinkErrorCode } from "./sink-error";

export interface SentinelSinkOptions {
  /** the Data Collection Endpoint's logs ingestion URI (https://<dce>.<region>.ingest.monitor.azure.com) */
  endpoint: string;
  dcrImmutableId: string;
  /** the DCR's stream, e.g. Custom-MicrosoftUnifiedAccessMail */
  streamName: string;
  credential: TokenCredential;
  /** PEM of a CA to trust instead of the public ones — only for the local emulator's per-run CA */
  ca?: string;
  /** parallel uploads per send (the client splits rows into ~1 MB requests); default 2 */
  maxConcurrency?: number;
  /** retries per request for 429/5xx/network inside the client before the send fails; default 3 */
  maxRetries?: number;
  /** the stream's declared columns; default every column of the row (the mail-access rows carry exactly the columns
   *  kql/sentinel-stream.ts declares) plus TimeGenerated */
  stream?: Pick<SentinelStream, "columns">;
}

/**
 * A mail-access row as the stream declares it: TimeGenerated from CreationTime (Log Analytics' time column), then the
 * ADX table's columns, CreationTime included (Log Analytics replaces a TimeGenerated older than two days with the
 * time it received the row, so CreationTime stays the record's own time).
 */
export function streamRow(stream: Pick<SentinelStream, "columns"> | undefined, row: Record<string, unknown>): Record<string, unknown> {
  if (!stream) return { TimeGenerated: row.CreationTime, ...row };
  const out: Record<string, unknown> = {};
  for (const c of stream.columns) out[c.name] = c.name === "TimeGenerated" ? row.CreationTime : row[c.name];
  return out;
}

export class SentinelSink {
  private readonly client: LogsIngestionClient;
  private readonly o: SentinelSinkOptions;
  private readonly stream: Pick<SentinelStream, "columns"> | undefined;

  constructor(o: SentinelSinkOptions) {
    this.o = o;
    this.stream = o.stream;
    this.client = new LogsIngestionClient(o.endpoint, o.credential, {
      // core-rest-pipeline's tlsPolicy puts `ca` on every request's TLS settings; without it a private CA fails
      // with SELF_SIGNED_CERT_IN_CHAIN. (The bearer policy refuses plain http outright, so local needs TLS.)
      ...(o.ca ? { tlsOptions: { ca: o.ca } } : {}),
      retryOptions: { maxRetries: o.maxRetries ?? 3 },
    });
  }

  /**
   * Uploads the rows; resolves once every request was accepted (HTTP 204). Throws SentinelSendError otherwise —
   * after a partial failure the rows that did land are not rolled back, so a retry may repeat them (Log Analytics
   * keeps duplicates; queries dedupe on RecordId + ItemId).
   */
  async send(rows: Record<string, unknown>[], opts: { signal?: AbortSignal } = {}): Promise<void> {
    if (rows.length === 0) return;
    try {
      await this.client.upload(this.o.dcrImmutableId, this.o.streamName, rows.map((r) => streamRow(this.stream, r)), {
        maxConcurrency: this.o.maxConcurrency ?? 2,
        abortSignal: opts.signal,
      });
    } catch (err) {
      throw this.sendError(err, rows.length);
    }
  }

  private sendError(err: unknown, total: number): SentinelSendError {
    const target = `stream ${this.o.streamName} of DCR ${this.o.dcrImmutableId} at ${this.o.endpoint}`;
    const causes: unknown[] = isAggregateLogsUploadError(err) ? err.errors.map((f) => f.cause) : [err];
    const failedRows = isAggregateLogsUploadError(err) ? err.errors.reduce((n, f) => n + f.failedLogs.length, 0) : total;

    // the least recoverable cause decides: one permanent refusal makes the whole send permanent
    let code: SinkErrorCode = "Unknown";
    let transient = true;
    let status: number | undefined;
    let detail = "";
    for (const cause of causes) {
      const c = cause as { statusCode?: number; code?: string; message?: string };
      const s = typeof c.statusCode === "number" ? c.statusCode : undefined;
      const untrusted = s === undefined && isTlsTrustError(cause);
      const causeCode: SinkErrorCode =
        s !== undefined ? codeForStatus(s) : untrusted ? "TlsUntrusted" : isNetworkError(cause) || c.code === "REQUEST_SEND_ERROR" ? "Network" : "Unknown";
      const causeTransient = s !== undefined ? isTransientStatus(s) : !untrusted;
      if (detail === "" || (transient && !causeTransient)) {
        code = causeCode;
        status = s;
        detail = (c.message ?? String(cause)).split("\n")[0];
      }
      if (!causeTransient) transient = false;
    }
    const advice =
      code === "Forbidden" ? `grant the Function's identity "Monitoring Metrics Publisher" on the DCR ${this.o.dcrImmutableId}.`
      : code === "EntityNotFound" ? "check SENTINEL_DCR_ID (the DCR's immutable id, dcr-…) and SENTINEL_STREAM (Custom-…)."
      : code === "BadRequest" ? "the rows do not match the DCR stream's declared columns: redeploy the DCR from the infra code."
      : code === "Unauthorized" ? "the token was refused: check the credential and the DCE's cloud (audience)."
      : code === "TlsUntrusted" ? "the endpoint's TLS certificate is not trusted: in Azure this should not happen (check SENTINEL_DCE_URI); locally pass the emulated cloud's CA as `ca`."
      : "retry later.";
    return new SentinelSendError(`Sentinel upload to ${target} failed for ${failedRows} of ${total} rows${status ? ` (HTTP ${status})` : ""}: ${detail} — ${advice}`, {
      code, transient, status, failedRows, cause: err,
    });
  }
}
