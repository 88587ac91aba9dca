// A real HTTP server on 127.0.0.1 whose answers each test scripts, recording every request it receives.
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Script = (req: ReceivedRequest, res: ServerResponse, n: number) => unknown;

export interface ScriptedServer {
  /** http://127.0.0.1:PORT, or https:// when started with a certificate */
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** Replaced per test; receives the request, the response and the 1-based request count. */
  script: Script;
  reset(): void;
  close(): Promise<void>;
}

export interface ScriptedServerOptions {
  /** Serve https with this certificate (local/tls.ts). */
  tls?: { certPem: string; keyPem: string };
  /** Requests answered by this handler instead of the script, and not recorded (e.g. an OpenID discovery document). */
  aside?: (req: ReceivedRequest, res: ServerResponse, url: string) => boolean;
}

export async function startScriptedServer(opts: ScriptedServerOptions = {}): Promise<ScriptedServer> {
  const state: ScriptedServer = {
    url: "",
    port: 0,
    requests: [],
    script: (_req, res) => sendJson(res, 404, { error: { code: "NotScripted", message: "no script" } }),
    reset() {
      state.requests = [];
      state.script = (_req, res) => sendJson(res, 404, { error: { code: "NotScripted", message: "no script" } });
    },
    close: async () => undefined,
  };
  const onRequest = (raw: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    raw.on("data", (c: Buffer) => chunks.push(c));
    raw.on("end", () => {
      const u = new URL(raw.url ?? "/", "http://127.0.0.1");
      const req: ReceivedRequest = {
        method: raw.method ?? "GET",
        path: u.pathname,
        query: u.searchParams,
        url: raw.url ?? "/",
        headers: raw.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      if (opts.aside?.(req, res, state.url)) return;
      state.requests.push(req);
      Promise.resolve(state.script(req, res, state.requests.length)).catch((e) => {
        if (!res.headersSent) sendJson(res, 599, { error: { code: "ScriptFailed", message: String(e) } });
      });
    });
  };
  const server = opts.tls ? https.createServer({ cert: opts.tls.certPem, key: opts.tls.keyPem }, onRequest) : http.createServer(onRequest);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.port = (server.address() as AddressInfo).port;
  state.url = `${opts.tls ? "https" : "http"}://127.0.0.1:${state.port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function afError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { code, message } }, headers);
}
