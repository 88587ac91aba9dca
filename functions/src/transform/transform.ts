// One content blob's records → rows per table. Pure and synchronous: the worker's hot path.
// A malformed record is quarantined on its own; the rest of its blob lands.
import type { MicrosoftUnifiedAccessMailRow, MicrosoftUnifiedAuditRow } from "../../../kql/generated/table-rows";
import { auditRecordProblem, auditRow, creationTimeProblem, normalizeCreationTime, type AuditRecord, type BlobContext } from "./audit-record";
import { appendMailAccessRows, ATTACHMENT_ACCESS, MAIL_ITEMS_ACCESSED } from "./mail-access";

export type { BlobContext } from "./audit-record";

export interface QuarantinedRecord {
  recordId: string | null;
  reason: string;
  record: unknown;
}

export interface TransformResult {
  auditRows: MicrosoftUnifiedAuditRow[];
  mailAccessRows: MicrosoftUnifiedAccessMailRow[];
  /** malformed records, each with the field that made it so */
  quarantined: QuarantinedRecord[];
  /** records whose Id was already seen in this blob (dropped; the first one lands) */
  duplicatesInBlob: number;
}

export function transformBlob(records: unknown[], ctx: BlobContext): TransformResult {
  const auditRows: MicrosoftUnifiedAuditRow[] = [];
  const mailAccessRows: MicrosoftUnifiedAccessMailRow[] = [];
  const quarantined: QuarantinedRecord[] = [];
  const seen = new Set<string>();
  let duplicatesInBlob = 0;

  for (let i = 0; i < records.length; i++) {
    const raw = records[i];
    const problem = auditRecordProblem(raw);
    if (problem !== null) {
      const id = (raw as { Id?: unknown } | null)?.Id;
      quarantined.push({ recordId: typeof id === "string" && id !== "" ? id : null, reason: problem, record: raw });
      continue;
    }
    const record = raw as AuditRecord;
    const creationTime = normalizeCreationTime(record.CreationTime);
    if (creationTime === null) {
      quarantined.push({ recordId: record.Id, reason: creationTimeProblem(record.CreationTime), record });
      continue;
    }
    // only valid records claim an Id, so a malformed twin never hides the good one
    if (seen.has(record.Id)) {
      duplicatesInBlob++;
      continue;
    }
    seen.add(record.Id);

    auditRows.push(auditRow(record, creationTime, ctx));
    if (record.Operation === MAIL_ITEMS_ACCESSED || record.Operation === ATTACHMENT_ACCESS) appendMailAccessRows(record, creationTime, ctx, mailAccessRows);
  }
  return { auditRows, mailAccessRows, quarantined, duplicatesInBlob };
}
