import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { z } from "zod";
import { getAuditLake } from "../composition-root";
import { adminCall, answer, callerScope, parseBody } from "./admin-answer";
import { fieldsArgument } from "../log-line";

const isoDate = z.iso.datetime({ offset: true, message: "expected an ISO 8601 time such as 2026-11-28T00:00:00Z" });
const body = z
  .strictObject({
    tenantId: z.string().min(1, "is required"),
    select: z.enum(["failed", "expiring"]),
    from: isoDate.optional(),
    to: isoDate.optional(),
    dryRun: z.boolean().optional(),
  })
  .refine((b) => !b.from || !b.to || Date.parse(b.from) < Date.parse(b.to), { path: ["to"], message: "must be after from" });

/** POST admin/requeue {tenantId, select, from?, to?, dryRun?}: re-admit failed or expiring blobs the API still serves. */
export async function adminRequeue(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return adminCall(async () => {
    const scope = callerScope(request);
    const parsed = await parseBody(request, body);
    if (!parsed.ok) return parsed.response;
    const { tenantId, select, from, to, dryRun } = parsed.value;
    const result = await getAuditLake().admin.requeue({ tenantId, select, from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined, dryRun }, scope);
    context.info(
      `operator requeue ${tenantId} ${select}${dryRun ? " (dry run)" : ""} by ${scope.operator}: ${result.requeued} requeued`,
      fieldsArgument({ tenant: tenantId, stage: "requeue", outcome: dryRun ? "dry-run" : "requeued", select, requeued: result.requeued, operator: scope.operator }),
    );
    return answer(200, result);
  });
}
