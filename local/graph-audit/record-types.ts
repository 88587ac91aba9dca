// How the service names what the Management API numbers: auditLogRecordType and auditLogUserType enum members for the
// RecordType and UserType integers of the Management Activity API schema. The emulator keeps its own table (the
// client has another): a client that maps a type wrongly is then caught by the tests instead of agreeing by copy.

import { AUDIT_LOG_RECORD_TYPES } from "../../functions/src/graph-audit/record-type-members";

/** RecordType integer → auditLogRecordType member, for every type the emulated tenant writes and their neighbours. */
export const RECORD_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [1, "exchangeAdmin"],
  [2, "exchangeItem"],
  [3, "exchangeItemGroup"],
  [4, "sharePoint"],
  [6, "sharePointFileOperation"],
  [7, "oneDrive"],
  [8, "azureActiveDirectory"],
  [9, "azureActiveDirectoryAccountLogon"],
  [10, "dataCenterSecurityCmdlet"],
  [11, "complianceDLPSharePoint"],
  [13, "complianceDLPExchange"],
  [14, "sharePointSharingOperation"],
  [15, "azureActiveDirectoryStsLogon"],
  [18, "securityComplianceCenterEOPCmdlet"],
  [19, "exchangeAggregatedOperation"],
  [20, "powerBIAudit"],
  [25, "microsoftTeams"],
  [50, "exchangeItemAggregated"],
]);

// Which names are members is a published fact (Microsoft's list), read once for the product and the emulator alike;
// the numbering above stays the emulator's own, so a wrong mapping in the client is still caught.
const KNOWN_NAMES = new Set([...RECORD_TYPE_NAMES.values(), ...AUDIT_LOG_RECORD_TYPES]);

/** Enum members the emulator accepts in recordTypeFilters (a name outside it is a 400, as an unknown enum member is;
 *  spelt as the create page spells them). */
export function isKnownRecordTypeName(name: string): boolean {
  return KNOWN_NAMES.has(name);
}

/** UserType integer → auditLogUserType member. */
export const USER_TYPE_NAMES: readonly string[] = [
  "regular", "reserved", "admin", "dcAdmin", "system", "application", "servicePrincipal", "customPolicy", "systemPolicy",
];

/** The per-workload application role that lets an app read a workload's records (everything else: the global role). */
export const WORKLOAD_ROLES: Readonly<Record<string, string>> = {
  Exchange: "AuditLogsQuery-Exchange.Read.All",
  SharePoint: "AuditLogsQuery-SharePoint.Read.All",
  OneDrive: "AuditLogsQuery-OneDrive.Read.All",
  AzureActiveDirectory: "AuditLogsQuery-Entra.Read.All",
  CRM: "AuditLogsQuery-CRM.Read.All",
  Endpoint: "AuditLogsQuery-Endpoint.Read.All",
};
export const ALL_AUDIT_LOGS_ROLE = "AuditLogsQuery.Read.All";

/** The workload a record type belongs to, when one role covers it (null: only the global role reads it). */
export function workloadOfRecordType(name: string): string | null {
  if (name.startsWith("exchange") || name === "complianceDLPExchange") return "Exchange";
  if (name === "oneDrive") return "OneDrive";
  if (name.startsWith("sharePoint") || name === "complianceDLPSharePoint") return "SharePoint";
  if (name.startsWith("azureActiveDirectory")) return "AzureActiveDirectory";
  return null;
}
