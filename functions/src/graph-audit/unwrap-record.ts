// A Graph auditLogRecord → the record as the Management Activity API gives it, so one record landed by either path is
// the same record (same Id) for the transforms, tables and dedup views. The original record is `auditData`; the
// top-level fields fill only what auditData lacks.
import { ADDRESS_FIELDS } from "../management-api/address-fields";
import { GraphAuditError, GraphAuditErrorCodes } from "./errors";
import { RECORD_TYPE_NUMBERS, USER_TYPE_NUMBERS } from "./record-types";

export interface GraphAuditLogRecord {
  id: string;
  createdDateTime?: string;
  auditLogRecordType?: string;
  operation?: string;
  organizationId?: string;
  userType?: string;
  userId?: string;
  userPrincipalName?: string;
  clientIp?: string | null;
  objectId?: string | null;
  service?: string;
  administrativeUnits?: string[];
  auditData?: Record<string, unknown> | string | null;
  [key: string]: unknown;
}

export type ManagementApiRecord = Record<string, unknown> & { Id: string; CreationTime: string; RecordType: number; Operation: string };

/** The Management API writes CreationTime in UTC to the second, without a trailing Z. */
const CREATION_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/;

function cannot(record: unknown, what: string): GraphAuditError {
  const id = typeof (record as { id?: unknown })?.id === "string" ? (record as { id: string }).id : "(no id)";
  return new GraphAuditError(
    `Graph audit record ${id} cannot be unwrapped into a Management API record: ${what}. The record is kept out of the lake; report it with its id so the mapping can be extended.`,
    { code: GraphAuditErrorCodes.RecordNotUnwrappable },
  );
}

function managementCreationTime(value: string, record: unknown): string {
  if (CREATION_TIME.test(value)) return value;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw cannot(record, `its time "${value}" is not a date`);
  return new Date(ms).toISOString().slice(0, 19);
}

export function unwrapAuditLogRecord(graph: GraphAuditLogRecord): ManagementApiRecord {
  if (!graph || typeof graph !== "object") throw cannot(graph, "it is not an object");
  if (typeof graph.id !== "string" || !graph.id) throw cannot(graph, "it has no id");
  let data: Record<string, unknown>;
  if (graph.auditData === undefined || graph.auditData === null) data = {};
  else if (typeof graph.auditData === "string") {
    try {
      data = JSON.parse(graph.auditData) as Record<string, unknown>;
    } catch {
      throw cannot(graph, "its auditData is a string that is not JSON");
    }
  } else data = graph.auditData;
  if (typeof data !== "object" || Array.isArray(data)) throw cannot(graph, "its auditData is not an object");

  const { "@odata.type": _odataType, ...record } = data;
  if (record.Id !== undefined && record.Id !== graph.id) throw cannot(graph, `auditData.Id ${String(record.Id)} differs from the record id`);
  record.Id = graph.id;

  const time = (record.CreationTime as string | undefined) ?? graph.createdDateTime;
  if (typeof time !== "string") throw cannot(graph, "it has neither auditData.CreationTime nor createdDateTime");
  record.CreationTime = managementCreationTime(time, graph);

  if (typeof record.RecordType !== "number") {
    const name = graph.auditLogRecordType;
    if (typeof name !== "string") throw cannot(graph, "it has neither auditData.RecordType nor auditLogRecordType");
    const n = RECORD_TYPE_NUMBERS[name];
    if (n === undefined) throw cannot(graph, `its auditLogRecordType "${name}" has no known RecordType number (add it to graph-audit/record-types.ts)`);
    record.RecordType = n;
  }
  if (record.Operation === undefined) {
    if (typeof graph.operation !== "string") throw cannot(graph, "it has neither auditData.Operation nor operation");
    record.Operation = graph.operation;
  }
  const fill = (field: string, value: unknown) => {
    if (record[field] === undefined && value !== undefined && value !== null && value !== "") record[field] = value;
  };
  fill("OrganizationId", graph.organizationId);
  fill("UserId", graph.userId ?? graph.userPrincipalName);
  // Graph's clientIp stands in only for a record with no address of its own: one in ClientIPAddress stays as served
  if (ADDRESS_FIELDS.every((f) => record[f] === undefined)) fill("ClientIP", graph.clientIp);
  fill("Workload", graph.service);
  fill("ObjectId", graph.objectId);
  if (record.UserType === undefined && typeof graph.userType === "string") fill("UserType", USER_TYPE_NUMBERS[graph.userType]);
  return record as ManagementApiRecord;
}
