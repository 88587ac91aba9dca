// The microsoft_unified_access_mail columns the investigation reads, as a row arrives from the lake (JSON lines of a
// local run or a Kusto result), and the dedup view's key so every source counts a record once.

export interface MailAccessRow {
  CreationTime: string;
  RecordId: string;
  UserId: string;
  MailboxOwnerUPN: string;
  MailAccessType: string;
  IsThrottled: boolean | null;
  ClientIPAddress: string;
  ClientInfoString: string;
  SessionId: string;
  AADSessionId: string;
  AppId: string;
  ClientAppId: string;
  FolderPath: string;
  ItemId: string;
  InternetMessageId: string;
  SizeInBytes: number | null;
}

export type RawRow = Record<string, unknown>;

const text = (v: unknown): string => (typeof v === "string" ? v : v == null ? "" : String(v));

/** A lake row as the investigation reads it; missing columns read as ADX reads them (empty string, null). */
export function mailAccessRow(raw: RawRow): MailAccessRow {
  const throttled = raw.IsThrottled;
  const size = raw.SizeInBytes;
  return {
    CreationTime: text(raw.CreationTime),
    RecordId: text(raw.RecordId),
    UserId: text(raw.UserId),
    MailboxOwnerUPN: text(raw.MailboxOwnerUPN),
    MailAccessType: text(raw.MailAccessType),
    IsThrottled: typeof throttled === "boolean" ? throttled : throttled == null ? null : text(throttled).toLowerCase() === "true",
    ClientIPAddress: text(raw.ClientIPAddress),
    ClientInfoString: text(raw.ClientInfoString),
    SessionId: text(raw.SessionId),
    AADSessionId: text(raw.AADSessionId),
    AppId: text(raw.AppId),
    ClientAppId: text(raw.ClientAppId),
    FolderPath: text(raw.FolderPath),
    ItemId: text(raw.ItemId),
    InternetMessageId: text(raw.InternetMessageId),
    SizeInBytes: typeof size === "number" ? size : size == null || size === "" ? null : Number.isFinite(Number(size)) ? Number(size) : null,
  };
}

/** microsoft_unified_access_mail_dedup's key (kql/tables/microsoft_unified_access_mail.kql). */
export function dedupKey(r: MailAccessRow): string {
  return `${r.RecordId}\u0000${r.FolderPath}\u0000${r.ItemId}\u0000${r.InternetMessageId}`;
}

/** Epoch ms of a CreationTime; the API writes it without a zone and it is UTC. NaN when unreadable. */
export function timeMs(time: string): number {
  return Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(time) ? time : `${time}Z`);
}
