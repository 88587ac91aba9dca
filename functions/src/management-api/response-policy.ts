// What comes back, read as the API's contract: the body read under a byte cap (a blob over it is refused, never
// half-read into memory), JSON parsed and shape-checked, redirects refused, and every failure turned into a typed
// error (AF code from the body first, then the status) that the retry strategy decides on.
import type { PipelinePolicy, PipelineResponse } from "@azure/core-rest-pipeline";
import { apiCallFailure, type CallState, callState } from "./api-call";
import { type ApiOrigin, describeUrl } from "./api-origin";
import { ClientErrorCodes, ManagementApiError, errorFromResponse, isManagementApiError } from "./errors";
import type { OnEvent } from "./events";
import { parseRetryAfter } from "./retry-strategy";

export interface ResponsePolicyOptions {
  tenantId: string;
  origin: ApiOrigin;
  onEvent?: OnEvent;
}

// Every status is streamed to us, so error bodies are capped as well as content blobs.
const STREAM_EVERY_STATUS = new Set([Number.POSITIVE_INFINITY]);
// Socket-level failures worth naming as resets; anything else before a response is a failed connection.
const RESET_CODES = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED", "ECONNABORTED"]);

export function responsePolicy(o: ResponsePolicyOptions): PipelinePolicy {
  return {
    name: "managementApiResponse",
    async sendRequest(request, next) {
      const state = callState(request);
      const { operation } = state.call;
      const fail = (error: ManagementApiError) => apiCallFailure(error, request);
      request.streamResponseStatusCodes = STREAM_EVERY_STATUS;

      let res: PipelineResponse;
      try {
        res = await next(request);
      } catch (e) {
        if (request.abortSignal?.aborted) throw e; // the attempt deadline or the caller: theirs to report
        throw fail(connectionError(e, operation));
      }

      const location = res.headers.get("location");
      if (res.status >= 300 && res.status < 400 && location) {
        res.readableStreamBody?.resume();
        throw fail(refusedRedirect(new URL(location, request.url).toString(), operation, o));
      }

      let body: Buffer;
      try {
        body = await readCappedBody(res, state);
      } catch (e) {
        if (isManagementApiError(e)) throw fail(e); // BlobTooLarge
        if (request.abortSignal?.aborted) throw e;
        throw fail(
          new ManagementApiError(`${operation}: the connection closed while reading the response body (truncated); retrying.`, {
            code: ClientErrorCodes.MalformedResponse,
            status: res.status,
            transient: true,
            operation,
            cause: e,
          }),
        );
      }

      if (res.status >= 200 && res.status < 300) {
        let json: unknown;
        try {
          json = parseJsonBody(body, operation);
        } catch (e) {
          throw isManagementApiError(e) ? fail(e) : e;
        }
        const wrong = state.call.validate?.(json);
        if (wrong) {
          throw fail(
            new ManagementApiError(`${operation}: unexpected response shape (${wrong}); retrying.`, {
              code: ClientErrorCodes.MalformedResponse,
              status: res.status,
              transient: true,
              operation,
            }),
          );
        }
        state.result = { status: res.status, headers: res.headers, json, bytes: body.length, url: request.url };
        return res;
      }
      throw fail(
        errorFromResponse({
          status: res.status,
          bodyText: body.toString("utf8"),
          tenantId: o.tenantId,
          operation,
          retryAfterMs: parseRetryAfter(res.headers.get("retry-after")),
        }),
      );
    },
  };
}

function tooLarge(state: CallState, size: string): ManagementApiError {
  const { call } = state;
  return new ManagementApiError(
    `${call.describeBody ?? `The ${call.operation} response`} is ${size}, above the cap of ${call.maxBodyBytes} bytes ` +
      `(maxBlobBytes, app setting MAX_BLOB_BYTES). It was not read; raise the cap if such blobs are expected, then replay it.`,
    { code: ClientErrorCodes.BlobTooLarge, status: 0, transient: false, operation: call.operation, advice: "Raise MAX_BLOB_BYTES, then replay the blob." },
  );
}

/**
 * Reads the whole body, refusing it when Content-Length announces more than the cap, and counting streamed bytes too
 * (chunked responses carry no length); the stream is destroyed at the cap so the rest is not downloaded.
 */
async function readCappedBody(res: PipelineResponse, state: CallState): Promise<Buffer> {
  const stream = res.readableStreamBody as (NodeJS.ReadableStream & { destroy(): void }) | undefined;
  const max = state.call.maxBodyBytes;
  const announced = Number(res.headers.get("content-length") ?? NaN);
  if (Number.isFinite(announced) && announced > max) {
    stream?.destroy();
    throw tooLarge(state, `${announced} bytes (Content-Length)`);
  }
  if (!stream) return Buffer.from(res.bodyAsText ?? "", "utf8");
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.byteLength;
    if (total > max) {
      stream.destroy();
      throw tooLarge(state, `more than ${max} bytes (streamed)`);
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

function connectionError(e: unknown, operation: string): ManagementApiError {
  const code = String((e as { code?: unknown })?.code ?? "");
  const reset = RESET_CODES.has(code);
  return new ManagementApiError(
    `${operation}: ${reset ? "the connection was reset" : "the connection failed"} while sending the request ` +
      `(${code || (e as Error)?.message || "unknown network error"}); retrying.`,
    { code: reset ? ClientErrorCodes.ConnectionReset : ClientErrorCodes.ConnectionFailed, status: 0, transient: true, operation, cause: e },
  );
}

/** A redirect is never followed: off the API origin it is the token-leak case; on it, the API has no reason to send one. */
function refusedRedirect(location: string, operation: string, o: ResponsePolicyOptions): ManagementApiError {
  try {
    o.origin.check(location, operation);
  } catch (e) {
    o.onEvent?.({ type: "hostRefused", operation, url: describeUrl(location), allowedOrigin: `${o.origin.origin}${o.origin.basePath}` });
    return e as ManagementApiError;
  }
  return new ManagementApiError(`${operation}: the API answered with a redirect to ${describeUrl(location)}; redirects are not followed.`, {
    code: ClientErrorCodes.RedirectRefused,
    status: 0,
    transient: false,
    operation,
  });
}


