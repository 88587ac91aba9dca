// One tenant's subscription to one content type: enabled, disabled or never started, its webhook, when it was last
// started (for the start throttle) and the periods it was stopped (content produced then is never available).

export interface Webhook {
  address: string;
  authId: string | null;
  expiration: string | null;
  status: "enabled" | "disabled";
}

export class Subscription {
  status: "never" | "enabled" | "disabled" = "never";
  webhook: Webhook | null = null;
  lastStartMs: number | null = null;
  private stoppedSinceMs: number | null = null;
  private readonly gaps: Array<[number, number]> = [];
  /** Webhook delivery cursor: blobs before this position (in contentCreated order) were announced or skipped. */
  notifyCursor = 0;
  consecutiveNotifyFailures = 0;
  notifyBusy = false;

  constructor(readonly contentType: string) {}

  enable(nowMs: number, webhook: Webhook | null): void {
    if (this.status === "disabled" && this.stoppedSinceMs !== null) this.gaps.push([this.stoppedSinceMs, nowMs]);
    this.stoppedSinceMs = null;
    this.status = "enabled";
    this.webhook = webhook;
    this.lastStartMs = nowMs;
    this.consecutiveNotifyFailures = 0;
  }

  disable(nowMs: number): void {
    if (this.status !== "enabled") return;
    this.status = "disabled";
    this.stoppedSinceMs = nowMs;
  }

  /** Content whose blob was created while the subscription was stopped is never available (not even after a restart). */
  producedWhileStopped(createdMs: number): boolean {
    if (this.stoppedSinceMs !== null && createdMs >= this.stoppedSinceMs) return true;
    for (const [from, to] of this.gaps) if (createdMs >= from && createdMs < to) return true;
    return false;
  }

  /** Same webhook as already registered (the "no property change" case of AF20024). */
  sameWebhook(other: Webhook | null): boolean {
    const a = this.webhook;
    if (a === null || other === null) return a === other;
    return a.address === other.address && a.authId === other.authId && a.expiration === other.expiration && a.status === "enabled";
  }

  view(): { contentType: string; status: string; webhook: Record<string, unknown> | null } {
    const w = this.webhook;
    return {
      contentType: this.contentType,
      status: this.status,
      webhook: w ? { status: w.status, address: w.address, authId: w.authId, expiration: w.expiration } : null,
    };
  }
}
