// Every HTTP request this process sends, counted by what it is for (Node's http diagnostics channel: the Azure SDKs'
// own requests, unchanged). The bench reads it to report storage and ingestion requests per blob.
import { subscribe } from "node:diagnostics_channel";
import type { ClientRequest } from "node:http";

export type RequestKind =
  | "table"
  | "queueSend"
  | "queueReceive"
  | "queueDelete"
  | "queueOther"
  | "ingestionUpload"
  | "ingestionQueue"
  | "ingestionStatusQueue"
  | "managementApi"
  | "adx"
  | "other";

/** Counts by kind; `services` maps host:port to the storage service behind it (from the storage connection string). */
export function tallyRequests(services: Map<string, "table" | "queue" | "blob">, adxHost: string | undefined, contentQueue: string): Record<RequestKind, number> {
  const counts = Object.fromEntries(
    ["table", "queueSend", "queueReceive", "queueDelete", "queueOther", "ingestionUpload", "ingestionQueue", "ingestionStatusQueue", "managementApi", "adx", "other"].map((k) => [k, 0]),
  ) as Record<RequestKind, number>;
  subscribe("http.client.request.start", (message) => {
    const req = (message as { request: ClientRequest }).request;
    counts[classify(req, services, adxHost, contentQueue) ?? "other"]++;
  });
  return counts;
}

function classify(req: ClientRequest, services: Map<string, "table" | "queue" | "blob">, adxHost: string | undefined, contentQueue: string): RequestKind | undefined {
  const hostHeader = String(req.getHeader("host") ?? req.host);
  const path = req.path.split("?")[0];
  const service = services.get(hostHeader);
  if (service === "table") return "table";
  if (service === "blob") return "ingestionUpload"; // the engine's only blobs are ADX's ingestion uploads
  if (service === "queue") {
    const queue = path.split("/")[2] ?? "";
    if (queue.startsWith("readyforaggregation")) return "ingestionQueue";
    if (queue.startsWith("failedingestions") || queue.startsWith("successfulingestions")) return "ingestionStatusQueue";
    if (queue === contentQueue && path.endsWith("/messages")) return req.method === "POST" ? "queueSend" : req.method === "GET" ? "queueReceive" : "queueOther";
    if (queue === contentQueue && /\/messages\/[^/]+$/.test(path) && req.method === "DELETE") return "queueDelete";
    return "queueOther";
  }
  if (adxHost && hostHeader === adxHost) return "adx";
  if (/\/api\/v1\.0\//.test(path)) return "managementApi";
  return undefined;
}

/** host:port of each storage service in a connection string (Azurite's, or an account's endpoints). */
export function storageServices(connectionString: string): Map<string, "table" | "queue" | "blob"> {
  const services = new Map<string, "table" | "queue" | "blob">();
  for (const part of connectionString.split(";")) {
    const m = /^(Table|Queue|Blob)Endpoint=(.+)$/i.exec(part.trim());
    if (!m) continue;
    const url = new URL(m[2]);
    services.set(url.host, m[1].toLowerCase() as "table" | "queue" | "blob");
  }
  return services;
}
