import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { z } from "zod";
import { getAuditLake } from "../composition-root";
import { operatorScope } from "../admin/operator-scope";
import { adminCall, answer, parseBody } from "./admin-answer";

const body = z.strictObject({ tenantId: z.string().min(1).optional() });

/** POST admin/plan {tenantId?}: a plan run now, for one tenant or all; failures are per pair in the results. */
export async function adminPlan(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return adminCall(async () => {
    const scope = operatorScope(request.headers);
    const parsed = await parseBody(request, body);
    if (!parsed.ok) return parsed.response;
    return answer(200, { results: await getAuditLake().admin.planNow(parsed.value.tenantId, context, scope) });
  });
}
