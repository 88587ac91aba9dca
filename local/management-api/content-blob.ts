// GET {contentUri}: a blob's records as one JSON array. Stored blobs go out in one write; the large tenant's blobs are
// generated record by record and streamed in ~256 KiB chunks with backpressure, so memory stays flat at any size.
import type { ServerResponse } from "node:http";
import type { CatalogBlob, ContentCatalog } from "./content-catalog";

const CHUNK_CHARS = 256 * 1024;

export interface BlobDelivery {
  /** Fault "truncated": a 200 whose JSON stops part-way. */
  truncate: boolean;
  /** Fault "reset" chosen to strike mid-body: the socket is destroyed after part of the body. */
  resetMidway: boolean;
  /** Where to cut, in [0.2, 0.8) of the body (drawn by the caller for determinism). */
  cutShare: number;
}

function drainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/** Resolves true when the complete, valid body was handed to the socket. */
export async function sendBlob(res: ServerResponse, catalog: ContentCatalog, blob: CatalogBlob, d: BlobDelivery): Promise<boolean> {
  if (blob.eager) {
    const body = `[${blob.eager.records.join(",")}]`;
    if (d.truncate || d.resetMidway) {
      const cut = Math.min(body.length - 1, Math.max(1, Math.floor(body.length * d.cutShare)));
      const part = Buffer.from(body.slice(0, cut), "utf8");
      if (d.resetMidway) {
        res.writeHead(200, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(body) });
        res.write(part, () => res.socket?.destroy());
        return false;
      }
      res.writeHead(200, { "Content-Type": "application/json; charset=utf-8", "Content-Length": part.length });
      res.end(part);
      return false;
    }
    const bytes = Buffer.from(body, "utf8");
    res.writeHead(200, { "Content-Type": "application/json; charset=utf-8", "Content-Length": bytes.length });
    res.end(bytes);
    return true;
  }

  const bulk = catalog.bulk!;
  const b = blob.bulk!;
  const stopAt = d.truncate || d.resetMidway ? Math.max(1, Math.floor(b.size * d.cutShare)) : b.size;
  res.writeHead(200, { "Content-Type": "application/json; charset=utf-8" });
  let chunk = "[";
  for (let k = 0; k < stopAt; k++) {
    if (res.destroyed) return false;
    chunk += (k === 0 ? "" : ",") + bulk.recordJson(b, k);
    if (chunk.length >= CHUNK_CHARS) {
      const more = res.write(chunk);
      chunk = "";
      if (!more) {
        // a client that stops reading must not make the server buffer the whole blob
        await drainOrClose(res);
      }
    }
  }
  if (res.destroyed) return false;
  if (d.resetMidway) {
    res.write(chunk, () => res.socket?.destroy());
    return false;
  }
  if (d.truncate) {
    res.end(chunk.slice(0, Math.max(1, chunk.length - 7)));
    return false;
  }
  res.end(chunk + "]");
  return true;
}
