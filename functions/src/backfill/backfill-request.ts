// What a caller asks for (POST /api/admin/backfills), checked: each problem names the field and what to send instead.
import { z } from "zod";
import { AdminRequestError } from "../admin/admin-error";
import type { TenantConfig } from "../config";
import { RECORD_TYPE_NUMBERS } from "../graph-audit/record-types";

export interface BackfillRequest {
  tenantId: string;
  from: Date;
  to: Date;
  operations: string[];
  recordTypes: string[];
}

/** A request refused: `status` 400 (bad input) or 404 (unknown tenant / job), with the contract's code and advice. */
export class BackfillRequestError extends AdminRequestError {
  constructor(status: 400 | 404, code: string, message: string, advice: string) {
    super(status, code, message, advice);
  }
}

const isoDate = z.iso.datetime({ offset: true, error: "expected an ISO 8601 date-time such as 2026-09-01T00:00:00Z" });

const schema = z.strictObject({
  tenantId: z.string({ error: "is required: the tenant id (a GUID) to back-fill" }).min(1),
  from: isoDate,
  to: isoDate,
  operations: z.array(z.string().min(1)).max(50).default([]),
  recordTypes: z.array(z.string().min(1)).max(50).default([]),
});

/** Graph answers a query over at most the tenant's retention; ten years covers every licence there is. */
const MAX_SPAN_MS = 3650 * 86_400_000;

export function parseBackfillRequest(body: unknown, tenants: readonly TenantConfig[], now: Date): BackfillRequest {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.join(".") || "body";
    throw new BackfillRequestError(400, "InvalidRequest", `${field}: ${issue.message}`, 'Send {"tenantId","from","to"} with ISO 8601 dates, and optionally "operations" and "recordTypes" as string arrays.');
  }
  const r = parsed.data;
  const tenant = tenants.find((t) => t.tenantId === r.tenantId.toLowerCase());
  if (!tenant) {
    throw new BackfillRequestError(404, "UnknownTenant", `tenantId: ${r.tenantId} is not a tenant of this deployment.`, "Use a tenantId from AUDIT_LAKE_TENANTS (GET /api/admin/tenants lists them).");
  }
  if (!tenant.backfill) {
    const advice =
      tenant.cloud === "GCCHigh" || tenant.cloud === "DoD"
        ? "Back-fill is not available for GCC High and DoD: Microsoft Graph's audit log query API exists only on the global cloud."
        : 'Enable back-fill for the tenant ("backfill": true in its AUDIT_LAKE_TENANTS entry; in the deployment config, backfill: enabled), and have its admin consent to AuditLogsQuery.Read.All.';
    throw new BackfillRequestError(400, "BackfillDisabled", `tenantId: back-fill is not enabled for tenant ${tenant.tenantId}.`, advice);
  }
  const from = new Date(r.from);
  const to = new Date(r.to);
  if (from >= to) throw new BackfillRequestError(400, "InvalidRequest", `from: ${r.from} is not earlier than to (${r.to}).`, "Give a from earlier than to.");
  if (to.getTime() > now.getTime() + 60_000) {
    throw new BackfillRequestError(400, "InvalidRequest", `to: ${r.to} is in the future.`, `Give a to no later than now (${now.toISOString()}).`);
  }
  if (to.getTime() - from.getTime() > MAX_SPAN_MS) {
    throw new BackfillRequestError(400, "InvalidRequest", `from: the period ${r.from} – ${r.to} is longer than ten years.`, "Back-fill at most the tenant's audit retention (180 days with Audit Standard).");
  }
  const unknown = r.recordTypes.filter((t) => !(t in RECORD_TYPE_NUMBERS));
  if (unknown.length) {
    throw new BackfillRequestError(400, "InvalidRequest", `recordTypes: ${unknown.join(", ")} is not an auditLogRecordType member.`, `Use Graph's names, e.g. exchangeItem, exchangeItemAggregated, sharePointFileOperation.`);
  }
  return { tenantId: tenant.tenantId, from, to, operations: r.operations, recordTypes: r.recordTypes };
}
