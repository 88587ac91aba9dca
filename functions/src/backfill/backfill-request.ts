// What a caller asks for (POST /api/admin/backfills), checked: each problem names the field and what to send instead.
import { z } from "zod";
import { AdminRequestError } from "../admin/admin-error";
import type { TenantConfig } from "../config";
import { AUDIT_LOG_RECORD_TYPES, auditLogRecordType } from "../graph-audit/record-type-members";

export interface BackfillRequest {
  tenantId: string;
  from: Date;
  to: Date;
  operations: string[];
  recordTypes: string[];
}

/** A request refused: `status` 400 (bad input), 404 (unknown tenant / job) or 409 (the tenant's back-fill already
 *  runs), with the contract's code and advice. */
export class BackfillRequestError extends AdminRequestError {
  constructor(status: 400 | 404 | 409, code: string, message: string, advice: string) {
    super(status, code, message, advice);
  }
}

const isoDate = z.iso.datetime({ offset: true, error: "expected an ISO 8601 date-time such as 2026-09-01T00:00:00Z" });

const DAY_MS = 86_400_000;
/** Audit Premium's default retention: a back-fill spans at most this unless the request names a longer retention. */
export const DEFAULT_MAX_SPAN_DAYS = 365;
/** The longest audit retention Microsoft sells (the 10-Year Audit Log Retention add-on). */
export const MAX_RETENTION_DAYS = 3650;
/** Operations per job: each is sent in every query's operationFilters. */
export const MAX_OPERATIONS = 50;
/** Longest operation name accepted; Microsoft's are far shorter (MailItemsAccessed, Set-InboxRule). */
export const MAX_OPERATION_LENGTH = 128;

const schema = z.strictObject({
  tenantId: z.string({ error: "is required: the tenant id (a GUID) to back-fill" }).min(1).max(64, "is longer than a tenant id (a GUID)"),
  from: isoDate,
  to: isoDate,
  operations: z
    .array(z.string().min(1).max(MAX_OPERATION_LENGTH, `is longer than ${MAX_OPERATION_LENGTH} characters: give an operation name such as MailItemsAccessed`))
    .max(MAX_OPERATIONS, `lists more than ${MAX_OPERATIONS} operations: run one job without operations, or several jobs`)
    .default([]),
  recordTypes: z
    .array(z.string().min(1).max(100, "is longer than any auditLogRecordType member"))
    .max(AUDIT_LOG_RECORD_TYPES.length, `lists more than the ${AUDIT_LOG_RECORD_TYPES.length} auditLogRecordType members Graph documents`)
    .default([]),
  /** The tenant's audit retention in days, stated by the operator: allows a back-fill longer than DEFAULT_MAX_SPAN_DAYS. */
  tenantRetentionDays: z.number().int().min(1).max(MAX_RETENTION_DAYS, `is more than ${MAX_RETENTION_DAYS} days, the longest retention Microsoft offers`).optional(),
});

export function parseBackfillRequest(body: unknown, tenants: readonly TenantConfig[], now: Date): BackfillRequest {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.join(".") || "body";
    throw new BackfillRequestError(400, "InvalidRequest", `${field}: ${issue.message}`, 'Send {"tenantId","from","to"} with ISO 8601 dates, and optionally "operations" and "recordTypes" as string arrays and "tenantRetentionDays" as a number.');
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
  // each day is one Graph query; a tenant keeps its audit log for its retention only, so a longer span queries nothing
  const maxDays = r.tenantRetentionDays ?? DEFAULT_MAX_SPAN_DAYS;
  const days = (to.getTime() - from.getTime()) / DAY_MS;
  if (days > maxDays) {
    throw new BackfillRequestError(
      400,
      "SpanTooLong",
      `from: the period ${r.from} – ${r.to} is ${Math.ceil(days)} days, longer than ${maxDays} days` + (r.tenantRetentionDays ? " (the tenantRetentionDays given)." : ", the default limit (Audit Premium's default retention of one year)."),
      r.tenantRetentionDays
        ? `Back-fill at most the tenant's retention: start from ${new Date(to.getTime() - maxDays * DAY_MS).toISOString()} or later.`
        : `Back-fill at most ${DEFAULT_MAX_SPAN_DAYS} days, or, if the tenant's audit retention is longer (10-Year Audit Log Retention), say so with "tenantRetentionDays" (e.g. 3650).`,
    );
  }
  const unknown = r.recordTypes.filter((t) => !auditLogRecordType(t));
  if (unknown.length) {
    throw new BackfillRequestError(
      400,
      "InvalidRequest",
      `recordTypes: ${unknown.join(", ")} ${unknown.length === 1 ? "is not an auditLogRecordType member" : "are not auditLogRecordType members"} (Graph documents ${AUDIT_LOG_RECORD_TYPES.length}).`,
      "Use a member of Microsoft Graph's auditLogRecordType enum, e.g. exchangeItem, exchangeItemAggregated, threatIntelligence, sharePointFileOperation.",
    );
  }
  const recordTypes = [...new Set(r.recordTypes.map((t) => auditLogRecordType(t)!))];
  return { tenantId: tenant.tenantId, from, to, operations: [...new Set(r.operations)], recordTypes };
}
