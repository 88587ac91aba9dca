import { transformBlob } from "../../functions/src/transform/transform";
import { Random } from "../../local/management-api/random";
import { openSession } from "../../local/management-api/scenario/client-session";
import { attachmentAccessRecord } from "../../local/management-api/scenario/records/attachment-access";
import { tenantIdentity } from "../../local/management-api/scenario/tenant-identity";
import { createUsers } from "../../local/management-api/scenario/users";

// AttachmentAccess names the messages whose attachments were opened as Messages[].MessageItems[]: each becomes a
// mail-access row (MailAccessType AttachmentAccess) so the breach scope counts the message as read.
const ctx = { tenantId: "t", contentType: "Audit.Exchange", contentId: "blob-1" };
const tenant = tenantIdentity(7, 0, false);
const [ava, ben] = createUsers(7, tenant, 2);
const rng = new Random(42);
const session = openSession("owa", "203.0.113.45", Date.UTC(2024, 2, 15, 9), rng);
const item = (n: number) => ({ id: `RgAAAA${n}`, internetMessageId: `<m${n}@contoso.com>`, sizeInBytes: 1000 * n, attachmentNames: [`invoice-${n}.pdf`] });

test.each(["full", "messageIdOnly"] as const)("the emulator's AttachmentAccess record (%s items) yields one row per message, with the folder and the attacker's identifiers", (itemShape) => {
  const record = attachmentAccessRecord(tenant, {
    id: "a0000001", ms: Date.UTC(2024, 2, 15, 10), mailbox: ava, actor: ava, session, itemShape,
    messages: [{ folderId: "LgAAAAF", path: "\\Inbox", items: [item(1), item(2)] }, { folderId: "LgAAAAG", path: "\\Inbox\\Finance", items: [item(3)] }],
  }, rng);
  const { mailAccessRows, auditRows } = transformBlob([record], ctx);
  expect(mailAccessRows.map((r) => [r.MailAccessType, r.FolderPath, r.InternetMessageId, r.ItemId])).toEqual([
    ["AttachmentAccess", "\\Inbox", "<m1@contoso.com>", itemShape === "full" ? "RgAAAA1" : ""],
    ["AttachmentAccess", "\\Inbox", "<m2@contoso.com>", itemShape === "full" ? "RgAAAA2" : ""],
    ["AttachmentAccess", "\\Inbox\\Finance", "<m3@contoso.com>", itemShape === "full" ? "RgAAAA3" : ""],
  ]);
  for (const r of mailAccessRows) {
    expect(r).toMatchObject({ RecordId: "a0000001", MailboxOwnerUPN: ava.upn, ClientIPAddress: "203.0.113.45", SessionId: session.sessionId, AADSessionId: session.aadSessionId });
  }
  // the record carries no ClientIP: the audit row takes ClientIPAddress's
  expect(record.ClientIP).toBeUndefined();
  expect(auditRows[0].ClientIP).toBe("203.0.113.45");
});

test("sparse shapes: a single message object, a single item object, FolderPath spelling, and no items at all", () => {
  const base = { Id: "b1", CreationTime: "2024-03-15T10:00:00", Operation: "AttachmentAccess", RecordType: 50, Workload: "Exchange", UserId: ben.upn, MailboxOwnerUPN: ben.upn, ClientIPAddress: "198.51.100.7" };
  const single = transformBlob([{ ...base, Messages: { FolderId: "F1", FolderPath: "\\Inbox", MessageItems: { InternetMessageId: "x1@fabrikam.example" } } }], ctx).mailAccessRows;
  expect(single.map((r) => [r.FolderId, r.FolderPath, r.InternetMessageId, r.MailAccessType])).toEqual([["F1", "\\Inbox", "x1@fabrikam.example", "AttachmentAccess"]]);
  // nothing named: still one row, so the record is never lost from the table
  const empty = transformBlob([{ ...base, Id: "b2" }], ctx).mailAccessRows;
  expect(empty.map((r) => [r.RecordId, r.MailAccessType, r.InternetMessageId])).toEqual([["b2", "AttachmentAccess", ""]]);
});
