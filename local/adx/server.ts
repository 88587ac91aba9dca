import type { IncomingMessage, ServerResponse } from "node:http";
import { gunzipSync } from "node:zlib";
import type { Catalog } from "../../kql/catalog";
import { downloadBlob } from "./blob-source";
import { runControlCommand, v1Response } from "./control-commands";
import { AdxIngestionError, oneApiErrorBody } from "./errors";
import type { AdxFaults } from "./faults";
import type { AdxIngestion } from "./ingestion";
import type { IngestionResources } from "./ingestion-resources";
import type { AdxStore } from "./store";

/** ADX's streaming ingestion limit (uncompressed); larger batches belong to queued ingestion. */
export const MAX_STREAMING_BYTES = 4 * 1024 * 1024;
const MAX_MGMT_BYTES = 1024 * 1024;

// What a public-cloud cluster answers; the SDK reads AzureAD and asks its credential for
// "<KustoServiceResourceId>/.default". A 404 would make it fall back to the same defaults.
const AUTH_METADATA = {
  AzureAD: {
    LoginEndpoint: "https://login.microsoftonline.com",
    LoginMfaRequired: false,
    KustoClientAppId: "db662dc1-0cfe-4e1c-a843-19a68e65be58",
    KustoClientRedirectUri: "https://microsoft/kustoclient",
    KustoServiceResourceId: "https://kusto.kusto.windows.net",
    FirstPartyAuthorityUrl: "https://login.microsoftonline.com/f8cdef31-a31e-4b4a-93e4-5f571e91255a",
  },
  dSTS: null,
};

export interface AdxRequestContext {
  ingestion: AdxIngestion;
  resources: IngestionResources | undefined;
  store: AdxStore;
  faults: AdxFaults;
  databases: Set<string>;
  catalog: Catalog;
  inFlight: { streaming: number };
}

/** Routes one HTTP request the way the cluster's ingestion endpoint does. */
export async function handleAdxRequest(req: IncomingMessage, res: ServerResponse, ctx: AdxRequestContext): Promise<void> {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const clientRequestId = header(req, "x-ms-client-request-id");
  try {
    if (req.method === "GET" && url.pathname === "/v1/rest/auth/metadata") return sendJson(res, 200, AUTH_METADATA);
    if (req.method !== "POST") throw new AdxIngestionError("NotFound", `${req.method} ${url.pathname} is not an ADX endpoint.`, true, 404);
    if (url.pathname === "/v1/rest/mgmt") {
      requireBearer(req);
      const body = await readBody(req, MAX_MGMT_BYTES);
      let payload: { db?: string; csl?: string };
      try {
        payload = JSON.parse(body.toString("utf8"));
      } catch {
        throw new AdxIngestionError("BadRequest_SyntaxError", "The management request body must be JSON: {\"db\": ..., \"csl\": ...}.");
      }
      return sendJson(res, 200, runControlCommand(payload.db, payload.csl ?? "", ctx));
    }
    const ingest = /^\/v1\/rest\/ingest\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (ingest) return await streamingIngest(req, res, url, decodeURIComponent(ingest[1]), decodeURIComponent(ingest[2]), ctx);
    if (/^\/v[12]\/rest\/query$/.test(url.pathname)) {
      throw new AdxIngestionError("BadRequest_SyntaxError", `The ADX emulator ingests but does not run queries. Read rows with AdxStore.rows(db, table) or from ${ctx.store.dir}/<db>/<table>.jsonl.`);
    }
    throw new AdxIngestionError("NotFound", `POST ${url.pathname} is not an ADX endpoint.`, true, 404);
  } catch (e) {
    const err = e instanceof AdxIngestionError ? e : new AdxIngestionError("ServiceUnavailable", `Unexpected emulator error: ${(e as Error).message}`, false, 500);
    if (!res.headersSent) sendJson(res, err.httpStatus, oneApiErrorBody(err, clientRequestId));
    else res.destroy();
  }
}

async function streamingIngest(req: IncomingMessage, res: ServerResponse, url: URL, database: string, table: string, ctx: AdxRequestContext): Promise<void> {
  ctx.store.counters.streamingRequests++;
  ctx.inFlight.streaming++;
  try {
    requireBearer(req);
    const format = url.searchParams.get("streamFormat");
    if (!format) throw new AdxIngestionError("BadRequest_FormatNotSupported", "Streaming ingestion needs the streamFormat query parameter (e.g. multijson).");
    const mapping = { reference: url.searchParams.get("mappingName") ?? undefined };
    try {
      ctx.ingestion.mappingFor(database, table, mapping); // unknown database/table/mapping fail before any data is read
      if (!ctx.catalog.get(table)?.streamingIngestion) {
        throw new AdxIngestionError(
          "BadRequest_StreamingIngestionPolicyNotEnabled",
          `Streaming ingestion policy is not enabled for the table ${database}.${table}. Enable it with '.alter table ${table} policy streamingingestion enable' (in kql/tables), or use queued ingestion.`,
        );
      }
    } catch (e) {
      await readBody(req, MAX_STREAMING_BYTES * 2).catch(() => undefined);
      throw e;
    }
    const injected = ctx.faults.roll();
    if (injected === "transient") {
      ctx.store.counters.injectedTransient++;
      throw new AdxIngestionError("ServiceUnavailable", "Injected transient streaming-ingestion failure (ADX emulator fault injection); retry.", false, 503);
    }
    if (injected === "permanent") {
      ctx.store.counters.injectedPermanent++;
      throw new AdxIngestionError("BadRequest_EmulatorInjectedFault", "Injected permanent streaming-ingestion failure (ADX emulator fault injection).");
    }
    let data: Buffer;
    let sourceLocation = "unknown";
    if (url.searchParams.get("sourceKind") === "uri") {
      const body = JSON.parse((await readBody(req, MAX_MGMT_BYTES)).toString("utf8")) as { sourceUri?: string };
      sourceLocation = (body.sourceUri ?? "").split("?")[0];
      data = await downloadBlob(body.sourceUri ?? "", ctx.resources);
    } else {
      data = await readBody(req, MAX_STREAMING_BYTES * 2);
      if (header(req, "content-encoding")?.toLowerCase() === "gzip") {
        try {
          data = gunzipSync(data, { maxOutputLength: MAX_STREAMING_BYTES + 1 });
        } catch (e) {
          if ((e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") throw tooLarge();
          throw new AdxIngestionError("BadRequest_InvalidBlob", `The request body is declared gzip but does not decompress: ${(e as Error).message}.`);
        }
      }
    }
    if (data.length > MAX_STREAMING_BYTES) throw tooLarge();
    ctx.store.countIngestion(database, table);
    const outcome = ctx.ingestion.ingest({
      database,
      table,
      format,
      mapping,
      data,
      tags: [], // streaming ingestion carries no extent tags in ADX
      ingestIfNotExists: [],
      sourceLocation,
      mode: "streaming",
      sourceId: header(req, "x-ms-client-request-id") ?? null,
    }, "Streaming");
    const consumed = outcome.status === "ingested" ? outcome.extent.rowCount : 0;
    sendJson(res, 200, v1Response([["ConsumedRecordsCount", "long"], ["UpdatePolicyStatus", "string"], ["UpdatePolicyFailureCode", "string"], ["UpdatePolicyFailureReason", "string"]], [[consumed, "Inactive", "Unknown", null]]));
  } catch (e) {
    if (e instanceof AdxIngestionError) {
      if (e.permanent) ctx.store.counters.permanentFailures++;
      else ctx.store.counters.transientFailures++;
    }
    throw e;
  } finally {
    ctx.inFlight.streaming--;
  }
}

function tooLarge(): AdxIngestionError {
  return new AdxIngestionError("BadRequest_RequestTooLarge", `Streaming ingestion accepts at most ${MAX_STREAMING_BYTES} bytes of uncompressed data per request (ADX's limit); send larger batches through queued ingestion.`, true, 413);
}

function requireBearer(req: IncomingMessage): void {
  // Any bearer token will do locally, but one must be there: a client that sends none would fail against ADX.
  if (!/^Bearer\s+\S+/i.test(header(req, "authorization") ?? "")) {
    throw new AdxIngestionError("Unauthorized", "The request has no bearer token. Build the connection string with a credential (e.g. KustoConnectionStringBuilder.withTokenCredential).", true, 401);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}
