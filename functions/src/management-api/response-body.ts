// Reading response bodies with a byte cap: a blob over the cap is refused, never half-read into memory.
import { ClientErrorCodes, ManagementApiError } from "./errors";

export interface BodyLimit {
  maxBytes: number;
  /** Names what is being read and the setting that raises the cap, for the BlobTooLarge message. */
  describe: string;
  operation: string;
}

function tooLarge(limit: BodyLimit, size: string): ManagementApiError {
  return new ManagementApiError(
    `${limit.describe} is ${size}, above the cap of ${limit.maxBytes} bytes (maxBlobBytes, app setting MAX_BLOB_BYTES). ` +
      `It was not read; raise the cap if such blobs are expected, then replay it.`,
    { code: ClientErrorCodes.BlobTooLarge, status: 0, transient: false, operation: limit.operation },
  );
}

/**
 * Reads the whole body, refusing it when Content-Length announces more than the cap, and counting streamed bytes too
 * (chunked responses carry no length). `abort` cancels the underlying request so the rest is not downloaded.
 */
export async function readCappedBody(res: Response, limit: BodyLimit, abort: () => void): Promise<Buffer> {
  const announced = Number(res.headers.get("content-length") ?? NaN);
  if (Number.isFinite(announced) && announced > limit.maxBytes) {
    abort();
    throw tooLarge(limit, `${announced} bytes (Content-Length)`);
  }
  if (!res.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > limit.maxBytes) {
      abort();
      throw tooLarge(limit, `more than ${limit.maxBytes} bytes (streamed)`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

/** Parses a JSON body; an empty body is null. Unparseable (typically truncated) bodies are transient. */
export function parseJsonBody(body: Buffer, operation: string): unknown {
  if (body.length === 0) return null;
  let text = body.toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ManagementApiError(
      `${operation}: the response body (${body.length} bytes) is not valid JSON, probably truncated in transit; retrying.`,
      { code: ClientErrorCodes.MalformedResponse, status: 200, transient: true, operation, cause: e },
    );
  }
}
