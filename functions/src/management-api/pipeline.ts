// One logical API call through the policies every call needs, in order: origin check, PublisherIdentifier, bearer
// token (fresh one on 401), per-attempt timeout, capped body read, JSON parse, typed error, retry with backoff.
import { type ApiOrigin, describeUrl } from "./api-origin";
import { ClientErrorCodes, ManagementApiError, errorFromResponse, isManagementApiError } from "./errors";
import type { OnEvent, OnRequest } from "./events";
import { withPublisherIdentifier } from "./publisher-identifier";
import { parseJsonBody, readCappedBody } from "./response-body";
import { type RetryOptions, parseRetryAfter, retryDecision, sleep } from "./retry";
import type { BearerTokenCache } from "./token-policy";

export interface PipelineOptions {
  tenantId: string;
  origin: ApiOrigin;
  tokens: BearerTokenCache;
  publisherId: string;
  requestTimeoutMs: number;
  retry: Required<RetryOptions>;
  onRequest?: OnRequest;
  onEvent?: OnEvent;
}

export interface ApiCall {
  operation: string;
  method: "GET" | "POST";
  url: string;
  body?: unknown;
  signal?: AbortSignal;
  maxBodyBytes: number;
  /** What the body is, for the BlobTooLarge message ("Content blob <uri>"). */
  describeBody?: string;
  /** Shape check of a 2xx JSON body: returns what is wrong, or null. A wrong shape is retried like a truncated body. */
  validate?: (json: unknown) => string | null;
}

export interface ApiResult {
  status: number;
  headers: Headers;
  json: unknown;
  bytes: number;
  /** The URL actually requested (normalised, PublisherIdentifier added): NextPageUri resolves against it. */
  url: string;
}

type AttemptOutcome =
  | { kind: "ok"; result: ApiResult }
  | { kind: "redirect"; location: string }
  | { kind: "unauthorized"; error: ManagementApiError }
  | { kind: "failed"; error: ManagementApiError };

const MAX_REDIRECTS = 5;
// Socket-level failures worth retrying; anything else reaching fetch's catch is treated as a failed connection.
const RESET_CODES = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED", "ECONNABORTED"]);

export class ApiPipeline {
  constructor(private readonly o: PipelineOptions) {}

  async send(call: ApiCall): Promise<ApiResult> {
    const { operation, signal } = call;
    let url = this.allowed(call.url, operation);
    let attempt = 0;
    let retriesDone = 0;
    let redirects = 0;
    let refreshedAfter401 = false;
    for (;;) {
      signal?.throwIfAborted();
      attempt++;
      let error: ManagementApiError;
      try {
        const token = await this.o.tokens.token(signal);
        const outcome = await this.attempt(call, url, token, attempt);
        if (outcome.kind === "ok") return outcome.result;
        if (outcome.kind === "redirect") {
          if (++redirects > MAX_REDIRECTS) throw this.malformed(operation, "too many redirects");
          url = this.allowed(outcome.location, operation);
          continue;
        }
        if (outcome.kind === "unauthorized") {
          this.o.tokens.invalidate(token);
          this.o.onEvent?.({ type: "tokenRefreshed", operation });
          // An expired or revoked token is normal: the first 401 is repeated at once with a fresh token.
          if (!refreshedAfter401) {
            refreshedAfter401 = true;
            continue;
          }
          // Another early revocation can hit the fresh token too, so later 401s use the retry budget (with backoff);
          // only a 401 that outlives it is reported, as the configuration problem it then almost surely is.
          const again = outcome.error.code === ClientErrorCodes.Unauthorized
            ? retryDecision({ transient: true }, retriesDone, this.o.retry)
            : ({ retry: false } as const);
          if (!again.retry) {
            outcome.error.message += ` (rejected ${attempt} times, each time with a fresh token)`;
            throw outcome.error;
          }
          retriesDone++;
          this.o.onEvent?.({ type: "retry", operation, attempt, code: outcome.error.code, delayMs: again.delayMs });
          await sleep(again.delayMs, signal);
          continue;
        }
        error = outcome.error;
      } catch (e) {
        if (signal?.aborted) throw signal.reason;
        if (!isManagementApiError(e)) throw e;
        error = e;
      }
      const decision = retryDecision(error, retriesDone, this.o.retry);
      if (!decision.retry) {
        if (error.transient && decision.reason !== "permanent") error.message += ` (gave up after ${attempt} attempts: ${decision.reason})`;
        throw error;
      }
      retriesDone++;
      this.o.onEvent?.({ type: "retry", operation, attempt, code: error.code, delayMs: decision.delayMs });
      await sleep(decision.delayMs, signal);
    }
  }

  private allowed(url: string, operation: string): string {
    try {
      return withPublisherIdentifier(this.o.origin.check(url, operation), this.o.publisherId);
    } catch (e) {
      this.o.onEvent?.({
        type: "hostRefused",
        operation,
        url: describeUrl(url),
        allowedOrigin: `${this.o.origin.origin}${this.o.origin.basePath}`,
      });
      throw e;
    }
  }

  private async attempt(
    call: ApiCall,
    url: string,
    token: string,
    attempt: number,
  ): Promise<AttemptOutcome> {
    const { operation } = call;
    // One controller per attempt, fed by the timeout and the caller's signal; listeners and timers are released in
    // `finally` so a long-lived caller signal does not accumulate dependants over thousands of blobs.
    const local = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      local.abort(new DOMException(`no answer within ${this.o.requestTimeoutMs} ms`, "TimeoutError"));
    }, this.o.requestTimeoutMs);
    const onCallerAbort = () => local.abort(call.signal?.reason);
    call.signal?.addEventListener("abort", onCallerAbort, { once: true });
    try {
      return await this.exchange(call, url, token, attempt, local, () => timedOut);
    } finally {
      clearTimeout(timer);
      call.signal?.removeEventListener("abort", onCallerAbort);
    }
  }

  private async exchange(
    call: ApiCall,
    url: string,
    token: string,
    attempt: number,
    local: AbortController,
    timedOut: () => boolean,
  ): Promise<AttemptOutcome> {
    const { operation } = call;
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: "application/json" };
    if (call.body !== undefined) headers["content-type"] = "application/json";

    let res: Response;
    try {
      res = await fetch(url, {
        method: call.method,
        headers,
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: local.signal,
        redirect: "manual", // a redirect is checked against the origin like any other URL, never followed blindly
      });
    } catch (e) {
      this.o.onRequest?.({ operation, status: 0, attempt });
      if (call.signal?.aborted) throw call.signal.reason;
      throw this.networkError(e, operation, timedOut(), "sending the request");
    }
    this.o.onRequest?.({ operation, status: res.status, attempt });

    if (res.status >= 300 && res.status < 400 && res.headers.get("location")) {
      await res.body?.cancel().catch(() => undefined);
      return { kind: "redirect", location: new URL(res.headers.get("location")!, url).toString() };
    }

    let body: Buffer;
    try {
      body = await readCappedBody(
        res,
        { maxBytes: call.maxBodyBytes, describe: call.describeBody ?? `The ${operation} response`, operation },
        () => local.abort(),
      );
    } catch (e) {
      if (isManagementApiError(e)) throw e; // BlobTooLarge
      if (call.signal?.aborted) throw call.signal.reason;
      if (timedOut()) throw this.networkError(e, operation, true, "reading the body");
      throw new ManagementApiError(
        `${operation}: the connection closed while reading the response body (truncated); retrying.`,
        { code: ClientErrorCodes.MalformedResponse, status: res.status, transient: true, operation, cause: e },
      );
    }

    if (res.ok) {
      const json = parseJsonBody(body, operation);
      const wrong = call.validate?.(json);
      if (wrong) {
        throw new ManagementApiError(`${operation}: unexpected response shape (${wrong}); retrying.`, {
          code: ClientErrorCodes.MalformedResponse,
          status: res.status,
          transient: true,
          operation,
        });
      }
      return { kind: "ok", result: { status: res.status, headers: res.headers, json, bytes: body.length, url } };
    }
    const error = errorFromResponse({
      status: res.status,
      bodyText: body.toString("utf8"),
      tenantId: this.o.tenantId,
      operation,
      retryAfterMs: parseRetryAfter(res.headers.get("retry-after")),
    });
    return { kind: res.status === 401 ? "unauthorized" : "failed", error };
  }

  private networkError(e: unknown, operation: string, timedOut: boolean, phase: string): ManagementApiError {
    if (timedOut) {
      return new ManagementApiError(
        `${operation}: no complete answer within ${this.o.requestTimeoutMs} ms while ${phase} (requestTimeoutMs); retrying.`,
        { code: ClientErrorCodes.Timeout, status: 0, transient: true, operation, cause: e },
      );
    }
    const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
    const code = cause?.code ?? "";
    const reset = RESET_CODES.has(code);
    return new ManagementApiError(
      `${operation}: ${reset ? "the connection was reset" : "the connection failed"} while ${phase} ` +
        `(${code || cause?.message || (e as Error)?.message || "unknown network error"}); retrying.`,
      {
        code: reset ? ClientErrorCodes.ConnectionReset : ClientErrorCodes.ConnectionFailed,
        status: 0,
        transient: true,
        operation,
        cause: e,
      },
    );
  }

  private malformed(operation: string, why: string): ManagementApiError {
    return new ManagementApiError(`${operation}: ${why}.`, {
      code: ClientErrorCodes.MalformedResponse,
      status: 0,
      transient: false,
      operation,
    });
  }
}
