// Subscriptions: content is only produced for started content types. Starting is itself throttled (about one start per
// 15 minutes), so a refused start is remembered and not repeated before the service's stated wait.
import type { ApiOrigin } from "./api-origin";
import type { ContentType } from "./content-types";
import { AfCodes, ClientErrorCodes, ManagementApiError, formatDuration, isManagementApiError } from "./errors";
import type { OnEvent } from "./events";
import type { ApiPipeline } from "./http-pipeline";

export interface Subscription {
  contentType: string;
  status: string;
  webhook: unknown;
}

export interface WebhookSpec {
  address: string;
  authId?: string;
  /** ISO date; omitted = the service's default. */
  expiration?: string;
}

export interface SubscriptionDeps {
  tenantId: string;
  origin: ApiOrigin;
  pipeline: ApiPipeline;
  maxBodyBytes: number;
  now: () => Date;
  onEvent?: OnEvent;
}

const isArray = (json: unknown) => (Array.isArray(json) ? null : "expected a JSON array of subscriptions");

export class Subscriptions {
  private readonly startNotBefore = new Map<string, number>();

  constructor(private readonly d: SubscriptionDeps) {}

  async list(signal?: AbortSignal): Promise<Subscription[]> {
    const res = await this.d.pipeline.send({
      operation: "subscriptions/list",
      method: "GET",
      url: this.d.origin.feedUrl(this.d.tenantId, "subscriptions/list"),
      signal,
      maxBodyBytes: this.d.maxBodyBytes,
      validate: isArray,
    });
    return (res.json as Array<Record<string, unknown>>).map((s) => ({
      contentType: String(s.contentType ?? ""),
      status: String(s.status ?? ""),
      webhook: s.webhook ?? null,
    }));
  }

  /** Enabled already (and with the requested webhook, if any) → nothing is sent but the list; otherwise starts it. */
  async ensure(contentType: ContentType, webhook?: WebhookSpec, signal?: AbortSignal): Promise<void> {
    const current = (await this.list(signal)).find((s) => s.contentType.toLowerCase() === contentType.toLowerCase());
    const enabled = current?.status.toLowerCase() === "enabled";
    const webhookAddress = (current?.webhook as { address?: unknown } | null)?.address;
    if (enabled && (!webhook || webhookAddress === webhook.address)) return;
    await this.start(contentType, webhook, signal);
  }

  /** POST subscriptions/start; "already enabled" (AF20024, undocumented but real) counts as success. */
  async start(contentType: ContentType, webhook?: WebhookSpec, signal?: AbortSignal): Promise<void> {
    const notBefore = this.startNotBefore.get(contentType) ?? 0;
    const waitMs = notBefore - this.d.now().getTime();
    if (waitMs > 0) throw this.throttled(contentType, waitMs);
    try {
      await this.d.pipeline.send({
        operation: "subscriptions/start",
        method: "POST",
        url: this.d.origin.feedUrl(this.d.tenantId, "subscriptions/start", { contentType }),
        body: webhook ? { webhook } : undefined,
        signal,
        maxBodyBytes: this.d.maxBodyBytes,
      });
    } catch (e) {
      if (isManagementApiError(e) && e.code === AfCodes.SubscriptionAlreadyEnabled) return;
      if (isManagementApiError(e) && e.code === ClientErrorCodes.SubscriptionStartThrottled) {
        const retryAfterMs = e.retryAfterMs ?? 15 * 60_000;
        this.startNotBefore.set(contentType, this.d.now().getTime() + retryAfterMs);
        this.d.onEvent?.({ type: "subscriptionStartThrottled", contentType, retryAfterMs });
      }
      throw e;
    }
    this.startNotBefore.delete(contentType);
    this.d.onEvent?.({ type: "subscriptionStarted", contentType });
  }

  async stop(contentType: ContentType, signal?: AbortSignal): Promise<void> {
    await this.d.pipeline.send({
      operation: "subscriptions/stop",
      method: "POST",
      url: this.d.origin.feedUrl(this.d.tenantId, "subscriptions/stop", { contentType }),
      signal,
      maxBodyBytes: this.d.maxBodyBytes,
    });
  }

  private throttled(contentType: string, waitMs: number): ManagementApiError {
    return new ManagementApiError(
      `The ${contentType} subscription of tenant ${this.d.tenantId} needs starting, but the last start was throttled: ` +
        `not retrying before ${formatDuration(waitMs)} (Microsoft allows about one start per 15 minutes). Content ` +
        `produced while a subscription is off is never available.`,
      {
        code: ClientErrorCodes.SubscriptionStartThrottled,
        status: 0,
        transient: true,
        retryAfterMs: waitMs,
        operation: "subscriptions/start",
      },
    );
  }
}
