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

/**
 * Microsoft repeats audit records across content blobs: every table has a materialized view `<table>_dedup` (one row
 * per record, see tables/*.kql) and every query, function and hunting query reads the view, never the raw table.
 */
export function dedupViewName(table: string): string {
  return `${table}_dedup`;
}

export const DedupViews = {
  unifiedAudit: "microsoft_unified_audit_dedup",
  accessMail: "microsoft_unified_access_mail_dedup",
  ledger: "ingestion_ledger_dedup",
  errors: "ingestion_errors_dedup",
} as const satisfies { [K in keyof typeof Tables]: `${(typeof Tables)[K]}_dedup` };

export type DedupViewName = (typeof DedupViews)[keyof typeof DedupViews];
