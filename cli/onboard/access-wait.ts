// Waiting until the app can read a tenant's feed: token, roles and every subscription enabled. Consent is given by a
// person, so this polls until a deadline. Subscriptions only start when the planner runs, so once the token and its
// roles are right the wait asks for a plan run rather than sitting out the 5-minute timer.
import { CliError } from "../output/cli-error";
import { ExitCode } from "../output/exit-codes";
import type { OnboardingApp, PlanRunResult, TenantAccessView } from "./onboarding-app";

export interface AccessWaitOptions {
  timeoutMs: number;
  pollMs: number;
  /** The fixes to print for an answer (the consent URL, the role to grant, the admin setting). */
  advise: (access: TenantAccessView) => string[];
  /** Each answer, as it comes (progress display). */
  onAccess?: (access: TenantAccessView) => void;
  /** The least time between two plan runs asked for while subscriptions start. */
  planEveryMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface AccessWaitResult {
  access: TenantAccessView;
  /** The plan runs asked for to start the subscriptions. */
  planRuns: PlanRunResult[][];
  waitedMs: number;
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitForAccess(app: OnboardingApp, tenantId: string, o: AccessWaitOptions): Promise<AccessWaitResult> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? delay;
  const started = now();
  const planRuns: PlanRunResult[][] = [];
  let lastPlanAt = -Infinity;
  let last: TenantAccessView | undefined;
  let lastError: Error | undefined;
  for (;;) {
    try {
      last = await app.tenantAccess(tenantId);
      lastError = undefined;
      o.onAccess?.(last);
      if (last.ready) return { access: last, planRuns, waitedMs: now() - started };
      const canRead = last.token.ok && last.missingRoles.length === 0;
      if (canRead && now() - lastPlanAt >= (o.planEveryMs ?? 30_000)) {
        lastPlanAt = now();
        planRuns.push(await app.plan(tenantId));
        continue;
      }
    } catch (e) {
      // The app restarts after a deployment: it may refuse or not yet know the tenant for a while.
      if (e instanceof CliError && e.exitCode === ExitCode.Auth) throw e;
      lastError = e as Error;
    }
    if (now() - started + o.pollMs > o.timeoutMs) throw notReady(tenantId, o, last, lastError);
    await sleep(o.pollMs);
  }
}

function notReady(tenantId: string, o: AccessWaitOptions, access: TenantAccessView | undefined, error: Error | undefined): CliError {
  const seconds = Math.round(o.timeoutMs / 1000);
  if (!access) {
    return new CliError(
      "AppUnreachable",
      `The Function App did not answer the access check of tenant ${tenantId} within ${seconds} s: ${error?.message ?? "no answer"}.`,
      "Check that the deployment finished and the app is running (m365-audit-lake status), then run onboard again: the config already lists the tenant.",
      ExitCode.Timeout,
    );
  }
  const advice = o.advise(access);
  return new CliError(
    access.token.ok ? (access.missingRoles.length ? "RolesMissing" : "SubscriptionsNotEnabled") : access.token.code,
    `Tenant ${tenantId} is not ready after ${seconds} s: ${whyNotReady(access)}.`,
    advice.length ? `${advice.join(" ")} Then run onboard again (or with a longer --timeout).` : "Run onboard again with a longer --timeout.",
    ExitCode.Timeout,
    access.subscriptions.filter((s) => s.error).map((s) => `${s.contentType}: ${s.status}${s.error ? ` (${s.error.code}: ${s.error.message})` : ""}`),
  );
}

/** One line on what stops the tenant from being ready. */
export function whyNotReady(access: TenantAccessView): string {
  if (!access.token.ok) return `the app gets no token (${access.token.code}: ${access.token.message})`;
  if (access.missingRoles.length) return `the app's token lacks ${access.missingRoles.join(" and ")}`;
  const off = access.subscriptions.filter((s) => s.status !== "enabled");
  return `${off.length} subscription(s) not enabled (${off.map((s) => `${s.contentType} ${s.status}${s.error ? ` ${s.error.code}` : ""}`).join(", ")})`;
}
