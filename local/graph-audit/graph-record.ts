// A unified audit record as the query API returns it: a few top-level fields lifted from the record, and the whole
// original record under `auditData`.
import { RECORD_TYPE_NAMES, USER_TYPE_NAMES } from "./record-types";

export type AuditRecord = Record<string, unknown>;

/** The bare address, as the API's clientIp shows it (records carry ports and brackets: `[v6]:port`, `v4:port`). */
export function bareAddress(ip: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(ip);
  if (bracketed) return bracketed[1];
  const v4port = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(ip);
  return v4port ? v4port[1] : ip;
}

export function graphRecordOf(record: AuditRecord): Record<string, unknown> {
  const recordType = record.RecordType as number;
  const typeName = RECORD_TYPE_NAMES.get(recordType);
  if (!typeName) throw new Error(`the emulator has no auditLogRecordType for RecordType ${recordType}: add it to record-types.ts`);
  const ip = (record.ClientIP ?? record.ClientIPAddress) as string | undefined;
  return {
    "@odata.type": "#microsoft.graph.security.auditLogRecord",
    id: record.Id,
    createdDateTime: `${record.CreationTime as string}Z`,
    auditLogRecordType: typeName,
    operation: record.Operation,
    organizationId: record.OrganizationId,
    userType: USER_TYPE_NAMES[record.UserType as number] ?? "unknownFutureValue",
    userId: record.UserId,
    service: record.Workload,
    objectId: (record.ObjectId as string | undefined) ?? null,
    userPrincipalName: record.UserId,
    clientIp: ip ? bareAddress(ip) : null,
    administrativeUnits: [],
    auditData: { "@odata.type": "#microsoft.graph.security.auditData", ...record },
  };
}
