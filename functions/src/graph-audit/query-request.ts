// What to search: the caller's filter, checked, as the body Graph expects on POST …/auditLog/queries.
import { GraphAuditError, GraphAuditErrorCodes } from "./errors";
import { AUDIT_LOG_RECORD_TYPES, auditLogRecordType } from "./record-type-members";

export interface AuditLogQueryFilter {
  from: Date;
  to: Date;
  displayName?: string;
  /** auditLogRecordType members, e.g. "exchangeItemAggregated". */
  recordTypes?: string[];
  operations?: string[];
  userPrincipalNames?: string[];
  ipAddresses?: string[];
  objectIds?: string[];
  /** One workload, e.g. "Exchange" (the create page's serviceFilter is a single string, in /v1.0 and /beta alike). */
  service?: string;
}

const invalid = (message: string) => new GraphAuditError(message, { code: GraphAuditErrorCodes.InvalidArgument });

export function queryRequestBody(f: AuditLogQueryFilter): Record<string, unknown> {
  const from = f.from?.getTime();
  const to = f.to?.getTime();
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw invalid("An audit log query needs a valid `from` and `to` date.");
  if (from >= to) throw invalid(`An audit log query's \`from\` (${f.from.toISOString()}) must be earlier than its \`to\` (${f.to.toISOString()}).`);
  const recordTypes = (f.recordTypes ?? []).map((t) => {
    const member = auditLogRecordType(t);
    if (!member) throw invalid(`Unknown record type "${t}": Graph documents ${AUDIT_LOG_RECORD_TYPES.length} auditLogRecordType members, such as exchangeItemAggregated or threatIntelligence; "${t}" is none of them.`);
    return member;
  });
  const body: Record<string, unknown> = {
    displayName: f.displayName ?? `m365-audit-lake back-fill ${f.from.toISOString()} – ${f.to.toISOString()}`,
    filterStartDateTime: f.from.toISOString(),
    filterEndDateTime: f.to.toISOString(),
  };
  if (recordTypes.length) body.recordTypeFilters = recordTypes;
  if (f.operations?.length) body.operationFilters = f.operations;
  if (f.userPrincipalNames?.length) body.userPrincipalNameFilters = f.userPrincipalNames;
  if (f.ipAddresses?.length) body.ipAddressFilters = f.ipAddresses;
  if (f.objectIds?.length) body.objectIdFilters = f.objectIds;
  // "Create auditLogQuery" (v1.0 and beta) documents serviceFilter, one string; only the resource page says serviceFilters
  if (f.service) body.serviceFilter = f.service;
  return body;
}
