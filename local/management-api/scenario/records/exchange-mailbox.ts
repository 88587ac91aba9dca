// Exchange operations other than MailItemsAccessed: item operations, folder operations, logins and admin cmdlets.
import type { Random } from "../../random";
import type { ClientSession } from "../client-session";
import { folderId, type MailMessage } from "../mailbox";
import type { TenantIdentity } from "../tenant-identity";
import type { EmulatedUser } from "../users";
import { auditHeader, shapeIp, type AuditRecord } from "./audit-record";

export type ExchangeItemOperation = "Send" | "Create" | "Update" | "MailboxLogin";
export type ExchangeFolderOperation = "MoveToDeletedItems" | "SoftDelete" | "HardDelete";

function mailboxFields(r: AuditRecord, t: TenantIdentity, mailbox: EmulatedUser, actor: EmulatedUser, s: ClientSession, ip: string) {
  r.AppId = s.appId;
  r.ClientAppId = s.clientAppId;
  r.ClientIPAddress = ip;
  r.ClientInfoString = s.clientInfoString;
  r.ExternalAccess = false;
  r.InternalLogonType = 0;
  r.LogonType = actor === mailbox ? 0 : 2;
  r.LogonUserSid = actor.sid;
  r.MailboxGuid = mailbox.mailboxGuid;
  r.MailboxOwnerSid = mailbox.sid;
  r.MailboxOwnerUPN = mailbox.upn;
  r.OrganizationName = t.domain;
  r.OriginatingServer = `${t.originatingServerPrefix}${String(1000 + (mailbox.index % 9000)).padStart(4, "0")} (15.20.7544.000)\r\n`;
  r.SessionId = s.sessionId;
}

export function exchangeItemRecord(
  t: TenantIdentity,
  rng: Random,
  e: { id: string; ms: number; operation: ExchangeItemOperation; mailbox: EmulatedUser; session: ClientSession; message?: MailMessage },
): AuditRecord {
  const ip = shapeIp(e.session.ip, rng);
  const r = auditHeader({
    id: e.id,
    ms: e.ms,
    operation: e.operation,
    organizationId: t.tenantId,
    recordType: 2,
    resultStatus: "Succeeded",
    userKey: e.mailbox.puid,
    workload: "Exchange",
    clientIp: ip,
    objectId: e.message ? e.message.itemId : "",
    userId: e.mailbox.upn,
  });
  mailboxFields(r, t, e.mailbox, e.mailbox, e.session, ip);
  if (e.operation === "MailboxLogin") return r;
  const m = e.message;
  const path = e.operation === "Create" ? "\\Calendar" : m ? m.folderPath : "\\Inbox";
  r.Item = {
    Id: m ? m.itemId : "",
    ...(m && e.operation !== "Create" ? { InternetMessageId: m.internetMessageId } : {}),
    ParentFolder: { Id: folderId(e.mailbox, path), Path: path },
    Subject: m ? m.subject : "Weekly sync",
    SizeInBytes: m ? m.sizeInBytes : rng.int(2000, 20000),
    ...(m && m.attachmentCount > 0 ? { Attachments: `report.pdf (${rng.int(20000, 400000)}b)` } : {}),
  };
  if (e.operation === "Update") r.ModifiedProperties = rng.pick([["Categories"], ["IsRead"], ["RecipientCollection", "Subject"]]);
  return r;
}

export function exchangeFolderRecord(
  t: TenantIdentity,
  rng: Random,
  e: { id: string; ms: number; operation: ExchangeFolderOperation; mailbox: EmulatedUser; session: ClientSession; messages: MailMessage[] },
): AuditRecord {
  const ip = shapeIp(e.session.ip, rng);
  const from = e.messages[0]?.folderPath ?? "\\Inbox";
  const r = auditHeader({
    id: e.id,
    ms: e.ms,
    operation: e.operation,
    organizationId: t.tenantId,
    recordType: 3,
    resultStatus: "Succeeded",
    userKey: e.mailbox.puid,
    workload: "Exchange",
    clientIp: ip,
    userId: e.mailbox.upn,
  });
  mailboxFields(r, t, e.mailbox, e.mailbox, e.session, ip);
  r.AffectedItems = e.messages.map((m) => ({
    Attachments: m.attachmentCount > 0 ? "invoice.pdf" : "",
    Id: m.itemId,
    InternetMessageId: m.internetMessageId,
    ParentFolder: { Id: m.folderId, Path: m.folderPath },
    Subject: m.subject,
  }));
  r.CrossMailboxOperation = false;
  if (e.operation === "MoveToDeletedItems") r.DestFolder = { Id: folderId(e.mailbox, "\\Deleted Items"), Path: "\\Deleted Items" };
  r.Folder = { Id: folderId(e.mailbox, from), Path: from };
  return r;
}

/** ExchangeAdmin (RecordType 1): cmdlets such as New-InboxRule, Set-Mailbox, Add-MailboxPermission. */
export function exchangeAdminRecord(
  t: TenantIdentity,
  rng: Random,
  e: { id: string; ms: number; cmdlet: string; actor: EmulatedUser; objectId: string; parameters: Array<{ Name: string; Value: string }>; session: ClientSession },
): AuditRecord {
  const r = auditHeader({
    id: e.id,
    ms: e.ms,
    operation: e.cmdlet,
    organizationId: t.tenantId,
    recordType: 1,
    resultStatus: "True",
    userKey: e.actor.puid,
    userType: e.actor.isAdmin ? 2 : 0,
    workload: "Exchange",
    clientIp: shapeIp(e.session.ip, rng),
    objectId: e.objectId,
    userId: e.actor.upn,
  });
  r.AppId = e.session.appId;
  r.ClientAppId = e.session.clientAppId;
  r.ExternalAccess = false;
  r.OrganizationName = t.domain;
  r.OriginatingServer = `${t.originatingServerPrefix}${rng.int(1000, 9999)} (15.20.7544.000)`;
  r.Parameters = e.parameters;
  r.RequestId = rng.uuid();
  r.SessionId = e.session.sessionId;
  return r;
}
