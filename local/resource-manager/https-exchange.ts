// Reading request bodies as bytes, writing JSON, and listening over HTTPS for the Resource Manager and Kudu servers.
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo, Socket } from "node:net";

export class BodyTooLarge extends Error {}

export function readBytes(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limitBytes) {
        reject(new BodyTooLarge(`request body over ${limitBytes} bytes`));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const isText = typeof body === "string" && headers["Content-Type"]?.startsWith("text/");
  const bytes = Buffer.from(isText ? (body as string) : JSON.stringify(body), "utf8");
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": bytes.length, ...headers });
  res.end(bytes);
}

export interface HttpsListener {
  port: number;
  close(): Promise<void>;
}

/** Serves `handle` over HTTPS on a free loopback port; close() never waits on keep-alive clients. */
export async function listenHttps(
  tls: { certPem: string; keyPem: string },
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Promise<HttpsListener> {
  const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    handle(req, res).catch((e: Error) => send(res, 500, { error: { code: "InternalServerError", message: e.message } }));
  });
  const sockets = new Set<Socket>();
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
