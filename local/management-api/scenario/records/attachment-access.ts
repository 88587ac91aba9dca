// AttachmentAccess (Exchange): a client opened the attachments of these messages. Published records list them as
// Messages[].MessageItems[] (not MailItemsAccessed's Folders[].FolderItems[]) and carry the address only in
// ClientIPAddress; an item may name its message by InternetMessageId alone.
import type { Random } from "../../random";
import type { ClientSession } from "../client-session";
import type { TenantIdentity } from "../tenant-identity";
import type { EmulatedUser } from "../users";
import { auditHeader, creationTime, shapeIp, type AuditRecord } from "./audit-record";
import type { AccessedItem } from "./mail-items-accessed";

export interface AttachmentOpened {
  id: string;
  ms: number;
  mailbox: EmulatedUser;
  actor: EmulatedUser;
  session: ClientSession;
  messages: Array<{ folderId: string; path: string; items: Array<AccessedItem & { attachmentNames: string[] }> }>;
  /** messageIdOnly: items as {InternetMessageId} alone, as sparse published records show. */
  itemShape?: "full" | "messageIdOnly";
}

export function attachmentAccessRecord(t: TenantIdentity, a: AttachmentOpened, rng: Random): AuditRecord {
  const r = auditHeader({
    id: a.id,
    ms: a.ms,
    operation: "AttachmentAccess",
    organizationId: t.tenantId,
    recordType: 50,
    resultStatus: "Succeeded",
    userKey: a.actor.puid,
    workload: "Exchange",
    userId: a.actor.upn,
  });
  r.AppId = a.session.appId;
  r.ClientAppId = a.session.clientAppId;
  r.ClientIPAddress = shapeIp(a.session.ip, rng);
  r.ClientInfoString = a.session.clientInfoString;
  r.ExternalAccess = false;
  r.LogonType = a.actor === a.mailbox ? 0 : 2;
  r.MailboxGuid = a.mailbox.mailboxGuid;
  r.MailboxOwnerUPN = a.mailbox.upn;
  r.SessionId = a.session.sessionId;
  r.OperationCount = a.messages.reduce((n, m) => n + m.items.length, 0);
  r.Messages = a.messages.map((m) => ({
    FolderId: m.folderId,
    Path: m.path,
    MessageItems: m.items.map((i) =>
      a.itemShape === "messageIdOnly"
        ? { InternetMessageId: i.internetMessageId }
        : { Id: i.id, InternetMessageId: i.internetMessageId, SizeInBytes: i.sizeInBytes, Attachments: i.attachmentNames.map((name) => ({ Name: name })) },
    ),
  }));
  r.AppAccessContext = {
    AADSessionId: a.session.aadSessionId,
    ClientAppId: a.session.clientAppId,
    CorrelationId: rng.uuid(),
    UniqueTokenId: a.session.uniqueTokenId,
    IssuedAtTime: creationTime(a.session.issuedAtMs),
  };
  return r;
}
