// subscriptions/start, subscriptions/stop and subscriptions/list.
import { ApiErrors } from "./api-errors";
import type { EmulatedTenantState } from "./emulated-tenant-state";
import { requireContentType } from "./content-listing";
import type { Webhook } from "./subscription";
import { parseApiTime } from "./time-window";
import { validateWebhook } from "./webhooks";

export interface SubscriptionContext {
  nowMs: number;
  startThrottleMs: number;
  webhookValidationTimeoutMs: number;
  onWebhookRegistered: (tenant: EmulatedTenantState, contentType: string) => void;
}

function parseWebhook(bodyText: string, nowMs: number): Webhook | null {
  if (bodyText.trim() === "") return null;
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    throw ApiErrors.invalidParameter("body", "JSON object");
  }
  const webhook = (body as { webhook?: unknown } | null)?.webhook;
  if (webhook === undefined || webhook === null) return null;
  if (typeof webhook !== "object") throw ApiErrors.invalidParameter("webhook", "object");
  const w = webhook as { address?: unknown; authId?: unknown; expiration?: unknown };
  if (typeof w.address !== "string" || w.address === "") throw ApiErrors.missingParameter("webhook.address");
  let expiration: string | null = null;
  if (typeof w.expiration === "string" && w.expiration !== "") {
    const at = parseApiTime(w.expiration);
    if (at === null) throw ApiErrors.invalidParameter("webhook.expiration", "DateTime");
    if (at < nowMs) throw ApiErrors.expirationInPast(w.expiration);
    expiration = w.expiration;
  }
  return { address: w.address, authId: typeof w.authId === "string" && w.authId !== "" ? w.authId : null, expiration, status: "enabled" };
}

export async function startSubscription(ctx: SubscriptionContext, tenant: EmulatedTenantState, params: URLSearchParams, bodyText: string): Promise<string> {
  const contentType = requireContentType(params);
  const webhook = parseWebhook(bodyText, ctx.nowMs);
  const sub = tenant.subscription(contentType);
  if (sub.status === "enabled" && sub.sameWebhook(webhook)) throw ApiErrors.alreadyEnabled();
  // about one start per content type every 15 minutes; a no-op start (AF20024 above) does not count
  if (sub.lastStartMs !== null && ctx.nowMs - sub.lastStartMs < ctx.startThrottleMs) {
    throw ApiErrors.startThrottled(ctx.startThrottleMs - (ctx.nowMs - sub.lastStartMs));
  }
  if (webhook) {
    const failure = await validateWebhook(webhook.address, webhook.authId, ctx.webhookValidationTimeoutMs);
    if (failure) throw ApiErrors.webhookNotValidated(webhook.address, failure);
  }
  sub.enable(ctx.nowMs, webhook);
  if (webhook) ctx.onWebhookRegistered(tenant, contentType);
  return JSON.stringify(sub.view());
}

export function stopSubscription(ctx: SubscriptionContext, tenant: EmulatedTenantState, params: URLSearchParams): void {
  const contentType = requireContentType(params);
  const sub = tenant.subscription(contentType);
  if (sub.status === "never") throw ApiErrors.noSubscription();
  sub.disable(ctx.nowMs);
}

export function listSubscriptions(tenant: EmulatedTenantState): string {
  return JSON.stringify([...tenant.subscriptions.values()].filter((s) => s.status !== "never").map((s) => s.view()));
}
