// The Management Activity API client for one tenant: an options bag with safe defaults, AbortSignal on every call,
// typed errors. Stateless per call (token cache and the start-throttle memory are shared safely), so one instance can
// serve concurrent callers; how many calls run at once is the caller's decision.
import type { TlsSettings } from "@azure/core-rest-pipeline";
import type { TokenCredential } from "@azure/identity";
import { ApiOrigin } from "./api-origin";
import { type CloudName, cloudEndpoints } from "./clouds";
import { fetchContentBlob } from "./content-blob";
import { type ContentBlobRef, listContent } from "./content-listing";
import type { ContentType } from "./content-types";
import { logClientEvent } from "./client-log";
import type { ManagementApiEvent, OnEvent, OnRequest } from "./events";
import { ApiPipeline } from "./http-pipeline";
import { ClientErrorCodes, ManagementApiError } from "./errors";
import { DEFAULT_RETRY, type RetryOptions } from "./retry-strategy";
import { type Subscription, Subscriptions, type WebhookSpec } from "./subscription";
import { BearerTokenCache } from "./token-policy";

export type { ContentBlobRef } from "./content-listing";

export const DEFAULT_MAX_BLOB_BYTES = 64 * 1024 * 1024;
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

export interface ManagementActivityClientOptions {
  tenantId: string;
  credential: TokenCredential;
  /** Default Enterprise. */
  cloud?: CloudName;
  /** Override of https://{apiHost} (emulator: http://127.0.0.1:P, or a proxy); contentUri/NextPageUri must be on it. */
  baseUrl?: string;
  /** Default https://{apiHost}/.default of the cloud. */
  tokenScope?: string;
  /** Publisher tenant GUID for the throttling quota; default the tenantId. */
  publisherId?: string;
  /** Default 64 MiB. */
  maxBlobBytes?: number;
  /** Per HTTP attempt, headers and body; default 60 s. */
  requestTimeoutMs?: number;
  retry?: RetryOptions;
  /** TLS trust for the API origin (a TLS-inspecting proxy's CA); default the system's trusted CAs. */
  tlsOptions?: TlsSettings;
  /** Called once per HTTP request (metrics: API requests per blob). */
  onRequest?: OnRequest;
  /** Notable decisions: clamped windows (lost coverage), refused hosts, retries, token refreshes, subscription starts. */
  onEvent?: OnEvent;
  /** Clock for the 7-day clamp; default real time (an emulator with its own clock passes it here). */
  now?: () => Date;
}

export class ManagementActivityClient {
  readonly tenantId: string;
  /** The only origin (and path prefix) the token is sent to. */
  readonly apiBaseUrl: string;
  readonly tokenScope: string;
  private readonly maxBlobBytes: number;
  private readonly pipeline: ApiPipeline;
  private readonly subscriptions: Subscriptions;
  private readonly origin: ApiOrigin;
  private readonly now: () => Date;
  private readonly onEvent?: OnEvent;

  constructor(opts: ManagementActivityClientOptions) {
    const endpoints = cloudEndpoints(opts.cloud ?? "Enterprise");
    this.tenantId = opts.tenantId;
    this.origin = new ApiOrigin(opts.baseUrl ?? endpoints.apiBaseUrl);
    this.apiBaseUrl = `${this.origin.origin}${this.origin.basePath}`;
    this.tokenScope = opts.tokenScope ?? endpoints.tokenScope;
    this.maxBlobBytes = opts.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES;
    this.now = opts.now ?? (() => new Date());
    // Every decision goes to the client's @azure/logger as named fields, then to the caller's handler.
    const onEvent: OnEvent = (e: ManagementApiEvent) => {
      logClientEvent(opts.tenantId, e);
      opts.onEvent?.(e);
    };
    this.onEvent = onEvent;
    this.pipeline = new ApiPipeline({
      tenantId: opts.tenantId,
      origin: this.origin,
      tokens: new BearerTokenCache(opts.credential, this.tokenScope),
      publisherId: opts.publisherId ?? opts.tenantId,
      requestTimeoutMs: opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      retry: { ...DEFAULT_RETRY, ...opts.retry },
      tlsOptions: opts.tlsOptions,
      onRequest: opts.onRequest,
      onEvent,
    });
    this.subscriptions = new Subscriptions({
      tenantId: opts.tenantId,
      origin: this.origin,
      pipeline: this.pipeline,
      maxBodyBytes: this.maxBlobBytes,
      now: this.now,
      onEvent,
    });
  }

  /** Makes sure the content type's subscription is enabled (with the webhook, when given); starts it otherwise. */
  async ensureSubscription(
    contentType: ContentType,
    opts: { webhook?: WebhookSpec; signal?: AbortSignal } = {},
  ): Promise<void> {
    await this.subscriptions.ensure(contentType, opts.webhook, opts.signal);
  }

  /** Starts a subscription unconditionally (AF20024 "already enabled" is success). */
  async startSubscription(contentType: ContentType, opts: { webhook?: WebhookSpec; signal?: AbortSignal } = {}): Promise<void> {
    await this.subscriptions.start(contentType, opts.webhook, opts.signal);
  }

  /** Stops a subscription: content produced while stopped is never available. */
  async stopSubscription(contentType: ContentType, opts: { signal?: AbortSignal } = {}): Promise<void> {
    await this.subscriptions.stop(contentType, opts.signal);
  }

  async listSubscriptions(opts: { signal?: AbortSignal } = {}): Promise<Subscription[]> {
    return this.subscriptions.list(opts.signal);
  }

  /**
   * Every blob whose contentCreated is in [start, end): split into ≤24 h windows clamped to the 7-day limit (a clamp
   * is reported as a "windowClamped" event), NextPageUri followed to the end, the subscription started on
   * AF20022/AF20023 (honouring the start throttle).
   */
  listContent(
    contentType: ContentType,
    start: Date,
    end: Date,
    opts: { signal?: AbortSignal } = {},
  ): AsyncIterable<ContentBlobRef> {
    return listContent(
      {
        tenantId: this.tenantId,
        origin: this.origin,
        pipeline: this.pipeline,
        subscriptions: this.subscriptions,
        maxBodyBytes: this.maxBlobBytes,
        now: this.now,
        onEvent: this.onEvent,
      },
      contentType,
      start,
      end,
      opts.signal,
    );
  }

  /**
   * The blob's records. Refused before any request (HostNotAllowed) unless contentUri is on the API origin; with
   * `contentId`, also (ForeignContentUri) unless it is exactly this tenant's feed path for that blob.
   */
  async fetchContent(contentUri: string, opts: { signal?: AbortSignal; contentId?: string } = {}): Promise<{ records: unknown[]; bytes: number }> {
    // Off the origin entirely: the pipeline's origin pinning refuses it (HostNotAllowed, with its hostRefused event).
    if (opts.contentId !== undefined && this.isAllowedUrl(contentUri)) {
      const problem = this.contentUriProblem(opts.contentId, contentUri);
      if (problem) {
        throw new ManagementApiError(`Refused to fetch content: ${problem}. The blob is fetched only from the contentUri the tenant's listing gives.`, {
          code: ClientErrorCodes.ForeignContentUri,
          status: 0,
          transient: false,
          operation: "content",
        });
      }
    }
    return fetchContentBlob(this.pipeline, contentUri, this.maxBlobBytes, opts.signal);
  }

  /** Why contentUri is not this tenant's own feed path for contentId (undefined when it is): what notifications and the worker check. */
  contentUriProblem(contentId: string, contentUri: string): string | undefined {
    return this.origin.contentUrlProblem(contentUri, this.tenantId, contentId);
  }

  /** True when a contentUri may be fetched (same origin and base path as the API): lets planners flag bad refs early. */
  isAllowedUrl(url: string): boolean {
    try {
      this.origin.check(url, "check");
      return true;
    } catch {
      return false;
    }
  }
}
