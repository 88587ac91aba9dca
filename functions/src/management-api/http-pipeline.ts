// Every API call goes through one core-rest-pipeline pipeline. Outermost first: origin pinning, PublisherIdentifier,
// user agent, client request id, retry (our AF-code strategy), then per attempt: deadline, bearer token, response
// reading (cap, JSON, typed errors), request logging, request counting.
import {
  type HttpClient,
  type Pipeline,
  type PipelinePolicy,
  type TlsSettings,
  createDefaultHttpClient,
  createEmptyPipeline,
  createHttpHeaders,
  createPipelineRequest,
  logPolicy,
  retryPolicy,
  setClientRequestIdPolicy,
  tlsPolicy,
  userAgentPolicy,
} from "@azure/core-rest-pipeline";
import packageJson from "../../../package.json";
import { type ApiCall, type ApiResult, beginCall, callState, carriedError } from "./api-call";
import { type ApiOrigin, originPinningPolicy } from "./api-origin";
import { attemptTimeoutPolicy } from "./attempt-timeout-policy";
import { managementApiLogger } from "./client-log";
import type { OnEvent, OnRequest } from "./events";
import { publisherIdentifierPolicy } from "./publisher-identifier";
import { responsePolicy } from "./response-policy";
import { type RetryOptions, managementApiRetryStrategy } from "./retry-strategy";
import { type BearerTokenCache, bearerTokenPolicy } from "./token-policy";

export const USER_AGENT = `m365-audit-lake/${packageJson.version}`;

export interface PipelineOptions {
  tenantId: string;
  origin: ApiOrigin;
  tokens: BearerTokenCache;
  publisherId: string;
  requestTimeoutMs: number;
  retry: Required<RetryOptions>;
  /** Extra trusted CA (a TLS-inspecting proxy in front of the API); default the system's. */
  tlsOptions?: TlsSettings;
  onRequest?: OnRequest;
  onEvent?: OnEvent;
}

export class ApiPipeline {
  private readonly pipeline: Pipeline;
  private readonly httpClient: HttpClient = createDefaultHttpClient();

  constructor(o: PipelineOptions) {
    const p = createEmptyPipeline();
    p.addPolicy(originPinningPolicy(o.origin, o.onEvent));
    p.addPolicy(publisherIdentifierPolicy(o.publisherId));
    p.addPolicy(userAgentPolicy({ userAgentPrefix: USER_AGENT }));
    p.addPolicy(setClientRequestIdPolicy());
    if (o.tlsOptions) p.addPolicy(tlsPolicy(o.tlsOptions));
    // The strategy decides when to stop (it knows the budget and annotates the error), so the loop's own cap is off.
    p.addPolicy(retryPolicy([managementApiRetryStrategy(o.retry, o.onEvent)], { maxRetries: Number.MAX_SAFE_INTEGER, logger: managementApiLogger }));
    p.addPolicy(attemptTimeoutPolicy(o.requestTimeoutMs));
    p.addPolicy(bearerTokenPolicy(o.tokens, o.onEvent));
    p.addPolicy(responsePolicy({ tenantId: o.tenantId, origin: o.origin, onEvent: o.onEvent }));
    p.addPolicy(logPolicy({ logger: managementApiLogger.info, additionalAllowedQueryParameters: ALLOWED_QUERY }));
    p.addPolicy(requestCountPolicy(o.onRequest));
    this.pipeline = p;
  }

  /** One logical call: resolves with the parsed 2xx body, or rejects with a ManagementApiError (or the caller's abort reason). */
  async send(call: ApiCall): Promise<ApiResult> {
    const headers = createHttpHeaders({ accept: "application/json" });
    if (call.body !== undefined) headers.set("content-type", "application/json");
    const request = createPipelineRequest({
      url: call.url,
      method: call.method,
      headers,
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      abortSignal: call.signal,
    });
    const state = beginCall(request, call);
    try {
      await this.pipeline.sendRequest(this.httpClient, request);
    } catch (e) {
      if (call.signal?.aborted) throw call.signal.reason;
      throw carriedError(e) ?? e;
    }
    return state.result!;
  }
}

// Query parameters safe to log as they are (the rest are redacted by the log policy's sanitizer).
const ALLOWED_QUERY = ["contentType", "startTime", "endTime", "PublisherIdentifier", "nextPage"];

/** Innermost: one onRequest per HTTP request, status 0 when no response arrived. */
function requestCountPolicy(onRequest?: OnRequest): PipelinePolicy {
  return {
    name: "managementApiRequestCount",
    async sendRequest(request, next) {
      const state = callState(request);
      const attempt = ++state.attempts;
      try {
        const res = await next(request);
        onRequest?.({ operation: state.call.operation, status: res.status, attempt });
        return res;
      } catch (e) {
        onRequest?.({ operation: state.call.operation, status: 0, attempt });
        throw e;
      }
    },
  };
}
