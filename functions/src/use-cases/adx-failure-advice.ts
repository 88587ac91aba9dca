// What an ADX ingestion failure report means for the operator: the next step for each family of ADX error codes.
import type { AdxIngestionFailure } from "../sinks/adx-failures";

/** A transactional update policy on the table failed, and with it the ingestion: worth saying, the fix is in the policy. */
export function viaPolicy(f: AdxIngestionFailure): string {
  return f.originatesFromUpdatePolicy ? " (raised by an update policy on the table)" : "";
}

/** What to do about an ADX ingestion error code: the operator's next step. */
export function advice(f: Pick<AdxIngestionFailure, "errorCode" | "database" | "table" | "permanent">, replays: number): string {
  const code = f.errorCode;
  if (/Mapping/i.test(code) && /NotFound|NotExist/i.test(code))
    return `Fix: apply kql/tables/${f.table}.kql to database ${f.database} (it creates the mapping ${f.table}_json).`;
  if (/DatabaseNotExist|TableNotExist|EntityNotFound/i.test(code))
    return `Fix: apply kql/tables/*.kql to database ${f.database}, and check the tenant's "database" in AUDIT_LAKE_TENANTS.`;
  if (/InvalidMapping|InvalidBlob|NoRecordsOrWrongFormat|FormatNotSupported|InvalidIngestionProperty/i.test(code))
    return `Fix: the rows do not match what ${f.database}.${f.table} expects — re-apply kql/tables/${f.table}.kql; if it persists, report it with this blob's contentId.`;
  if (/^Download_/i.test(code))
    return `Fix: ADX could not read the uploaded data: check the cluster's ingestion storage (its temp container) and the Function's network path to it.`;
  if (/Unauthorized|Forbidden|Denied/i.test(code))
    return `Fix: grant the Function's identity the "Database Ingestor" role on database ${f.database}.`;
  if (!f.permanent)
    return `Fix: ADX's ingestion kept failing after its own retries${replays ? ` and ${replays} replay(s)` : ""}: check the cluster's health and ingestion capacity, then re-enqueue.`;
  return `See ADX's ingestion error codes for ${code}.`;
}
