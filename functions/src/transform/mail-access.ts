// MailItemsAccessed and AttachmentAccess records → microsoft_unified_access_mail rows: one per message read (Bind), one per folder
// synchronised (Sync, empty InternetMessageId: every item in it is presumed read), one per message an EWS Sync names
// (still MailAccessType Sync), and at least one per record, so a throttled record or an odd shape is never lost from
// the table investigators query first. Items are keyed on InternetMessageId: Microsoft's own sample omits `Id`.
import type { MicrosoftUnifiedAccessMailRow } from "../../../kql/generated/table-rows";
import type { AuditRecord, BlobContext } from "./audit-record";
import { boolValue, intValue, longValue, objectValue, stringValue } from "./column-values";
import { normalizeIpAddress } from "./ip-address";

export const MAIL_ITEMS_ACCESSED = "MailItemsAccessed";
/** Attachments of these messages were opened: Messages[].MessageItems[], rows with MailAccessType "AttachmentAccess". */
export const ATTACHMENT_ACCESS = "AttachmentAccess";

// Exchange sometimes writes LogonType as its enum name instead of the number.
const LOGON_TYPES = new Map<string, number>([
  ["owner", 0], ["admin", 1], ["delegated", 2], ["transport", 3], ["systemservice", 4], ["bestaccess", 5], ["delegatedadmin", 6],
]);

/** The per-record columns shared by every row a record yields: all but the folder and item ones. */
type MailAccessContext = Omit<MicrosoftUnifiedAccessMailRow, "FolderId" | "FolderPath" | "ItemId" | "InternetMessageId" | "SizeInBytes">;

/** Appends the record's rows to `out` (no intermediate arrays: this runs for every MailItemsAccessed record). */
export function appendMailAccessRows(record: AuditRecord, creationTime: string, ctx: BlobContext, out: MicrosoftUnifiedAccessMailRow[]): void {
  const c = mailAccessContext(record, creationTime, ctx);
  const isSync = c.MailAccessType === "Sync";
  const before = out.length;

  // AttachmentAccess names its messages as Messages[].MessageItems[]; MailItemsAccessed as Folders[].FolderItems[]
  const attachments = record.Operation === ATTACHMENT_ACCESS;
  if (attachments) c.MailAccessType = ATTACHMENT_ACCESS;
  const folders = attachments ? record.Messages : record.Folders;
  const itemsKey = attachments ? "MessageItems" : "FolderItems";
  if (Array.isArray(folders)) {
    for (let i = 0; i < folders.length; i++) {
      const folder = objectValue(folders[i]);
      if (folder) appendFolderRows(c, folder, itemsKey, out);
    }
  } else {
    // a single folder object where an array was expected: still a folder
    const folder = objectValue(folders);
    if (folder) appendFolderRows(c, folder, itemsKey, out);
  }
  if (out.length > before) return;

  // the other Sync shape: Item.ParentFolder.{Name, Path} instead of Folders[]
  const item = objectValue(record.Item);
  const parent = item && objectValue(item.ParentFolder);
  if (parent) {
    const folderId = stringValue(parent.Id);
    const folderPath = stringValue(parent.Path) || stringValue(parent.Name);
    if (!isSync && item && typeof item.InternetMessageId === "string" && item.InternetMessageId !== "") {
      out.push(mailAccessRow(c, folderId, folderPath, stringValue(item.Id), item.InternetMessageId, longValue(item.SizeInBytes)));
    } else {
      out.push(mailAccessRow(c, folderId, folderPath, "", "", null));
    }
    return;
  }
  // no folder at all (a throttled record, or an unknown shape): one mailbox-level row
  out.push(mailAccessRow(c, "", "", "", "", null));
}

function appendFolderRows(c: MailAccessContext, folder: Record<string, unknown>, itemsKey: string, out: MicrosoftUnifiedAccessMailRow[]): void {
  const folderId = stringValue(folder.Id) || stringValue(folder.FolderId);
  const folderPath = stringValue(folder.Path) || stringValue(folder.FolderPath) || stringValue(folder.Name);
  // a single item object where an array was expected: still an item
  const field = folder[itemsKey];
  const items = Array.isArray(field) || field === undefined || field === null ? field : [field];
  let itemRows = 0;
  // Bind and EWS Sync alike: a row per item that names a message; `Id` and `SizeInBytes` may be absent
  if (Array.isArray(items)) {
    for (let i = 0; i < items.length; i++) {
      const item = objectValue(items[i]);
      // FolderItems:[null] and items naming no message say nothing beyond "this folder"
      if (!item) continue;
      const itemId = stringValue(item.Id);
      const internetMessageId = stringValue(item.InternetMessageId);
      if (itemId === "" && internetMessageId === "") continue;
      out.push(mailAccessRow(c, folderId, folderPath, itemId, internetMessageId, longValue(item.SizeInBytes)));
      itemRows++;
    }
  }
  // a folder without (readable) items still says this folder was touched (a desktop Sync: the whole folder)
  if (itemRows === 0) out.push(mailAccessRow(c, folderId, folderPath, "", "", null));
}

function mailAccessRow(
  c: MailAccessContext, folderId: string, folderPath: string, itemId: string, internetMessageId: string, sizeInBytes: number | null,
): MicrosoftUnifiedAccessMailRow {
  return {
    CreationTime: c.CreationTime,
    RecordId: c.RecordId,
    OrganizationId: c.OrganizationId,
    UserId: c.UserId,
    MailboxOwnerUPN: c.MailboxOwnerUPN,
    MailboxGuid: c.MailboxGuid,
    LogonType: c.LogonType,
    ExternalAccess: c.ExternalAccess,
    MailAccessType: c.MailAccessType,
    IsThrottled: c.IsThrottled,
    OperationCount: c.OperationCount,
    ClientIPAddress: c.ClientIPAddress,
    ClientIPAddressOriginal: c.ClientIPAddressOriginal,
    ClientInfoString: c.ClientInfoString,
    ClientAppId: c.ClientAppId,
    AppId: c.AppId,
    SessionId: c.SessionId,
    AADSessionId: c.AADSessionId,
    FolderId: folderId,
    FolderPath: folderPath,
    ItemId: itemId,
    InternetMessageId: internetMessageId,
    SizeInBytes: sizeInBytes,
    ContentId: c.ContentId,
  };
}

function mailAccessContext(record: AuditRecord, creationTime: string, ctx: BlobContext): MailAccessContext {
  let mailAccessType = "";
  let isThrottled: boolean | null = null;
  const props = record.OperationProperties;
  if (Array.isArray(props)) {
    // [{Name, Value}]: the documented shape
    for (let i = 0; i < props.length; i++) {
      const p = objectValue(props[i]);
      if (!p || typeof p.Name !== "string") continue;
      const name = p.Name.toLowerCase();
      if (name === "mailaccesstype") mailAccessType = accessType(p.Value);
      else if (name === "isthrottled") isThrottled = boolValue(p.Value);
    }
  } else {
    // tolerate a plain {MailAccessType, IsThrottled} object
    const p = objectValue(props);
    if (p) {
      for (const key in p) {
        const name = key.toLowerCase();
        if (name === "mailaccesstype") mailAccessType = accessType(p[key]);
        else if (name === "isthrottled") isThrottled = boolValue(p[key]);
      }
    }
  }

  const appAccess = objectValue(record.AppAccessContext);
  const ipField = record.ClientIPAddress;
  const ipOriginal = stringValue(ipField === undefined || ipField === null || ipField === "" ? record.ClientIP : ipField);
  const clientAppId = stringValue(record.ClientAppId);

  return {
    CreationTime: creationTime,
    RecordId: record.Id,
    OrganizationId: stringValue(record.OrganizationId),
    UserId: stringValue(record.UserId),
    MailboxOwnerUPN: stringValue(record.MailboxOwnerUPN),
    MailboxGuid: stringValue(record.MailboxGuid),
    LogonType: logonTypeValue(record.LogonType),
    ExternalAccess: boolValue(record.ExternalAccess),
    MailAccessType: mailAccessType,
    IsThrottled: isThrottled,
    OperationCount: intValue(record.OperationCount),
    ClientIPAddress: normalizeIpAddress(ipOriginal),
    ClientIPAddressOriginal: ipOriginal,
    ClientInfoString: stringValue(record.ClientInfoString),
    ClientAppId: clientAppId !== "" ? clientAppId : appAccess ? stringValue(appAccess.ClientAppId) : "",
    AppId: stringValue(record.AppId),
    SessionId: stringValue(record.SessionId),
    AADSessionId: appAccess ? stringValue(appAccess.AADSessionId) : "",
    ContentId: ctx.contentId,
  };
}

function logonTypeValue(v: unknown): number | null {
  if (typeof v === "string") {
    const named = LOGON_TYPES.get(v.toLowerCase());
    if (named !== undefined) return named;
  }
  return intValue(v);
}

function accessType(v: unknown): string {
  const s = stringValue(v);
  // canonical spelling so queries can compare with ==
  if (s.length === 4) {
    const lower = s.toLowerCase();
    if (lower === "bind") return "Bind";
    if (lower === "sync") return "Sync";
  }
  return s;
}
