import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { getAuditLake } from "../composition-root";
import { adminCall, answer, refusal } from "./admin-answer";

/** POST operator/backfills {tenantId, from, to, operations?, recordTypes?} → 202 {job}; GET operator/backfills[?tenant=] → {jobs}. */
export async function adminBackfills(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  if (request.method === "GET") return adminCall(async () => answer(200, { jobs: await getAuditLake().backfills(request.query.get("tenant") ?? undefined) }));
  const text = await request.text();
  let body: unknown = {};
  try {
    if (text.trim()) body = JSON.parse(text);
  } catch {
    return refusal(400, "BadRequest", "The body is not JSON.", 'Send {"tenantId","from","to"} as JSON (Content-Type: application/json).');
  }
  return adminCall(async () => {
    const job = await getAuditLake().startBackfill(body);
    context.info(`back-fill ${job.id} of tenant ${job.tenantId} queued: ${job.from} – ${job.to}, ${job.intervals.total} interval(s)`);
    // accepted, not done: the run-backfills timer works through it over minutes to hours
    return answer(202, { job });
  });
}

/** GET operator/backfills/{id} → {job}. */
export async function adminBackfill(request: HttpRequest): Promise<HttpResponseInit> {
  return adminCall(async () => answer(200, { job: await getAuditLake().backfill(request.params.id ?? "") }));
}
