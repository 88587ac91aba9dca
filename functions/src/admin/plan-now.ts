// A plan run now, for one tenant or all, instead of waiting for the timer: what onboarding triggers.
import type { ContentType } from "../management-api";
import type { EngineLog } from "../use-cases/engine-log";
import type { Planner, PlannedTenant } from "../use-cases/planner";

export interface PlanNowResult {
  tenantId: string;
  contentType: string;
  enqueued: number;
  error?: { code: string; message: string };
}

/**
 * Plans every content type of one tenant, or everything (the timer's own run, with its bounded concurrency) when no
 * tenant is given; one failing pair never stops the others.
 */
export async function planNow(planner: Pick<Planner, "run" | "planOne">, tenant: PlannedTenant | undefined, log: EngineLog): Promise<PlanNowResult[]> {
  const results = tenant
    ? await Promise.all(tenant.config.contentTypes.map((contentType) => planner.planOne(tenant, contentType as ContentType, log)))
    : await planner.run(log);
  return results.map((r) => ({ tenantId: r.tenantId, contentType: r.contentType, enqueued: r.enqueued + r.reenqueued, ...(r.error ? { error: r.error } : {}) }));
}
