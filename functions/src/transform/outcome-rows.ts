import type { IngestionErrorsRow, IngestionLedgerRow } from "../../../kql/generated/table-rows";
import type { ContentRef, FinalState } from "../state/content-ledger";
import type { QuarantinedRecord } from "./transform";

/** Rows of ingestion_ledger and ingestion_errors (columns: kql/tables/*.kql): what became of each blob, in ADX. */
export type LedgerStatus = FinalState;

export interface BlobFigures {
  records: number;
  auditRows: number;
  mailAccessRows: number;
  duplicatesInBlob: number;
  quarantinedRecords: number;
}

export function ledgerRow(ref: ContentRef, status: LedgerStatus, figures: BlobFigures | undefined, at: Date): IngestionLedgerRow {
  return {
    IngestedAt: at.toISOString(),
    TenantId: ref.tenantId,
    ContentType: ref.contentType,
    ContentId: ref.contentId,
    ContentCreated: ref.contentCreated,
    ContentExpiration: ref.contentExpiration,
    Records: figures?.records ?? 0,
    AuditRows: figures?.auditRows ?? 0,
    MailAccessRows: figures?.mailAccessRows ?? 0,
    DuplicatesInBlob: figures?.duplicatesInBlob ?? 0,
    QuarantinedRecords: figures?.quarantinedRecords ?? 0,
    Status: status,
  };
}

/** One row per malformed record (Stage "transform"), the record itself as Payload for whoever repairs it. */
export function quarantineRows(ref: ContentRef, quarantined: QuarantinedRecord[], at: Date): IngestionErrorsRow[] {
  return quarantined.map((q): IngestionErrorsRow => ({
    Timestamp: at.toISOString(),
    TenantId: ref.tenantId,
    ContentType: ref.contentType,
    ContentId: ref.contentId,
    RecordId: q.recordId ?? "",
    Stage: "transform",
    ErrorCode: "MalformedRecord",
    Reason: q.reason,
    Payload: q.record,
  }));
}

/** One row for a whole blob that could not land (expired, refused, retries exhausted). */
export function blobErrorRow(ref: ContentRef, stage: string, code: string, reason: string, attempts: number, at: Date): IngestionErrorsRow {
  return {
    Timestamp: at.toISOString(),
    TenantId: ref.tenantId,
    ContentType: ref.contentType,
    ContentId: ref.contentId,
    RecordId: "",
    Stage: stage,
    ErrorCode: code,
    Reason: reason,
    Payload: { contentUri: ref.contentUri, contentCreated: ref.contentCreated, contentExpiration: ref.contentExpiration, attempts },
  };
}
