// What to search: the caller's filter, checked, as the body Graph expects on POST …/auditLog/queries.
import { GraphAuditError, GraphAuditErrorCodes } from "./errors";
import { RECORD_TYPE_NUMBERS } from "./record-types";

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
  /** Workloads, e.g. "Exchange". */
  services?: string[];
}

const invalid = (message: string) => new GraphAuditError(message, { code: GraphAuditErrorCodes.InvalidArgument });

export function queryRequestBody(f: AuditLogQueryFilter, version: string): Record<string, unknown> {
  const from = f.from?.getTime();
  const to = f.to?.getTime();
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw invalid("An audit log query needs a valid `from` and `to` date.");
  if (from >= to) throw invalid(`An audit log query's \`from\` (${f.from.toISOString()}) must be earlier than its \`to\` (${f.to.toISOString()}).`);
  for (const t of f.recordTypes ?? []) {
    if (!(t in RECORD_TYPE_NUMBERS)) throw invalid(`Unknown record type "${t}": use an auditLogRecordType member such as exchangeItemAggregated (known: ${Object.keys(RECORD_TYPE_NUMBERS).join(", ")}).`);
  }
  const body: Record<string, unknown> = {
    displayName: f.displayName ?? `m365-audit-lake back-fill ${f.from.toISOString()} – ${f.to.toISOString()}`,
    filterStartDateTime: f.from.toISOString(),
    filterEndDateTime: f.to.toISOString(),
  };
  if (f.recordTypes?.length) body.recordTypeFilters = f.recordTypes;
  if (f.operations?.length) body.operationFilters = f.operations;
  if (f.userPrincipalNames?.length) body.userPrincipalNameFilters = f.userPrincipalNames;
  if (f.ipAddresses?.length) body.ipAddressFilters = f.ipAddresses;
  if (f.objectIds?.length) body.objectIdFilters = f.objectIds;
  if (f.services?.length) {
    // beta's create takes one serviceFilter string; v1.0 a serviceFilters collection
    if (version === "beta") {
      if (f.services.length > 1) throw invalid(`The beta API filters on one service at a time (got ${f.services.join(", ")}): run one query per service, or use /v1.0.`);
      body.serviceFilter = f.services[0];
    } else {
      body.serviceFilters = f.services;
    }
  }
  return body;
}
