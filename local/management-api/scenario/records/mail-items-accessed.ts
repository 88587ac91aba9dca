// MailItemsAccessed (RecordType 50): Bind (these messages were opened) and Sync (this whole folder was downloaded).
import type { Random } from "../../random";
import type { ClientSession } from "../client-session";
import type { TenantIdentity } from "../tenant-identity";
import type { EmulatedUser } from "../users";
import { auditHeader, creationTime, shapeIp, type AuditRecord } from "./audit-record";

export interface AccessedItem {
  id: string;
  internetMessageId: string;
  sizeInBytes: number;
}

export interface AccessedFolder {
  id: string;
  /** As written in records: a leading backslash, backslash separators ("\\Inbox\\Finance"). */
  path: string;
  items: AccessedItem[];
}

export interface MailAccess {
  id: string;
  ms: number;
  mailbox: EmulatedUser;
  /** Who acted: the owner, or a delegate (LogonType 2). */
  actor: EmulatedUser;
  session: ClientSession;
  accessType: "Bind" | "Sync";
  /** Bind: the folders and their opened items (aggregated binds of up to two minutes). */
  folders?: AccessedFolder[];
  /** Sync: the synced folder and which of the two record shapes carries it. */
  syncFolder?: { id: string; path: string; shape: "Folders" | "ParentFolder" };
  /** Sync from an EWS client: the messages it fetched, written as FolderItems of the synced folder. */
  syncItems?: AccessedItem[];
  /** The mailbox crossed 1,000 MailItemsAccessed records in 24 h: Bind auditing pauses for 24 h. */
  throttled?: boolean;
  /** How Bind items are written; by default a share of records follows Microsoft's sample (see itemShapeOf). */
  itemShape?: ItemShape;
}

/** full: {Id, InternetMessageId, SizeInBytes}; messageIdOnly: {InternetMessageId} as in Microsoft's published sample;
 *  nullItem: FolderItems:[null], as practitioners' records show. */
export type ItemShape = "full" | "messageIdOnly" | "nullItem";

/** Decided by the record id, not by the random stream, so the rest of the emulated week stays as it was. */
export function itemShapeOf(id: string): ItemShape {
  const last = parseInt(id.slice(-2), 16);
  if (last === 255) return "nullItem"; // ~0.4 %
  return last % 16 < 5 ? "messageIdOnly" : "full"; // ~31 %
}

function folderItems(items: AccessedItem[], shape: ItemShape): unknown[] {
  if (shape === "nullItem") return [null];
  if (shape === "messageIdOnly") return items.map((i) => ({ InternetMessageId: i.internetMessageId }));
  return items.map((i) => ({ Id: i.id, InternetMessageId: i.internetMessageId, SizeInBytes: i.sizeInBytes }));
}

export function mailItemsAccessedRecord(t: TenantIdentity, a: MailAccess, rng: Random): AuditRecord {
  const ip = shapeIp(a.session.ip, rng);
  const delegated = a.actor !== a.mailbox;
  const r = auditHeader({
    id: a.id,
    ms: a.ms,
    operation: "MailItemsAccessed",
    organizationId: t.tenantId,
    recordType: 50,
    resultStatus: "Succeeded",
    userKey: a.actor.puid,
    workload: "Exchange",
    userId: a.actor.upn,
  });
  // Published records carry the address only in ClientIPAddress; a few also fill ClientIP, with the bare address or
  // the same text (drawn either way, so the rest of the emulated week stays as it was)
  const clientIp = rng.chance(0.3) ? a.session.ip : ip;
  if (parseInt(a.id.slice(-1), 16) === 0) r.ClientIP = clientIp;
  r.AppId = a.session.appId;
  r.ClientAppId = a.session.clientAppId;
  r.ClientIPAddress = ip;
  r.ClientInfoString = a.session.clientInfoString;
  r.ClientMachineName = a.session.machineName;
  r.ClientProcessName = a.session.processName;
  r.ClientVersion = a.session.clientVersion;
  r.ExternalAccess = false;
  r.InternalLogonType = 0;
  r.LogonType = delegated ? 2 : 0;
  r.LogonUserSid = a.actor.sid;
  r.LogonUserDisplayName = a.actor.displayName;
  r.MailboxGuid = a.mailbox.mailboxGuid;
  r.MailboxOwnerSid = a.mailbox.sid;
  r.MailboxOwnerUPN = a.mailbox.upn;
  r.OrganizationName = t.domain;
  r.OriginatingServer = `${t.originatingServerPrefix}${String(1000 + (a.mailbox.index % 9000)).padStart(4, "0")} (15.20.7544.000)\r\n`;
  r.SessionId = a.session.sessionId;
  const itemCount = a.folders ? a.folders.reduce((n, f) => n + f.items.length, 0) : 0;
  r.OperationCount = a.accessType === "Bind" && !a.throttled ? Math.max(1, itemCount) : 1;
  r.OperationProperties = [
    { Name: "MailAccessType", Value: a.accessType },
    { Name: "IsThrottled", Value: a.throttled ? "True" : "False" },
  ];
  if (a.accessType === "Bind" && a.folders && !a.throttled) {
    const shape = a.itemShape ?? itemShapeOf(a.id);
    r.Folders = a.folders.map((f) => ({ Id: f.id, Path: f.path, FolderItems: folderItems(f.items, shape) }));
  } else if (a.accessType === "Sync" && a.syncFolder) {
    const f = a.syncFolder;
    if (a.syncItems) r.Folders = [{ Id: f.id, Path: f.path, FolderItems: folderItems(a.syncItems, "messageIdOnly") }];
    else if (f.shape === "Folders") r.Folders = [{ Id: f.id, Path: f.path }];
    else r.Item = { ParentFolder: { Id: f.id, Name: f.path.slice(f.path.lastIndexOf("\\") + 1), Path: f.path } };
  }
  r.AppAccessContext = {
    AADSessionId: a.session.aadSessionId,
    APIId: a.session.appId,
    ClientAppId: a.session.clientAppId,
    ClientAppName: a.session.clientAppName,
    CorrelationId: rng.uuid(),
    UniqueTokenId: a.session.uniqueTokenId,
    IssuedAtTime: creationTime(a.session.issuedAtMs),
  };
  return r;
}
