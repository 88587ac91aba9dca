// What onboarding reads from and asks of the Function App through its admin API (cli/app/admin-client.ts): tenant
// access, a plan run now, and health — narrowed to the three calls, so the steps can be read (and driven) alone.
import type { AdminClient } from "../app/admin-client";
import type { TenantAccess } from "../../functions/src/admin/tenant-access";
import type { PlanNowResult } from "../../functions/src/admin/plan-now";
import type { ContentTypeHealth, HealthReport } from "../../functions/src/use-cases/health";

export type TenantAccessView = TenantAccess;
export type PlanRunResult = PlanNowResult;
export type ContentTypeHealthView = ContentTypeHealth;

export interface OnboardingApp {
  tenantAccess(tenantId: string): Promise<TenantAccessView>;
  plan(tenantId: string): Promise<PlanRunResult[]>;
  health(): Promise<HealthReport>;
}

export function onboardingApp(client: AdminClient): OnboardingApp {
  return {
    tenantAccess: async (tenantId) => (await client.tenants(tenantId)).tenants[0],
    plan: async (tenantId) => (await client.plan(tenantId)).results,
    health: () => client.health(),
  };
}
