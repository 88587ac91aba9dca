// Where the scenario's stories write their records, per content type, before blobs are cut. Records are kept as JSON
// text from the start: serving needs nothing else, and short-lived objects keep generation cheap.
import type { ContentTypeName } from "../types";
import type { AuditRecord } from "./records/audit-record";

export interface LoggedRecord {
  /** CreationTime in ms (second precision). */
  ms: number;
  id: string;
  json: string;
  /** MailItemsAccessed only: whose mailbox, and Bind or Sync (Exchange's throttling counts per mailbox). */
  mailAccess?: { mailboxUpn: string; accessType: string };
}

export class ActivityLog {
  readonly byContentType: Record<ContentTypeName, LoggedRecord[]> = {
    "Audit.AzureActiveDirectory": [],
    "Audit.Exchange": [],
    "Audit.SharePoint": [],
    "Audit.General": [],
    "DLP.All": [],
  };

  constructor(
    /** Records are kept only inside [fromMs, toMs): the scenario's last 7 days. */
    readonly fromMs: number,
    readonly toMs: number,
  ) {}

  add(contentType: ContentTypeName, ms: number, record: AuditRecord): void {
    if (ms < this.fromMs || ms >= this.toMs) return;
    this.byContentType[contentType].push(logged(ms, record));
  }

  /** Removes records matching the predicate (used to apply Exchange's Bind-audit pause after throttling). */
  remove(contentType: ContentTypeName, drop: (r: LoggedRecord) => boolean): void {
    this.byContentType[contentType] = this.byContentType[contentType].filter((r) => !drop(r));
  }
}

export function logged(ms: number, record: AuditRecord): LoggedRecord {
  const entry: LoggedRecord = { ms, id: record.Id as string, json: JSON.stringify(record) };
  if (record.Operation === "MailItemsAccessed") {
    const props = record.OperationProperties as Array<{ Name: string; Value: string }>;
    entry.mailAccess = { mailboxUpn: record.MailboxOwnerUPN as string, accessType: props[0].Value };
  }
  return entry;
}
