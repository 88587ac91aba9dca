// A tenant's onboarding once its configuration is deployed, shared by `onboard` and `rollout`: wait until the app can
// read the tenant's feed, run the planner for it now, follow health until it has caught up. The engine itself starts
// the subscriptions and back-fills the last 7 days; this only asks it to start now and watches.
import { CliError } from "../output/cli-error";
import { ExitCode } from "../output/exit-codes";
import { waitForAccess } from "./access-wait";
import { followCatchUp } from "./catch-up";
import type { ContentTypeHealthView, OnboardingApp, PlanRunResult, TenantAccessView } from "./onboarding-app";

export type OnboardingStage = "resolve" | "config" | "deploy" | "access" | "plan" | "catch-up" | "done";

export interface OnboardingEvents {
  stage?(stage: OnboardingStage, detail?: string): void;
  access?(access: TenantAccessView): void;
  health?(rows: ContentTypeHealthView[]): void;
}

export interface TenantOnboardingOptions {
  accessTimeoutMs: number;
  catchUpTimeoutMs: number;
  pollMs: number;
  advise: (access: TenantAccessView) => string[];
  events?: OnboardingEvents;
}

export interface TenantOnboardingResult {
  access: TenantAccessView;
  /** The plan run asked for once the tenant was ready. */
  plan: PlanRunResult[];
  /** Blobs enqueued by every plan run this onboarding asked for (the wait's, which start the subscriptions, included). */
  enqueued: number;
  health: ContentTypeHealthView[];
  waited: { accessSeconds: number; catchUpSeconds: number };
}

export async function onboardDeployedTenant(app: OnboardingApp, tenantId: string, o: TenantOnboardingOptions): Promise<TenantOnboardingResult> {
  o.events?.stage?.("access", "waiting until the app can read the tenant's feed");
  const wait = await waitForAccess(app, tenantId, { timeoutMs: o.accessTimeoutMs, pollMs: o.pollMs, advise: o.advise, onAccess: o.events?.access });

  o.events?.stage?.("plan", "asking the app for a plan run");
  const plan = await app.plan(tenantId);
  const failed = plan.filter((r) => r.error);
  // one content type failing is the planner's to retry; all of them failing means nothing will come
  if (plan.length > 0 && failed.length === plan.length) {
    throw new CliError(
      failed[0].error!.code,
      `The plan run for tenant ${tenantId} failed for every content type.`,
      "Fix what the errors name (m365-audit-lake status shows the tenant's access and advice), then run onboard again.",
      ExitCode.Failed,
      failed.map((r) => `${r.contentType}: ${r.error!.code}: ${r.error!.message}`),
    );
  }

  const enqueued = [...wait.planRuns, plan].flat().reduce((n, r) => n + r.enqueued, 0);
  o.events?.stage?.("catch-up", `${enqueued} blob(s) enqueued; following health`);
  const caught = await followCatchUp(app, tenantId, { timeoutMs: o.catchUpTimeoutMs, pollMs: o.pollMs, onHealth: o.events?.health });
  o.events?.stage?.("done");
  return { access: wait.access, plan, enqueued, health: caught.rows, waited: { accessSeconds: Math.round(wait.waitedMs / 1000), catchUpSeconds: Math.round(caught.waitedMs / 1000) } };
}
