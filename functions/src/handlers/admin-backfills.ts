import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { getAuditLake } from "../composition-root";
import { AdminRequestError, unknownTenant } from "../admin/admin-error";
import { inScope } from "../admin/operator-scope";
import { adminCall, answer, callerScope, refusal } from "./admin-answer";

/** POST operator/backfills {tenantId, from, to, operations?, recordTypes?} → 202 {job}; GET operator/backfills[?tenant=] → {jobs}. */
export async function adminBackfills(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  if (request.method === "GET") {
    return adminCall(async () => {
      const scope = callerScope(request);
      const jobs = await getAuditLake().backfills(request.query.get("tenant") ?? undefined);
      return answer(200, { jobs: jobs.filter((j) => inScope(scope, j.tenantId)) });
    });
  }
  const text = await request.text();
  let body: unknown = {};
  try {
    if (text.trim()) body = JSON.parse(text);
  } catch {
    return refusal(400, "BadRequest", "The body is not JSON.", 'Send {"tenantId","from","to"} as JSON (Content-Type: application/json).');
  }
  return adminCall(async () => {
    const scope = callerScope(request);
    const tenantId = (body as { tenantId?: unknown } | null)?.tenantId;
    // outside the scope answers as an unknown tenant does: nothing is recorded
    if (typeof tenantId === "string" && !inScope(scope, tenantId)) throw unknownTenant(tenantId);
    const job = await getAuditLake().startBackfill(body);
    context.info(`back-fill ${job.id} of tenant ${job.tenantId} queued: ${job.from} – ${job.to}, ${job.intervals.total} interval(s)`);
    // accepted, not done: the run-backfills timer works through it over minutes to hours
    return answer(202, { job });
  });
}

/** GET operator/backfills/{id} → {job}. */
export async function adminBackfill(request: HttpRequest): Promise<HttpResponseInit> {
  return adminCall(async () => {
    const scope = callerScope(request);
    const job = await getAuditLake().backfill(request.params.id ?? "");
    if (!inScope(scope, job.tenantId)) throw new AdminRequestError(404, "UnknownBackfill", `No back-fill job ${request.params.id ?? ""} among your tenants' jobs.`, "List your jobs with `m365-audit-lake backfill status`.");
    return answer(200, { job });
  });
}
