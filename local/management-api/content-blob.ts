// GET {contentUri}: a blob's records as one JSON array. Stored blobs go out in one write; the large tenant's blobs are
// generated record by record and streamed in ~256 KiB chunks with backpressure, so memory stays flat at any size.
import type { ServerResponse } from "node:http";
import type { CatalogBlob, ContentCatalog } from "./content-catalog";

const CHUNK_BYTES = 256 * 1024;

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
  // records are rendered straight into chunk buffers: no per-record strings, little garbage
  const room = bulk.maxRecordBytes + 2;
  let buf = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, room * 2));
  let off = 0;
  buf[off++] = 0x5b; // [
  for (let k = 0; k < stopAt; k++) {
    if (buf.length - off < room) {
      if (res.destroyed) return false;
      const more = res.write(buf.subarray(0, off));
      buf = Buffer.allocUnsafe(buf.length);
      off = 0;
      // a client that stops reading must not make the server buffer the whole blob
      if (!more) await drainOrClose(res);
    }
    if (k > 0) buf[off++] = 0x2c; // ,
    off = bulk.writeRecord(b, k, buf, off);
  }
  if (res.destroyed) return false;
  if (d.resetMidway) {
    res.write(buf.subarray(0, off), () => res.socket?.destroy());
    return false;
  }
  if (d.truncate) {
    // no closing bracket and the last record cut: whatever was flushed before, the JSON is incomplete
    res.end(buf.subarray(0, Math.max(0, off - 7)));
    return false;
  }
  buf[off++] = 0x5d; // ]
  res.end(buf.subarray(0, off));
  return true;
}
