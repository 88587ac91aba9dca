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
import { inScope, type OperatorScope } from "./operator-scope";
import { TenantAccessCheck, type TenantAccessReport } from "./tenant-access";

export interface AdminUseCases {
  /** Token, roles, subscriptions and last plan error of one tenant (404 when unknown or outside the scope) or all in scope. */
  tenantAccess(tenantId: string | undefined, scope: OperatorScope): Promise<TenantAccessReport>;
  /** A plan run of one tenant now (404 when unknown or outside the scope); 429 PlanRateLimited past PLAN_NOW_BURST runs, then one per PLAN_NOW_EVERY_MS. */
  planNow(tenantId: string, log: EngineLog, scope: OperatorScope): Promise<PlanNowResult[]>;
  requeue(request: Omit<RequeueRequest, "tenant"> & { tenantId: string }, scope: OperatorScope): Promise<RequeueResult>;
  /** The tenant ids the scope reaches, in config order (what a tenant-scoped answer is filtered to). */
  tenantsInScope(scope: OperatorScope): string[];
}

export function adminUseCases(engine: Engine, now: () => Date = engine.now): AdminUseCases {
  const access = new TenantAccessCheck({ tenants: engine.config.tenants, clients: engine.tenants, checkpoints: engine.checkpoints, now });
  let reopening: LedgerReopening | undefined; // its own table client, made on the first requeue only
  const planLimit = new PlanNowLimit(now);
  // Unknown and out of scope answer alike: a scoped operator learns nothing about other tenants.
  const tenant = (tenantId: string, scope: OperatorScope) => {
    const found = [...engine.tenants.values()].find((t) => t.config.tenantId.toLowerCase() === tenantId.toLowerCase());
    if (!found || !inScope(scope, found.config.tenantId)) throw unknownTenant(tenantId);
    return found;
  };
  const scoped = (scope: OperatorScope) => [...engine.tenants.values()].filter((t) => inScope(scope, t.config.tenantId));
  return {
    tenantAccess: (tenantId, scope) => access.check(tenantId === undefined ? scoped(scope).map((t) => t.config) : [tenant(tenantId, scope).config]),
    planNow: async (tenantId, log, scope) => {
      const planned = tenant(tenantId, scope);
      planLimit.take(planned.config.tenantId);
      return planNow(engine.planner, planned, log);
    },
    requeue: async ({ tenantId, ...rest }, scope) =>
      requeue({ ledger: engine.ledger, reopening: (reopening ??= new LedgerReopening(engine.storage.table(LEDGER_TABLE))), intake: engine.intake, now }, { tenant: tenant(tenantId, scope).config, ...rest }),
    tenantsInScope: (scope) => scoped(scope).map((t) => t.config.tenantId),
  };
}
