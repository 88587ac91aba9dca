// The admin API's use cases over one engine: tenant access, a plan run now, requeue. The handlers call these through
// the composition root.
import { LEDGER_TABLE } from "../state/content-ledger";
import type { Engine } from "../use-cases/engine";
import type { EngineLog } from "../use-cases/engine-log";
import { unknownTenant } from "./admin-error";
import { LedgerReopening } from "./ledger-reopening";
import { planNow, type PlanNowResult } from "./plan-now";
import { PlanNowLimit } from "./plan-rate";
import { requeue, type RequeueRequest, type RequeueResult } from "./requeue";
import { TenantAccessCheck, type TenantAccessReport } from "./tenant-access";

export interface AdminUseCases {
  /** Token, roles, subscriptions and last plan error of one tenant (404 when unknown) or all. */
  tenantAccess(tenantId?: string): Promise<TenantAccessReport>;
  /** A plan run of one tenant now; 429 PlanRateLimited past PLAN_NOW_BURST runs, then one per PLAN_NOW_EVERY_MS. */
  planNow(tenantId: string, log: EngineLog): Promise<PlanNowResult[]>;
  requeue(request: Omit<RequeueRequest, "tenant"> & { tenantId: string }): Promise<RequeueResult>;
}

export function adminUseCases(engine: Engine, now?: () => Date): AdminUseCases {
  const access = new TenantAccessCheck({ tenants: engine.config.tenants, clients: engine.tenants, checkpoints: engine.checkpoints, now });
  let reopening: LedgerReopening | undefined; // its own table client, made on the first requeue only
  const planLimit = new PlanNowLimit(now);
  const tenant = (tenantId: string) => {
    const found = [...engine.tenants.values()].find((t) => t.config.tenantId.toLowerCase() === tenantId.toLowerCase());
    if (!found) throw unknownTenant(tenantId, engine.config.tenants.map((t) => t.tenantId));
    return found;
  };
  return {
    tenantAccess: (tenantId) => access.check(tenantId === undefined ? undefined : [tenant(tenantId).config]),
    planNow: async (tenantId, log) => {
      const planned = tenant(tenantId);
      planLimit.take(planned.config.tenantId);
      return planNow(engine.planner, planned, log);
    },
    requeue: async ({ tenantId, ...rest }) => requeue({ ledger: engine.ledger, reopening: (reopening ??= new LedgerReopening(engine.storage.table(LEDGER_TABLE))), intake: engine.intake, now }, { tenant: tenant(tenantId).config, ...rest }),
  };
}
