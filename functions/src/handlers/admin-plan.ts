import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { z } from "zod";
import { getAuditLake } from "../composition-root";
import { adminCall, answer, callerScope, parseBody } from "./admin-answer";

// one tenant per request: a run of every tenant is the timer's (every 5 minutes), not something to ask for in a loop
const body = z.strictObject({ tenantId: z.string({ error: "is required: the tenant to plan now (the timer plans every tenant every 5 minutes)" }).min(1).max(64) });

/** POST operator/plan {tenantId}: a plan run now for one tenant, rate-limited per tenant; failures are per pair in the results. */
export async function adminPlan(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return adminCall(async () => {
    const scope = callerScope(request);
    const parsed = await parseBody(request, body);
    if (!parsed.ok) return parsed.response;
    return answer(200, { results: await getAuditLake().admin.planNow(parsed.value.tenantId, context, scope) });
  });
}
