import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { SentinelStream } from "../../kql/sentinel-stream";
import { RateLimit } from "./rate-limit";
import { streamRowProblem, toDeclaredColumns } from "./stream-rows";
import { LogsStore } from "./store";
import { ServiceRefusal } from "../service-refusal";

export { LogsStore, type LogsCounters } from "./store";

/** A stream as a data collection rule declares it: its name ("Custom-<Name>") and columns (kql/sentinel-stream.ts). */
export type StreamDeclaration = Pick<SentinelStream, "streamName" | "columns">;

/** A data collection rule the emulator accepts: its immutable id and the streams it declares. */
export interface DataCollectionRule {
  dcrImmutableId: string; // "dcr-<32 hex>"
  streams: StreamDeclaration[];
}

export interface LogsIngestionEmulatorOptions {
  /** The server certificate (see local/tls.ts): Azure SDK clients send bearer tokens over HTTPS only. */
  tls: { certPem: string; keyPem: string };
  /** Rows land in `<dataDir>/logs/<stream>.jsonl`. */
  dataDir: string;
  rules: DataCollectionRule[];
  /** The service's per-request limit, applied to the body as sent and decompressed. Default 1 MiB. */
  maxRequestBytes?: number;
  /** Requests allowed per window before 429 + Retry-After. Default: unlimited. */
  rateLimit?: { requests: number; perMs: number };
  host?: string;
  port?: number;
}

export interface LogsIngestionEmulator {
  /** The data collection endpoint, e.g. https://127.0.0.1:P */
  url: string;
  store: LogsStore;
  close(): Promise<void>;
}

export const DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;
const API_VERSIONS = new Set(["2023-01-01", "2021-11-01-preview"]);

class LogsRequestError extends ServiceRefusal {}

/** Starts the Logs Ingestion API emulator (the Sentinel path of @azure/monitor-ingestion) over HTTPS. */
export async function startLogsIngestionEmulator(opts: LogsIngestionEmulatorOptions): Promise<LogsIngestionEmulator> {
  const store = new LogsStore(join(opts.dataDir, "logs"));
  const maxBytes = opts.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  const limit = opts.rateLimit ? new RateLimit(opts.rateLimit.requests, opts.rateLimit.perMs) : undefined;
  const rules = new Map(opts.rules.map((r) => [r.dcrImmutableId, new Map(r.streams.map((s) => [s.streamName, s]))]));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    store.counters.requests++;
    try {
      const url = new URL(req.url ?? "/", "https://127.0.0.1");
      const m = /^\/dataCollectionRules\/([^/]+)\/streams\/([^/]+)$/.exec(url.pathname);
      if (!m || req.method !== "POST") throw new LogsRequestError(404, "NotFound", `${req.method} ${url.pathname} is not a Logs Ingestion API operation; POST /dataCollectionRules/{dcrImmutableId}/streams/{streamName}?api-version=2023-01-01.`);
      const apiVersion = url.searchParams.get("api-version");
      if (!apiVersion || !API_VERSIONS.has(apiVersion)) {
        throw new LogsRequestError(400, "InvalidApiVersion", `api-version '${apiVersion ?? ""}' is not supported; use 2023-01-01.`);
      }
      if (!/^Bearer\s+\S+/i.test(req.headers.authorization ?? "")) {
        store.counters.unauthorized++;
        throw new LogsRequestError(401, "InvalidToken", "A bearer token for https://monitor.azure.com is required (scope https://monitor.azure.com/.default).");
      }
      const [dcr, stream] = [decodeURIComponent(m[1]), decodeURIComponent(m[2])];
      const streams = rules.get(dcr);
      if (!streams) throw new LogsRequestError(404, "NotFound", `Data collection rule '${dcr}' does not exist here; the emulator accepts ${[...rules.keys()].join(", ")}.`);
      const declaration = streams.get(stream);
      if (!declaration) throw new LogsRequestError(400, "InvalidStream", `Stream '${stream}' is not declared by data collection rule '${dcr}'; it declares ${[...streams.keys()].join(", ")}.`);
      const wait = limit?.take() ?? 0;
      if (wait > 0) {
        store.counters.throttled++;
        throw new LogsRequestError(429, "TooManyRequests", "The request rate for this data collection rule is exceeded; retry after the time in Retry-After.", {
          "Retry-After": String(Math.max(1, Math.ceil(wait / 1000))),
        });
      }
      let body = await readBody(req, maxBytes);
      if ((req.headers["content-encoding"] ?? "").toLowerCase() === "gzip") {
        try {
          body = gunzipSync(body, { maxOutputLength: maxBytes + 1 });
        } catch (e) {
          if ((e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") throw tooLarge(maxBytes, "decompressed");
          throw new LogsRequestError(400, "InvalidContentEncoding", `The body is declared gzip but does not decompress: ${(e as Error).message}.`);
        }
        if (body.length > maxBytes) throw tooLarge(maxBytes, body.length);
      }
      let rows: unknown;
      try {
        rows = JSON.parse(body.toString("utf8"));
      } catch (e) {
        throw new LogsRequestError(400, "InvalidContent", `The body is not valid JSON: ${(e as Error).message}.`);
      }
      if (!Array.isArray(rows) || !rows.every((r) => r !== null && typeof r === "object" && !Array.isArray(r))) {
        throw new LogsRequestError(400, "InvalidContent", "The body must be a JSON array of objects, one per row.");
      }
      const list = rows as Record<string, unknown>[];
      for (let i = 0; i < list.length; i++) {
        const problem = streamRowProblem(declaration, list[i]);
        if (problem) throw new LogsRequestError(400, "InvalidContent", `Row ${i} of the request does not match stream '${stream}': ${problem}`);
      }
      // The DCR keeps only the columns its stream declares: anything else in a row is dropped.
      store.append(stream, list.map((r) => toDeclaredColumns(declaration, r)));
      res.writeHead(204).end();
    } catch (e) {
      const err = e instanceof LogsRequestError ? e : new LogsRequestError(500, "InternalServerError", (e as Error).message);
      if (err.status === 413) store.counters.tooLarge++;
      else if (err.status === 400 || err.status === 404) store.counters.rejected++;
      const text = JSON.stringify({ error: { code: err.code, message: err.message } });
      if (!res.headersSent) res.writeHead(err.status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), ...err.headers }).end(text);
      req.resume(); // drain what the client still sends
    }
  }

  const server: Server = createServer({ cert: opts.tls.certPem, key: opts.tls.keyPem }, (req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `https://${opts.host ?? "127.0.0.1"}:${port}`,
    store,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function tooLarge(max: number, actual: number | "decompressed"): LogsRequestError {
  const provided = actual === "decompressed" ? `more than ${max} bytes once decompressed` : `${actual} bytes`;
  return new LogsRequestError(413, "ContentLengthLimitExceeded", `Maximum allowed content length: ${max} bytes; provided: ${provided}. Split the upload into smaller requests.`);
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (declared > max) return Promise.reject(tooLarge(max, declared));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        reject(tooLarge(max, size));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
