import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { getAuditLake } from "../composition-root";
import { adminCall, answer, callerScope } from "./admin-answer";

/** GET admin/tenants[?tenant=<id>]: can the app read each tenant's feed (token, roles, subscriptions, last plan error)? */
export async function adminTenants(request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  return adminCall(async () => answer(200, await getAuditLake().admin.tenantAccess(request.query.get("tenant") ?? undefined, callerScope(request))));
}
