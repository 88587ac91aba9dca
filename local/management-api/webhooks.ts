// Webhooks: the validation handshake on subscriptions/start, then notifications (a JSON array of content objects with
// tenantId and clientId) POSTed as blobs become available, retried with backoff; repeated failures disable the webhook.
// Only addresses on 127.0.0.1 are ever called: the emulator must not reach anything else.
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { randomUUID } from "node:crypto";
import type { EmulatedTenantState, NotificationSent } from "./emulated-tenant-state";
import type { Subscription } from "./subscription";
import type { CatalogBlob } from "./content-catalog";
import { CONTENT_TYPES } from "./types";

export function loopbackOnly(address: string): string | null {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return "The webhook address is not an absolute URL.";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "The webhook address must be http or https.";
  if (url.hostname !== "127.0.0.1") return "The emulator only calls webhooks on 127.0.0.1 (it never contacts other hosts).";
  return null;
}

/** POSTs JSON and resolves with the status (0 when the connection failed or timed out). */
export function postJson(address: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const url = new URL(address);
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: "POST",
        headers: { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(body), ...headers },
        timeout: timeoutMs,
        // loopback only (checked before any call); a local receiver's certificate is whatever the test minted
        rejectUnauthorized: false,
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", () => resolve(0));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve(0));
    req.end(body);
  });
}

/** The handshake: a validation code in a header and in the body; anything but 200 fails the registration. */
export async function validateWebhook(address: string, authId: string | null, timeoutMs: number): Promise<string | null> {
  const refused = loopbackOnly(address);
  if (refused) return refused;
  const validationCode = randomUUID();
  const headers: Record<string, string> = { "Webhook-ValidationCode": validationCode };
  if (authId) headers["Webhook-AuthID"] = authId;
  const status = await postJson(address, JSON.stringify({ validationCode }), headers, timeoutMs);
  return status === 200 ? null : status === 0 ? "The endpoint could not be reached." : `The endpoint answered HTTP ${status} instead of 200.`;
}

export interface NotifierOptions {
  intervalMs: number;
  attempts: number;
  retryDelayMs: number;
  failuresBeforeDisable: number;
  batchSize: number;
  nowMs: () => number;
  contentObject: (tenant: EmulatedTenantState, blob: CatalogBlob) => Record<string, string>;
}

export class WebhookNotifier {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly tenants: EmulatedTenantState[],
    private readonly o: NotifierOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.o.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  /** Webhook registered now: only blobs that become available from now on are announced. */
  registered(tenant: EmulatedTenantState, sub: Subscription): void {
    sub.notifyCursor = tenant.catalog(sub.contentType as (typeof CONTENT_TYPES)[number]).createdBy(this.o.nowMs());
  }

  private tick(): void {
    for (const tenant of this.tenants) {
      if (!tenant.isBuilt) continue;
      for (const contentType of CONTENT_TYPES) {
        const sub = tenant.subscription(contentType);
        if (sub.status !== "enabled" || sub.webhook?.status !== "enabled" || sub.notifyBusy) continue;
        const p = this.deliver(tenant, sub).finally(() => this.inFlight.delete(p));
        this.inFlight.add(p);
      }
    }
  }

  private async deliver(tenant: EmulatedTenantState, sub: Subscription): Promise<void> {
    const catalog = tenant.catalog(sub.contentType as (typeof CONTENT_TYPES)[number]);
    const now = this.o.nowMs();
    const end = Math.min(catalog.createdBy(now), sub.notifyCursor + this.o.batchSize);
    if (end <= sub.notifyCursor) return;
    const blobs = catalog.blobs.slice(sub.notifyCursor, end).filter((b) => !sub.producedWhileStopped(b.createdMs));
    const webhook = sub.webhook!;
    sub.notifyBusy = true;
    try {
      let status = 0;
      if (blobs.length > 0) {
        const body = JSON.stringify(
          blobs.map((b) => ({ tenantId: tenant.identity.tenantId, clientId: tenant.identity.clientId, ...this.o.contentObject(tenant, b) })),
        );
        const headers: Record<string, string> = webhook.authId ? { "Webhook-AuthID": webhook.authId } : {};
        for (let attempt = 0; attempt < this.o.attempts && !this.stopped; attempt++) {
          if (attempt > 0) await new Promise((r) => setTimeout(r, this.o.retryDelayMs * 2 ** (attempt - 1)).unref());
          status = await postJson(webhook.address, body, headers, 10_000);
          if (status === 200) break;
        }
        if (this.stopped) return;
        const log = tenant.notifications.get(catalog.contentType)!;
        const sent = new Date(this.o.nowMs()).toISOString();
        for (const b of blobs) {
          const n: NotificationSent = {
            ...(this.o.contentObject(tenant, b) as Omit<NotificationSent, "notificationSent" | "notificationStatus" | "createdMs">),
            notificationSent: sent,
            notificationStatus: status === 200 ? "Succeeded" : "Failed",
            createdMs: b.createdMs,
          };
          log.push(n);
        }
      } else {
        status = 200;
      }
      if (status === 200) {
        sub.notifyCursor = end;
        sub.consecutiveNotifyFailures = 0;
      } else if (++sub.consecutiveNotifyFailures >= this.o.failuresBeforeDisable) {
        // polling stays the source of truth; a new subscriptions/start re-enables the webhook
        webhook.status = "disabled";
      }
    } finally {
      sub.notifyBusy = false;
    }
  }
}
