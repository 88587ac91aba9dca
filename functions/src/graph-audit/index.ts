// Back-fill beyond 7 days through Microsoft Graph's audit log query API: the client and the record unwrap.
export { GraphAuditLogClient, type GraphAuditLogClientOptions, type CallOptions, type WaitOptions, type RecordPage } from "./client";
export type { AuditLogQuery, AuditLogQueryStatus } from "./audit-log-query";
export type { AuditLogQueryFilter } from "./query-request";
export { GraphAuditError, GraphAuditErrorCodes, isGraphAuditError } from "./errors";
export { DEFAULT_GRAPH_BASE_URL, GRAPH_GLOBAL_ORIGIN, GRAPH_SCOPE, graphEndpoint } from "./graph-endpoint";
export { unwrapAuditLogRecord, type GraphAuditLogRecord, type ManagementApiRecord } from "./unwrap-record";
export { RECORD_TYPE_NUMBERS } from "./record-types";
export { AUDIT_LOG_RECORD_TYPES, auditLogRecordType } from "./record-type-members";
