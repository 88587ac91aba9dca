// Azure Data Explorer sink: rows → gzipped multijson → azure-kusto-ingest's queued ingestion. No extent tags: ADX
// batches untagged ingestions by the table's batching policy (an ingest-by tag would seal each alone), and the
// `_dedup` materialized views keep a replayed record once.
import type { TokenCredential } from "@azure/core-auth";
import { KustoConnectionStringBuilder } from "azure-kusto-data";
import { CompressionType, DataFormat, IngestClient, IngestionProperties, ReportLevel, ReportMethod, StreamDescriptor, type IngestionResult } from "azure-kusto-ingest";
import type { Readable } from "node:stream";
import { jsonMappingName } from "../../../kql/tables";
import { AdxFailureQueue } from "./adx-failures";
import { GzipRowWriter, type RowChunk } from "./row-chunks";
import { AdxIngestError, codeForStatus, isNetworkError, isTlsTrustError, isTransientStatus } from "./sink-error";

export interface AdxSinkOptions {
  /** https://ingest-<cluster>.<region>.kusto.windows.net (a query URI works too), or http://127.0.0.1:P locally */
  ingestUri: string;
  /** the engine's platform credential (the Function's managed identity in Azure) */
  credential: TokenCredential;
  /** uncompressed size cap per ingestion; default 100 MB (ADX's recommended upper size of one queued ingestion) */
  maxChunkBytes?: number;
  /** zlib level for the multijson payload; default 1 */
  gzipLevel?: number;
}

export interface AdxIngestReport {
  rows: number;
  chunks: number;
  rawBytes: number;
  gzipBytes: number;
  /** One per chunk: the ingestion source id ADX names in its failure report should the chunk fail later (after this call returned). */
  sources: AdxIngestionSource[];
  /**
   * rows serialised above 1 MB: their `Record` exceeds ADX's default 1 MB limit for a dynamic value and lands as
   * NULL unless the column's encoding policy is BigObject (the kql/ scripts set it). Counted so the caller can warn.
   */
  largeRows: number;
}

/** A queued ingestion ADX has accepted for later: how its failure report, if any, is traced back to the rows. */
export interface AdxIngestionSource {
  sourceId: string;
  chunk: number;
}

const QUEUED_CHUNK_BYTES = 100 * 1024 * 1024;

export class AdxSink {
  private readonly client: IngestClient;
  private readonly maxChunkBytes: number;
  private readonly gzipLevel: number | undefined;
  private failures: AdxFailureQueue | undefined;

  constructor(opts: AdxSinkOptions) {
    let uri: URL;
    try {
      uri = new URL(opts.ingestUri);
    } catch {
      throw new AdxIngestError(`ADX ingest URI '${opts.ingestUri}' is not a URL: set ADX_INGEST_URI to https://ingest-<cluster>.<region>.kusto.windows.net.`, { code: "BadRequest", transient: false });
    }
    const kcsb = KustoConnectionStringBuilder.withTokenCredential(uri.origin, opts.credential);
    this.client = new IngestClient(kcsb);
    this.maxChunkBytes = opts.maxChunkBytes ?? QUEUED_CHUNK_BYTES;
    this.gzipLevel = opts.gzipLevel;
  }

  /**
   * Ingests `rows` (flat objects keyed by column name) into `database.table` through the table's JSON mapping.
   * Resolves when ADX accepted the data (the blob and queue message are posted; the service ingests them with the
   * table's next batch). One ingestion per 100 MB chunk of rows.
   */
  async ingestRows(database: string, table: string, rows: Record<string, unknown>[]): Promise<AdxIngestReport> {
    const writer = this.rowWriter();
    await writer.write(rows);
    return this.ingestChunks(database, table, await writer.finish());
  }

  /** A writer that compresses rows as they come, into chunks this sink's `ingestChunks` takes. */
  rowWriter(): GzipRowWriter {
    return new GzipRowWriter({ maxChunkBytes: this.maxChunkBytes, gzipLevel: this.gzipLevel });
  }

  /** Ingests chunks written by `rowWriter()` into `database.table`: one queued ingestion per chunk. */
  async ingestChunks(database: string, table: string, chunks: readonly RowChunk[]): Promise<AdxIngestReport> {
    const report: AdxIngestReport = { rows: 0, chunks: 0, rawBytes: 0, gzipBytes: 0, largeRows: 0, sources: [] };
    const mapping = jsonMappingName(table);
    for (const chunk of chunks) {
      // ADX refuses empty data (BadRequest_NoRecordsOrWrongFormat): nothing to send is not an error
      if (chunk.rows === 0) continue;
      const props = new IngestionProperties({
        database,
        table,
        format: DataFormat.MULTIJSON,
        ingestionMappingReference: mapping,
        // A queued ingestion can still fail after this call returns: ADX then posts a report on its
        // FailedIngestionsQueue, which AdxFailureQueue reads (the SDK's defaults, spelled out because we rely on them).
        reportLevel: ReportLevel.FailuresOnly,
        reportMethod: ReportMethod.Queue,
      });
      // a Buffer, not a Readable: queued ingestion can then retry the upload on another container
      const descriptor = new StreamDescriptor(chunk.gzip as unknown as Readable, null, CompressionType.GZIP, chunk.rawBytes);
      let result: IngestionResult | undefined;
      try {
        result = await this.client.ingestFromStream(descriptor, props);
      } catch (err) {
        throw adxError(err, { database, table, mapping, chunk: chunk.index });
      }
      // The SDK gives the queue message its own source id (not the descriptor's) and returns it in the status.
      const sourceId = (await result?.getIngestionStatusCollection())?.IngestionSourceId;
      if (sourceId) report.sources.push({ sourceId: sourceId.toLowerCase(), chunk: chunk.index });
      report.rows += chunk.rows;
      report.chunks++;
      report.rawBytes += chunk.rawBytes;
      report.gzipBytes += chunk.gzip.length;
      report.largeRows += chunk.largeRows;
    }
    return report;
  }

  /** The cluster's failure reports for queued ingestions. */
  failureQueue(): AdxFailureQueue {
    this.failures ??= new AdxFailureQueue(this.client);
    return this.failures;
  }

  async close(): Promise<void> {
    this.client.close();
  }
}

interface IngestTarget {
  database: string;
  table: string;
  mapping: string;
  chunk: number;
}

interface HttpLikeError {
  response?: { status?: number; data?: unknown };
  name?: string;
  message?: string;
}

/** The service's `{"error":{"code","message","@permanent"}}` body, if the error carries one. */
function serviceError(data: unknown): { code?: string; message?: string; permanent?: boolean } {
  let body = data;
  if (typeof data === "string") {
    try {
      body = JSON.parse(data);
    } catch {
      return { message: data.slice(0, 500) };
    }
  }
  const e = (body as { error?: Record<string, unknown> } | null)?.error;
  if (!e || typeof e !== "object") return {};
  return {
    code: typeof e.code === "string" ? e.code : undefined,
    message: typeof e["@message"] === "string" ? e["@message"] : typeof e.message === "string" ? e.message : undefined,
    permanent: typeof e["@permanent"] === "boolean" ? e["@permanent"] : undefined,
  };
}

/** Maps whatever the SDK threw to an AdxIngestError whose message says what is wrong and what to do. */
function adxError(err: unknown, t: IngestTarget): AdxIngestError {
  if (err instanceof AdxIngestError) return err;
  const e = (err ?? {}) as HttpLikeError;
  const where = `${t.database}.${t.table} (queued ingestion, chunk ${t.chunk})`;
  // the SDK appends the inner error's stack to its messages: keep the first line only
  const text = (typeof e.message === "string" ? e.message : String(err)).split("\n")[0].trim();

  if (e.name === "ThrottlingError") {
    return new AdxIngestError(`ADX throttled ingestion into ${where}; retry later.`, { code: "Throttled", transient: true, status: 429, cause: err });
  }
  // queued ingestion wraps the management call's failure in a message; the status survives only as text
  const status = e.response?.status ?? statusInMessage(text);
  if (status !== undefined) {
    const svc = serviceError(e.response?.data);
    const serviceCode = svc.code;
    const detail = svc.message ?? text;
    if (serviceCode && /Mapping/i.test(serviceCode) && /NotFound/i.test(serviceCode)) {
      return new AdxIngestError(
        `ADX has no ingestion mapping '${t.mapping}' on ${t.database}.${t.table}: apply kql/tables/${t.table}.kql to the database (it creates the mapping), then retry. Service said: ${detail}`,
        { code: "MappingNotFound", transient: false, status, serviceCode, cause: err },
      );
    }
    if (status === 404 || (serviceCode && /EntityNotFound|DatabaseNotExist|TableNotExist/i.test(serviceCode))) {
      return new AdxIngestError(
        `ADX has no database or table ${t.database}.${t.table}: check the tenant's "database" in AUDIT_LAKE_TENANTS and apply kql/tables/*.kql to it. Service said: ${detail}`,
        { code: "EntityNotFound", transient: false, status, serviceCode, cause: err },
      );
    }
    const code = codeForStatus(status);
    const transient = svc.permanent !== undefined ? !svc.permanent : isTransientStatus(status);
    const advice =
      code === "Forbidden" ? `grant the Function's identity the "Database Ingestor" role on database ${t.database}.`
      : code === "Unauthorized" ? "the token was refused: check the credential and that ADX_INGEST_URI names the cluster the identity is registered for."
      : transient ? "retry later."
      : "the payload was refused; this is a bug or a schema drift between kql/ and the cluster — re-apply kql/ and report it.";
    return new AdxIngestError(`ADX ingestion into ${where} failed with HTTP ${status}${serviceCode ? ` ${serviceCode}` : ""}: ${detail} — ${advice}`, {
      code, transient, status, serviceCode, cause: err,
    });
  }
  if (isTlsTrustError(err)) {
    return new AdxIngestError(`ADX's TLS certificate for ${where} does not verify: ${text} — check ADX_INGEST_URI names the cluster's own host.`, { code: "TlsUntrusted", transient: false, cause: err });
  }
  // queued ingestion's management call loses the socket error object; only its text survives
  if (isNetworkError(err) || /ECONNREFUSED|ECONNRESET|ETIMEDOUT|socket hang up|timeout of \d+ms exceeded/.test(text)) {
    return new AdxIngestError(`ADX did not answer for ${where}: ${text} — check ADX_INGEST_URI and the network; retry later.`, { code: "Network", transient: true, cause: err });
  }
  if (/Failed to upload to blob|Failed to send message to queue|Failed to get (queues|containers)/.test(text)) {
    return new AdxIngestError(`ADX's ingestion storage did not take the data for ${where}: ${text} — retry later.`, { code: "StorageUnavailable", transient: true, cause: err });
  }
  if (e.name === "KustoAuthenticationError") {
    return new AdxIngestError(`No token for ADX (${where}): ${text} — check the Function's managed identity or the configured credential.`, { code: "Unauthorized", transient: true, cause: err });
  }
  return new AdxIngestError(`ADX ingestion into ${where} failed: ${text}`, { code: "Unknown", transient: true, cause: err });
}

function statusInMessage(text: string): number | undefined {
  const m = /status code (\d{3})/.exec(text);
  return m ? Number(m[1]) : undefined;
}
