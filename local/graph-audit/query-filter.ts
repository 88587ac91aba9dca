// The filters of an audit log query as the service reads them from the POST body, and which records they accept.
// Strings match case-insensitively; the time range is start-inclusive, end-exclusive.
import { bareAddress, type AuditRecord } from "./graph-record";
import { GraphErrors } from "./graph-errors";
import { isKnownRecordTypeName, RECORD_TYPE_NAMES } from "./record-types";

export interface QueryFilter {
  displayName: string | null;
  fromMs: number | null;
  toMs: number | null;
  recordTypes: string[];
  operations: string[];
  users: string[];
  ipAddresses: string[];
  objectIds: string[];
  services: string[];
  administrativeUnitIds: string[];
  keyword: string | null;
}

// what "Create auditLogQuery" (v1.0 and beta) lists: the workload is serviceFilter, one string (the resource page's
// serviceFilters collection is not among the properties a create takes)
const STRING_LISTS = ["recordTypeFilters", "operationFilters", "userPrincipalNameFilters", "ipAddressFilters", "objectIdFilters", "administrativeUnitIdFilters"] as const;
const KNOWN_PROPERTIES = new Set<string>(["@odata.type", "displayName", "filterStartDateTime", "filterEndDateTime", "keywordFilter", "serviceFilter", "status", ...STRING_LISTS]);
const DATE_TIME_OFFSET = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,7})?)?(Z|[+-]\d\d:\d\d)$/;

function stringList(body: Record<string, unknown>, name: string): string[] {
  const v = body[name];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw GraphErrors.badRequest(`Invalid value for property '${name}': expected a collection of strings.`);
  return v as string[];
}

function dateTime(body: Record<string, unknown>, name: string): number | null {
  const v = body[name];
  if (v === undefined || v === null) return null;
  if (typeof v !== "string" || !DATE_TIME_OFFSET.test(v) || Number.isNaN(Date.parse(v))) {
    throw GraphErrors.badRequest(`Cannot convert the literal '${String(v)}' to the expected type 'Edm.DateTimeOffset' (property '${name}').`);
  }
  return Date.parse(v);
}

export function parseQueryFilter(raw: string): QueryFilter {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw GraphErrors.badRequest("The request body is not valid JSON.");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw GraphErrors.badRequest("The request body must be a JSON object (an auditLogQuery).");
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) {
    if (!KNOWN_PROPERTIES.has(key)) throw GraphErrors.badRequest(`The property '${key}' does not exist on type 'microsoft.graph.security.auditLogQuery'.`);
  }
  const recordTypes = stringList(b, "recordTypeFilters");
  for (const t of recordTypes) {
    if (!isKnownRecordTypeName(t)) throw GraphErrors.badRequest(`Requested value '${t}' was not found in microsoft.graph.security.auditLogRecordType.`);
  }
  const fromMs = dateTime(b, "filterStartDateTime");
  const toMs = dateTime(b, "filterEndDateTime");
  if (fromMs !== null && toMs !== null && fromMs >= toMs) throw GraphErrors.badRequest("filterStartDateTime must be earlier than filterEndDateTime.");
  if (b.serviceFilter !== undefined && b.serviceFilter !== null && typeof b.serviceFilter !== "string") throw GraphErrors.badRequest("Invalid value for property 'serviceFilter': expected a string.");
  const services = typeof b.serviceFilter === "string" && b.serviceFilter ? [b.serviceFilter] : [];
  if (b.keywordFilter !== undefined && b.keywordFilter !== null && typeof b.keywordFilter !== "string") throw GraphErrors.badRequest("Invalid value for property 'keywordFilter': expected a string.");
  if (b.displayName !== undefined && b.displayName !== null && typeof b.displayName !== "string") throw GraphErrors.badRequest("Invalid value for property 'displayName': expected a string.");
  return {
    displayName: (b.displayName as string | undefined) ?? null,
    fromMs,
    toMs,
    recordTypes,
    operations: stringList(b, "operationFilters"),
    users: stringList(b, "userPrincipalNameFilters"),
    ipAddresses: stringList(b, "ipAddressFilters"),
    objectIds: stringList(b, "objectIdFilters"),
    services,
    administrativeUnitIds: stringList(b, "administrativeUnitIdFilters"),
    keyword: (b.keywordFilter as string | undefined) || null,
  };
}

const lowerSet = (xs: string[]) => new Set(xs.map((x) => x.toLowerCase()));

/** A predicate over original records (the time range is applied by the search itself). */
export function recordMatcher(f: QueryFilter): (r: AuditRecord) => boolean {
  const types = new Set(f.recordTypes);
  const operations = lowerSet(f.operations);
  const users = lowerSet(f.users);
  const ips = lowerSet(f.ipAddresses);
  const objects = lowerSet(f.objectIds);
  const services = lowerSet(f.services);
  const keyword = f.keyword?.toLowerCase() ?? null;
  return (r) => {
    if (types.size && !types.has(RECORD_TYPE_NAMES.get(r.RecordType as number) ?? "")) return false;
    if (operations.size && !operations.has(String(r.Operation).toLowerCase())) return false;
    if (users.size && !users.has(String(r.UserId).toLowerCase())) return false;
    if (ips.size) {
      const ip = (r.ClientIP ?? r.ClientIPAddress) as string | undefined;
      if (!ip || !ips.has(bareAddress(ip).toLowerCase())) return false;
    }
    if (objects.size && !objects.has(String(r.ObjectId ?? "").toLowerCase())) return false;
    if (services.size && !services.has(String(r.Workload).toLowerCase())) return false;
    // no emulated record is tagged with an administrative unit
    if (f.administrativeUnitIds.length) return false;
    if (keyword && !JSON.stringify(r).toLowerCase().includes(keyword)) return false;
    return true;
  };
}

/** The query as the service shows it back. */
export function filterView(f: QueryFilter): Record<string, unknown> {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().replace(".000Z", "Z"));
  return {
    displayName: f.displayName,
    filterStartDateTime: iso(f.fromMs),
    filterEndDateTime: iso(f.toMs),
    recordTypeFilters: f.recordTypes,
    keywordFilter: f.keyword,
    serviceFilter: f.services[0] ?? null,
    operationFilters: f.operations,
    userPrincipalNameFilters: f.users,
    ipAddressFilters: f.ipAddresses,
    objectIdFilters: f.objectIds,
    administrativeUnitIdFilters: f.administrativeUnitIds,
  };
}
