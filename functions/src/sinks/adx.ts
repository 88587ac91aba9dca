// Azure Data Explorer sink: rows → gzipped multijson → azure-kusto-ingest, with the content blob's id as the
// extent tag so a replayed blob lands nothing twice (queued ingestion's `ingestIfNotExists`).
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { DefaultAzureCredential } from "@azure/identity";
import { KustoConnectionStringBuilder } from "azure-kusto-data";
import {
  CompressionType,
  DataFormat,
  IngestClient,
  IngestionProperties,
  ReportLevel,
  ReportMethod,
  StreamDescriptor,
  StreamingIngestClient,
  type IngestionResult,
} from "azure-kusto-ingest";
import type { Readable } from "node:stream";
import { jsonMappingName } from "../../../kql/tables";
import { AdxFailureQueue } from "./adx-failures";
import { gzipRowChunks } from "./row-chunks";
import { AdxIngestError, codeForStatus, isNetworkError, isTlsTrustError, isTransientStatus } from "./sink-error";

export interface AdxSinkOptions {
  /** https://ingest-<cluster>.<region>.kusto.windows.net (a query URI works too), or http://127.0.0.1:P locally */
  ingestUri: string;
  /** default: a dummy token on loopback, DefaultAzureCredential (the Function's managed identity) elsewhere */
  credential?: TokenCredential;
  /** queued (default): batched, deduplicated by extent tag. streaming: seconds, but ADX ignores tags there */
  mode?: "queued" | "streaming";
  /** uncompressed size cap per ingestion; default 100 MB queued, 4 MB streaming (the service's streaming limit) */
  maxChunkBytes?: number;
  /** zlib level for the multijson payload; default 1 */
  gzipLevel?: number;
}

export interface AdxIngestReport {
  rows: number;
  chunks: number;
  rawBytes: number;
  gzipBytes: number;
  /** extent tags used, one per chunk: `${dedupTag}` for the first, `${dedupTag}#${i}` after */
  tags: string[];
  /**
   * Queued mode: one per chunk, the ingestion source id ADX names in its failure report should the chunk fail later
   * (after this call returned). Streaming mode: none (failures are thrown by the call itself).
   */
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
  tag: string;
  chunk: number;
}

const QUEUED_CHUNK_BYTES = 100 * 1024 * 1024;
const STREAMING_CHUNK_BYTES = 4 * 1024 * 1024;

/** A loopback emulator trusts any bearer token; the SDK still insists on asking for one. */
const loopbackCredential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({ token: "local-emulator", expiresOnTimestamp: Date.now() + 3600_000 }),
};

function isLoopback(uri: string): boolean {
  try {
    const host = new URL(uri).hostname;
    return host === "127.0.0.1" || host === "localhost" || host === "[::1]" || host === "::1";
  } catch {
    return false;
  }
}

type KustoIngestor = IngestClient | StreamingIngestClient;

export class AdxSink {
  readonly mode: "queued" | "streaming";
  private readonly client: KustoIngestor;
  private readonly maxChunkBytes: number;
  private readonly gzipLevel: number | undefined;
  private failures: AdxFailureQueue | undefined;

  constructor(opts: AdxSinkOptions) {
    this.mode = opts.mode ?? "queued";
    if (this.mode !== "queued" && this.mode !== "streaming") {
      throw new AdxIngestError(`ADX ingest mode '${String(opts.mode)}' is unknown: use "queued" or "streaming" (ADX_INGEST_MODE).`, { code: "BadRequest", transient: false });
    }
    let uri: URL;
    try {
      uri = new URL(opts.ingestUri);
    } catch {
      throw new AdxIngestError(`ADX ingest URI '${opts.ingestUri}' is not a URL: set ADX_INGEST_URI to https://ingest-<cluster>.<region>.kusto.windows.net.`, { code: "BadRequest", transient: false });
    }
    const credential = opts.credential ?? (isLoopback(opts.ingestUri) ? loopbackCredential : new DefaultAzureCredential());
    const kcsb = KustoConnectionStringBuilder.withTokenCredential(uri.origin, credential);
    this.client = this.mode === "streaming" ? new StreamingIngestClient(kcsb) : new IngestClient(kcsb);
    this.maxChunkBytes = opts.maxChunkBytes ?? (this.mode === "streaming" ? STREAMING_CHUNK_BYTES : QUEUED_CHUNK_BYTES);
    this.gzipLevel = opts.gzipLevel;
  }

  /**
   * Ingests `rows` (flat objects keyed by column name) into `database.table` through the table's JSON mapping.
   * Resolves when ADX accepted the data (queued: the blob and queue message are posted; the service ingests within
   * minutes). Replaying the same rows with the same tag is a no-op per chunk in queued mode.
   */
  async ingestRows(database: string, table: string, rows: Record<string, unknown>[], dedupTag: string): Promise<AdxIngestReport> {
    const report: AdxIngestReport = { rows: 0, chunks: 0, rawBytes: 0, gzipBytes: 0, tags: [], largeRows: 0, sources: [] };
    // ADX refuses empty data (BadRequest_NoRecordsOrWrongFormat): nothing to send is not an error
    if (rows.length === 0) return report;
    const mapping = jsonMappingName(table);
    for await (const chunk of gzipRowChunks(rows, { maxChunkBytes: this.maxChunkBytes, gzipLevel: this.gzipLevel })) {
      // chunk i of a blob always holds the same rows, so a replay meets its own tag and is skipped per chunk
      const tag = chunk.index === 0 ? dedupTag : `${dedupTag}#${chunk.index}`;
      const props = new IngestionProperties({
        database,
        table,
        format: DataFormat.MULTIJSON,
        ingestionMappingReference: mapping,
        // the service reads ingestIfNotExists as a JSON array of tags
        ingestIfNotExists: JSON.stringify([tag]),
        ingestByTags: [tag],
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
        throw adxError(err, { database, table, mapping, mode: this.mode, chunk: chunk.index });
      }
      if (this.mode === "queued") {
        // The SDK gives the queue message its own source id (not the descriptor's) and returns it in the status.
        const sourceId = (await result?.getIngestionStatusCollection())?.IngestionSourceId;
        if (sourceId) report.sources.push({ sourceId: sourceId.toLowerCase(), tag, chunk: chunk.index });
      }
      report.rows += chunk.rows;
      report.chunks++;
      report.rawBytes += chunk.rawBytes;
      report.gzipBytes += chunk.gzip.length;
      report.largeRows += chunk.largeRows;
      report.tags.push(tag);
    }
    return report;
  }

  /** The cluster's failure reports for queued ingestions; undefined in streaming mode (its failures are thrown). */
  failureQueue(): AdxFailureQueue | undefined {
    if (!(this.client instanceof IngestClient)) return undefined;
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
  mode: "queued" | "streaming";
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
  const where = `${t.database}.${t.table} (${t.mode} ingestion, chunk ${t.chunk})`;
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
