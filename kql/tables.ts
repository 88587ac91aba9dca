// The tables the engine writes, named once. Their columns and mappings live in tables/*.kql (see catalog.ts).
export const Tables = {
  unifiedAudit: "microsoft_unified_audit",
  accessMail: "microsoft_unified_access_mail",
  ledger: "ingestion_ledger",
  errors: "ingestion_errors",
} as const;

export type TableName = (typeof Tables)[keyof typeof Tables];

/** Every table ships one JSON ingestion mapping named `<table>_json`. */
export function jsonMappingName(table: string): string {
  return `${table}_json`;
}
