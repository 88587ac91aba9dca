// Following the app's health until a tenant has caught up: every content type listed to within a small lag of now
// and nothing pending. Failed blobs do not hold it back (they are quarantined, and `requeue` re-drives them).
import { CliError } from "../output/cli-error";
import { ExitCode } from "../output/exit-codes";
import type { ContentTypeHealthView, OnboardingApp } from "./onboarding-app";

/** The health report's own "degraded" threshold: beyond it the planner is not keeping up. */
export const CAUGHT_UP_LAG_MINUTES = 60;

export interface CatchUpOptions {
  timeoutMs: number;
  pollMs: number;
  maxLagMinutes?: number;
  /** Each reading of the tenant's rows (progress display). */
  onHealth?: (rows: ContentTypeHealthView[]) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface CatchUpResult {
  rows: ContentTypeHealthView[];
  waitedMs: number;
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function caughtUp(row: ContentTypeHealthView, maxLagMinutes = CAUGHT_UP_LAG_MINUTES): boolean {
  return row.pending === 0 && row.lagMinutes !== null && row.lagMinutes <= maxLagMinutes;
}

export async function followCatchUp(app: OnboardingApp, tenantId: string, o: CatchUpOptions): Promise<CatchUpResult> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? delay;
  const started = now();
  let rows: ContentTypeHealthView[] = [];
  for (;;) {
    const report = await app.health();
    rows = report.tenants.filter((r) => r.tenantId.toLowerCase() === tenantId);
    if (rows.length === 0) {
      throw new CliError("TenantNotInHealth", `The app's health report has no row for tenant ${tenantId}.`, "The app runs with settings that do not list the tenant: deploy again (onboard does), then run onboard again.", ExitCode.Failed);
    }
    o.onHealth?.(rows);
    if (rows.every((r) => caughtUp(r, o.maxLagMinutes))) return { rows, waitedMs: now() - started };
    if (now() - started + o.pollMs > o.timeoutMs) {
      const behind = rows.filter((r) => !caughtUp(r, o.maxLagMinutes));
      throw new CliError(
        "NotCaughtUp",
        `Tenant ${tenantId} has not caught up within ${Math.round(o.timeoutMs / 1000)} s: ${behind.map((r) => `${r.contentType} ${r.pending} pending, lag ${r.lagMinutes ?? "unknown"} min`).join("; ")}.`,
        "The app keeps ingesting on its own: follow it with `m365-audit-lake status`, or run onboard again with a longer --catch-up-timeout.",
        ExitCode.Timeout,
        behind.flatMap((r) => r.problems.map((p) => `${r.contentType}: ${p}`)),
      );
    }
    await sleep(o.pollMs);
  }
}
