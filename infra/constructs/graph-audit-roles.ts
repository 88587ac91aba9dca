// Microsoft Graph's service principal and the application role back-fill needs (the audit log query API).

/** Microsoft Graph (the same client id in every tenant). */
export const MICROSOFT_GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

/** Reads every workload's audit log through /security/auditLog/queries; not AuditLog.Read.All (Entra's directory audit). */
export const AUDIT_LOGS_QUERY_ROLE = "AuditLogsQuery.Read.All";
