import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { inScope, type OperatorScope } from "../admin/operator-scope";
import { getAuditLake } from "../composition-root";
import type { HealthReport, HealthStatus } from "../use-cases/health";
import { adminCall, callerScope } from "./admin-answer";

/** GET: lag, pending / failed / expiring blobs and last success per tenant × content type, of the caller's tenants. 503 when unhealthy. */
export async function health(request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  return adminCall(async () => {
    const scope = callerScope(request);
    const report = scoped(await getAuditLake().health(), scope);
    return { status: report.status === "unhealthy" ? 503 : 200, jsonBody: report, headers: { "Cache-Control": "no-store" } };
  });
}

const RANK: Record<HealthStatus, number> = { ok: 0, degraded: 1, unhealthy: 2 };

/** The report of the scope's tenants only, its status the worst of theirs. */
function scoped(report: HealthReport, scope: OperatorScope): HealthReport {
  if (scope.kind === "all") return report;
  const tenants = report.tenants.filter((t) => inScope(scope, t.tenantId));
  const status = tenants.reduce<HealthStatus>((worst, t) => (RANK[t.status] > RANK[worst] ? t.status : worst), "ok");
  return { ...report, status, tenants, ...(report.backfills ? { backfills: report.backfills.filter((b) => inScope(scope, b.tenantId)) } : {}) };
}
