import { transformBlob, type BlobContext } from "../../functions/src/transform/transform";
import { bindRecord, fileAccessedRecord, syncRecordWithFolders, syncRecordWithParentFolder, throttledRecord } from "./mail-items-accessed-records";

const ctx: BlobContext = { tenantId: "41c7e3a0-0000-4000-8000-000000000001", contentType: "Audit.Exchange", contentId: "20240314092137000000000$20240314092137000000000$audit_exchange$Audit_Exchange$emea0001" };

function only<T>(items: T[]): T {
  expect(items).toHaveLength(1);
  return items[0];
}

describe("microsoft_unified_audit rows", () => {
  it("carry every valid record whole, with its typed common columns and the blob it came from", () => {
    const records = [bindRecord(), fileAccessedRecord()];
    const { auditRows } = transformBlob(records, ctx);
    expect(auditRows).toHaveLength(2);
    expect(auditRows[1]).toEqual({
      CreationTime: "2024-03-14T10:02:11Z",
      Id: "8d5a0143-4444-4c2b-8d61-0e5a7b3d4f14",
      RecordType: 6,
      Operation: "FileAccessed",
      Workload: "SharePoint",
      OrganizationId: "11111111-2222-3333-4444-555555555555",
      UserId: "bob@contoso.com",
      UserKey: "i:0h.f|membership|10032001a1b2c3d4@live.com",
      UserType: 0,
      ClientIP: "198.51.100.7",
      ResultStatus: "",
      ObjectId: "https://contoso.sharepoint.com/sites/finance/Shared Documents/q1.xlsx",
      ContentType: "Audit.Exchange",
      ContentId: ctx.contentId,
      Record: fileAccessedRecord(),
    });
  });

  it("keep unknown extra fields in Record and leave the source record untouched", () => {
    const record = fileAccessedRecord({ BrandNewField: { nested: [1, 2, { deeper: true }] }, "Odd Name": "x" });
    const before = JSON.stringify(record);
    const { auditRows } = transformBlob([record], ctx);
    expect(only(auditRows).Record).toEqual(JSON.parse(before));
    expect(JSON.stringify(record)).toBe(before);
  });

  it.each([
    ["2024-03-14T09:21:37", "2024-03-14T09:21:37Z"],
    ["2024-03-14T09:21:37Z", "2024-03-14T09:21:37Z"],
    ["2024-03-14T09:21:37.1234567", "2024-03-14T09:21:37.1234567Z"],
    ["2024-03-14T09:21:37.123456789Z", "2024-03-14T09:21:37.1234567Z"],
    ["2024-03-14 09:21:37", "2024-03-14T09:21:37Z"],
    ["2024-03-14T11:21:37+02:00", "2024-03-14T09:21:37.000Z"],
    ["2024-03-14", "2024-03-14T00:00:00Z"],
  ])("normalise CreationTime %s to UTC with Z: %s", (source, expected) => {
    const { auditRows } = transformBlob([fileAccessedRecord({ CreationTime: source })], ctx);
    expect(only(auditRows).CreationTime).toBe(expected);
  });

  it("coerce loosely typed common columns to their column types", () => {
    const { auditRows } = transformBlob([fileAccessedRecord({ RecordType: "6", UserType: "2", UserKey: 1234, ClientIP: null, ObjectId: { a: 1 } })], ctx);
    const row = only(auditRows);
    expect(row.RecordType).toBe(6);
    expect(row.UserType).toBe(2);
    expect(row.UserKey).toBe("1234");
    expect(row.ClientIP).toBe("");
    expect(row.ObjectId).toBe('{"a":1}');
  });

  it("leave an int column null when the value is not a number", () => {
    const { auditRows } = transformBlob([fileAccessedRecord({ RecordType: "ExchangeItem", UserType: undefined })], ctx);
    expect(only(auditRows).RecordType).toBeNull();
    expect(only(auditRows).UserType).toBeNull();
  });

  it("are the only rows a record of another operation yields", () => {
    const result = transformBlob([fileAccessedRecord(), bindRecord({ Operation: "Send", Folders: undefined })], ctx);
    expect(result.auditRows).toHaveLength(2);
    expect(result.mailAccessRows).toHaveLength(0);
  });
});

describe("microsoft_unified_access_mail rows for Bind", () => {
  it("are one per message read, with the record's context on each", () => {
    const { mailAccessRows } = transformBlob([bindRecord()], ctx);
    expect(mailAccessRows).toEqual([
      {
        CreationTime: "2024-03-14T09:21:37Z",
        RecordId: "3f1c9b2e-8a47-4d2b-9c61-0e5a7b3d4f10",
        OrganizationId: "11111111-2222-3333-4444-555555555555",
        UserId: "alice@contoso.com",
        MailboxOwnerUPN: "alice@contoso.com",
        MailboxGuid: "9b7c1d2e-0000-4000-8000-00000000abcd",
        LogonType: 0,
        ExternalAccess: false,
        MailAccessType: "Bind",
        IsThrottled: false,
        OperationCount: 2,
        ClientIPAddress: "203.0.113.45",
        ClientIPAddressOriginal: "203.0.113.45",
        ClientInfoString: "Client=REST;Client=RESTSystem;;",
        ClientAppId: "1fec8e78-bce4-4aaf-ab1b-5451cc387264",
        AppId: "00000002-0000-0ff1-ce00-000000000000",
        SessionId: "6f00b664-d723-4414-9aa3-95d45e6a3656",
        AADSessionId: "003066ba-84c3-5438-5423-f7f392e0dbbc",
        FolderId: "LgAAAABLy1EVJMgjR08x3DbRqCQZAQBo",
        FolderPath: "\\Inbox",
        ItemId: "RgAAAAB...AAA1",
        InternetMessageId: "<AM0PR01MB111@AM0PR01MB1234.eurprd01.prod.exchangelabs.com>",
        SizeInBytes: 48211,
        ContentId: ctx.contentId,
      },
      expect.objectContaining({ ItemId: "RgAAAAB...AAA2", InternetMessageId: "<CAF=x9@mail.example.net>", SizeInBytes: 10344, FolderPath: "\\Inbox" }),
    ]);
  });

  it("span every folder of the record", () => {
    const record = bindRecord({
      Folders: [
        { Id: "F1", Path: "\\Inbox", FolderItems: [{ Id: "I1", InternetMessageId: "<m1@x>", SizeInBytes: 1 }] },
        { Id: "F2", Path: "\\Archive", FolderItems: [{ Id: "I2", InternetMessageId: "<m2@x>", SizeInBytes: "2048" }, { Id: "I3", InternetMessageId: "<m3@x>" }] },
      ],
    });
    const rows = transformBlob([record], ctx).mailAccessRows;
    expect(rows.map((r) => [r.FolderPath, r.InternetMessageId, r.SizeInBytes])).toEqual([
      ["\\Inbox", "<m1@x>", 1],
      ["\\Archive", "<m2@x>", 2048],
      ["\\Archive", "<m3@x>", null],
    ]);
  });

  it.each([
    ["missing", undefined],
    ["null", null],
    ["empty", []],
    ["not an array", "RgAAAAB...AAA1"],
    ["only unreadable entries", [null, "x", 42]],
  ])("still yield one folder-level row when FolderItems is %s", (_shape, folderItems) => {
    const record = bindRecord({ Folders: [{ Id: "F1", Path: "\\Inbox", FolderItems: folderItems }] });
    const row = only(transformBlob([record], ctx).mailAccessRows);
    expect(row).toMatchObject({ MailAccessType: "Bind", FolderId: "F1", FolderPath: "\\Inbox", ItemId: "", InternetMessageId: "", SizeInBytes: null });
  });

  it("are one per message when items carry only InternetMessageId, as Microsoft's published sample shows", () => {
    const record = bindRecord({
      Folders: [{ Id: "F1", Path: "\\Inbox", FolderItems: [{ InternetMessageId: "<m1@x>" }, { InternetMessageId: "<m2@x>" }, { InternetMessageId: "<m3@x>" }] }],
    });
    const rows = transformBlob([record], ctx).mailAccessRows;
    expect(rows.map((r) => [r.FolderPath, r.ItemId, r.InternetMessageId, r.SizeInBytes])).toEqual([
      ["\\Inbox", "", "<m1@x>", null],
      ["\\Inbox", "", "<m2@x>", null],
      ["\\Inbox", "", "<m3@x>", null],
    ]);
  });

  it("yield the folder row for FolderItems:[null] and for items that name no message", () => {
    for (const items of [[null], [{}], [{ SizeInBytes: 5 }]]) {
      const row = only(transformBlob([bindRecord({ Folders: [{ Id: "F1", Path: "\\Inbox", FolderItems: items }] })], ctx).mailAccessRows);
      expect(row).toMatchObject({ FolderPath: "\\Inbox", ItemId: "", InternetMessageId: "" });
    }
  });

  it("skip unreadable item entries but keep the readable ones", () => {
    const record = bindRecord({ Folders: [{ Id: "F1", Path: "\\Inbox", FolderItems: [null, { Id: "I1", InternetMessageId: "<m1@x>", SizeInBytes: 5 }, "junk"] }] });
    expect(only(transformBlob([record], ctx).mailAccessRows)).toMatchObject({ ItemId: "I1", InternetMessageId: "<m1@x>" });
  });

  it("treat a single folder object where an array was expected as that folder", () => {
    const record = bindRecord({ Folders: { Id: "F1", Path: "\\Inbox", FolderItems: [{ Id: "I1", InternetMessageId: "<m1@x>", SizeInBytes: 5 }] } });
    expect(only(transformBlob([record], ctx).mailAccessRows)).toMatchObject({ FolderPath: "\\Inbox", InternetMessageId: "<m1@x>" });
  });

  it.each([["a string", "\\Inbox"], ["a number", 7], ["null", null], ["an array of junk", [1, "a", null]]])(
    "yield one mailbox-level row when Folders is %s",
    (_shape, folders) => {
      const row = only(transformBlob([bindRecord({ Folders: folders })], ctx).mailAccessRows);
      expect(row).toMatchObject({ RecordId: "3f1c9b2e-8a47-4d2b-9c61-0e5a7b3d4f10", FolderId: "", FolderPath: "", InternetMessageId: "", MailAccessType: "Bind" });
    },
  );

  it("read a single-item record from Item when there are no folders", () => {
    const record = bindRecord({ Folders: undefined, Item: { Id: "I9", InternetMessageId: "<m9@x>", SizeInBytes: 77, ParentFolder: { Name: "Inbox", Path: "\\Inbox" } } });
    expect(only(transformBlob([record], ctx).mailAccessRows)).toMatchObject({ ItemId: "I9", InternetMessageId: "<m9@x>", SizeInBytes: 77, FolderPath: "\\Inbox" });
  });
});

describe("microsoft_unified_access_mail rows for Sync", () => {
  it("are one per folder from Folders[].Path, with an empty InternetMessageId", () => {
    const rows = transformBlob([syncRecordWithFolders()], ctx).mailAccessRows;
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => [r.MailAccessType, r.FolderId, r.FolderPath, r.ItemId, r.InternetMessageId, r.SizeInBytes])).toEqual([
      ["Sync", "LgAAAABLy1EVJMgjR08x3DbRqCQZAQBo", "\\Inbox", "", "", null],
      ["Sync", "LgAAAABLy1EVJMgjR08x3DbRqCQZAQBp", "\\Finance\\Invoices", "", "", null],
    ]);
    expect(rows[0]).toMatchObject({ ClientInfoString: "Client=MSExchangeRPC", IsThrottled: false, RecordId: "5a2d7e10-1111-4c2b-8d61-0e5a7b3d4f11" });
  });

  it("are one per folder from Item.ParentFolder.Path", () => {
    const row = only(transformBlob([syncRecordWithParentFolder()], ctx).mailAccessRows);
    expect(row).toMatchObject({ MailAccessType: "Sync", FolderPath: "\\Sent Items", InternetMessageId: "", ItemId: "" });
  });

  it("fall back to Item.ParentFolder.Name when the parent folder has no Path", () => {
    const row = only(transformBlob([syncRecordWithParentFolder({ Item: { ParentFolder: { Name: "Drafts" } } })], ctx).mailAccessRows);
    expect(row.FolderPath).toBe("Drafts");
  });

  it("from an EWS client that lists items are one per message, still MailAccessType Sync", () => {
    const record = syncRecordWithFolders({
      ClientInfoString: "Client=WebServices;Action=Sync;ExchangeServicesClient/15.00.0913.015;",
      Folders: [{ Id: "F1", Path: "\\Inbox", FolderItems: [{ InternetMessageId: "<m1@x>" }, { Id: "I2", InternetMessageId: "<m2@x>" }, null] }],
    });
    const rows = transformBlob([record], ctx).mailAccessRows;
    expect(rows.map((r) => [r.MailAccessType, r.FolderPath, r.ItemId, r.InternetMessageId])).toEqual([
      ["Sync", "\\Inbox", "", "<m1@x>"],
      ["Sync", "\\Inbox", "I2", "<m2@x>"],
    ]);
  });
});

describe("microsoft_unified_access_mail rows for throttled and odd records", () => {
  it("keep a throttled record without folders as one row with IsThrottled true", () => {
    const row = only(transformBlob([throttledRecord()], ctx).mailAccessRows);
    expect(row).toMatchObject({ IsThrottled: true, MailAccessType: "Bind", MailboxOwnerUPN: "alice@contoso.com", FolderPath: "", InternetMessageId: "", CreationTime: "2024-03-14T09:21:37Z" });
  });

  it.each([["True", true], ["TRUE", true], ["true", true], ["False", false], ["false", false], [true, true], ["maybe", null]])(
    "read IsThrottled %p as %p",
    (value, expected) => {
      const record = throttledRecord({ OperationProperties: [{ Name: "IsThrottled", Value: value }, { Name: "MailAccessType", Value: "Bind" }] });
      expect(only(transformBlob([record], ctx).mailAccessRows).IsThrottled).toBe(expected);
    },
  );

  it("spell MailAccessType canonically whatever its case, and match property names case-insensitively", () => {
    const record = syncRecordWithFolders({ OperationProperties: [{ Name: "mailaccesstype", Value: "SYNC" }, { Name: "ISTHROTTLED", Value: "false" }] });
    const rows = transformBlob([record], ctx).mailAccessRows;
    expect(rows.every((r) => r.MailAccessType === "Sync" && r.IsThrottled === false)).toBe(true);
  });

  it("accept OperationProperties as a plain object", () => {
    const record = throttledRecord({ OperationProperties: { MailAccessType: "Bind", IsThrottled: "True" } });
    expect(only(transformBlob([record], ctx).mailAccessRows)).toMatchObject({ MailAccessType: "Bind", IsThrottled: true });
  });

  it.each([["missing", undefined], ["null", null], ["a string", "Bind"], ["entries without names", [{ Value: "Bind" }, null]]])(
    "leave MailAccessType empty and IsThrottled unknown when OperationProperties is %s, and keep the rows",
    (_shape, props) => {
      const rows = transformBlob([bindRecord({ OperationProperties: props })], ctx).mailAccessRows;
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatchObject({ MailAccessType: "", IsThrottled: null, InternetMessageId: "<AM0PR01MB111@AM0PR01MB1234.eurprd01.prod.exchangelabs.com>" });
    },
  );

  it("take ClientAppId from AppAccessContext when the record has none, and AADSessionId from there always", () => {
    const record = bindRecord({ ClientAppId: undefined, AppAccessContext: { ClientAppId: "aaaa0000-0000-0000-0000-00000000c11e", AADSessionId: "s-1" } });
    const row = transformBlob([record], ctx).mailAccessRows[0];
    expect(row.ClientAppId).toBe("aaaa0000-0000-0000-0000-00000000c11e");
    expect(row.AADSessionId).toBe("s-1");
  });

  it("leave AADSessionId empty when AppAccessContext is missing or not an object", () => {
    expect(transformBlob([bindRecord({ AppAccessContext: undefined })], ctx).mailAccessRows[0].AADSessionId).toBe("");
    expect(transformBlob([bindRecord({ AppAccessContext: "x" })], ctx).mailAccessRows[0].AADSessionId).toBe("");
  });

  it.each([["Owner", 0], ["Delegated", 2], ["delegatedadmin", 6], ["1", 1], [5, 5], ["constructor", null], [null, null]])("read LogonType %p as %p", (value, expected) => {
    expect(transformBlob([throttledRecord({ LogonType: value })], ctx).mailAccessRows[0].LogonType).toBe(expected);
  });

  it.each([[true, true], ["True", true], ["false", false], [undefined, null]])("read ExternalAccess %p as %p", (value, expected) => {
    expect(transformBlob([throttledRecord({ ExternalAccess: value })], ctx).mailAccessRows[0].ExternalAccess).toBe(expected);
  });
});

describe("ClientIPAddress on mail-access rows", () => {
  it.each([
    ["203.0.113.45", "203.0.113.45"],
    ["203.0.113.45:51234", "203.0.113.45"],
    ["[2001:db8::1]:1234", "2001:db8::1"],
    ["2001:db8::1", "2001:db8::1"],
    ["2001:DB8::1", "2001:db8::1"],
    ["::ffff:1.2.3.4", "1.2.3.4"],
    ["[::FFFF:203.0.113.45]:443", "203.0.113.45"],
  ])("reduce %s to the bare address %s and keep the original", (original, bare) => {
    const row = transformBlob([throttledRecord({ ClientIPAddress: original })], ctx).mailAccessRows[0];
    expect(row.ClientIPAddress).toBe(bare);
    expect(row.ClientIPAddressOriginal).toBe(original);
  });

  it("fall back to ClientIP when ClientIPAddress is missing", () => {
    const row = transformBlob([throttledRecord({ ClientIPAddress: undefined, ClientIP: "198.51.100.9:3333" })], ctx).mailAccessRows[0];
    expect(row.ClientIPAddress).toBe("198.51.100.9");
    expect(row.ClientIPAddressOriginal).toBe("198.51.100.9:3333");
  });

  it("are empty when the record has no IP at all", () => {
    const row = transformBlob([throttledRecord({ ClientIPAddress: undefined, ClientIP: undefined })], ctx).mailAccessRows[0];
    expect(row.ClientIPAddress).toBe("");
    expect(row.ClientIPAddressOriginal).toBe("");
  });
});

describe("validation", () => {
  it.each([
    ["null", null, /not a JSON object/],
    ["a string", "{\"Id\":\"x\"}", /not a JSON object/],
    ["an array", [bindRecord()], /not a JSON object/],
    ["a number", 42, /not a JSON object/],
    ["a record without Id", bindRecord({ Id: undefined }), /field Id is missing/],
    ["a record with a numeric Id", bindRecord({ Id: 12345 }), /field Id is number 12345/],
    ["a record with an empty Id", bindRecord({ Id: "" }), /field Id is empty/],
    ["a record without CreationTime", bindRecord({ Id: "q-1", CreationTime: undefined }), /field CreationTime is missing/],
    ["a record with a non-date CreationTime", bindRecord({ Id: "q-2", CreationTime: "yesterday" }), /field CreationTime is string "yesterday"/],
    ["a record with an impossible date", bindRecord({ Id: "q-3", CreationTime: "2024-02-30T10:00:00" }), /field CreationTime/],
    ["a record with a numeric CreationTime", bindRecord({ Id: "q-4", CreationTime: 1710408097 }), /field CreationTime is number/],
  ])("quarantines %s on its own while the rest of the blob lands", (_what, bad, reason) => {
    const good = [fileAccessedRecord(), bindRecord()];
    const result = transformBlob([good[0], bad, good[1]], ctx);
    expect(result.auditRows.map((r) => r.Id)).toEqual([good[0].Id, good[1].Id]);
    expect(result.mailAccessRows).toHaveLength(2);
    const q = only(result.quarantined);
    expect(q.reason).toMatch(reason);
    expect(q.record).toBe(bad);
    const id = (bad as { Id?: unknown } | null)?.Id;
    expect(q.recordId).toBe(typeof id === "string" && id !== "" ? id : null);
  });

  it("names the Id of a record quarantined for its CreationTime", () => {
    const q = only(transformBlob([bindRecord({ CreationTime: "14/03/2024 09:21" })], ctx).quarantined);
    expect(q.recordId).toBe("3f1c9b2e-8a47-4d2b-9c61-0e5a7b3d4f10");
  });

  it("counts records whose Id repeats within the blob and keeps the first", () => {
    const first = bindRecord();
    const second = bindRecord({ ClientIPAddress: "198.51.100.1" });
    const result = transformBlob([first, fileAccessedRecord(), second, bindRecord()], ctx);
    expect(result.duplicatesInBlob).toBe(2);
    expect(result.auditRows.map((r) => r.Id)).toEqual([first.Id, fileAccessedRecord().Id]);
    expect(result.auditRows[0].Record).toBe(first);
    expect(result.mailAccessRows.every((r) => r.ClientIPAddress === "203.0.113.45")).toBe(true);
  });

  it("lets a valid record land when a malformed one with the same Id came first", () => {
    const result = transformBlob([bindRecord({ CreationTime: "garbage" }), bindRecord()], ctx);
    expect(result.quarantined).toHaveLength(1);
    expect(result.duplicatesInBlob).toBe(0);
    expect(result.auditRows).toHaveLength(1);
  });

  it("handles an empty blob", () => {
    expect(transformBlob([], ctx)).toEqual({ auditRows: [], mailAccessRows: [], quarantined: [], duplicatesInBlob: 0 });
  });
});

describe("big and odd records", () => {
  it("turn a Bind over thousands of messages into one row per message", () => {
    const items = Array.from({ length: 5000 }, (_, i) => ({ Id: `I${i}`, InternetMessageId: `<m${i}@example.net>`, SizeInBytes: i }));
    const record = bindRecord({ OperationCount: 5000, Folders: [{ Id: "F1", Path: "\\Inbox", FolderItems: items.slice(0, 2500) }, { Id: "F2", Path: "\\Archive", FolderItems: items.slice(2500) }] });
    const rows = transformBlob([record], ctx).mailAccessRows;
    expect(rows).toHaveLength(5000);
    expect(new Set(rows.map((r) => r.InternetMessageId)).size).toBe(5000);
    expect(rows[4999]).toMatchObject({ FolderPath: "\\Archive", ItemId: "I4999", SizeInBytes: 4999, OperationCount: 5000 });
  });

  it("keep a multi-megabyte record whole in its audit row", () => {
    const big = "x".repeat(3 * 1024 * 1024);
    const record = fileAccessedRecord({ Payload: { text: big, list: Array.from({ length: 1000 }, (_, i) => ({ i })) } });
    const row = only(transformBlob([record], ctx).auditRows);
    expect(JSON.stringify(row.Record).length).toBeGreaterThan(3 * 1024 * 1024);
    expect((row.Record as { Payload: { text: string } }).Payload.text).toBe(big);
  });

  it("survive hostile field values without throwing", () => {
    const odd = [
      bindRecord({ Id: "o1", Folders: [{ Id: null, Path: 5, FolderItems: [{ Id: {}, InternetMessageId: ["<a>"], SizeInBytes: "big" }] }] }),
      bindRecord({ Id: "o2", OperationCount: "NaN", LogonType: {}, ClientIPAddress: 12345, SessionId: null }),
      bindRecord({ Id: "o3", OperationProperties: [{ Name: "MailAccessType", Value: { x: 1 } }], Item: "not-an-object", Folders: undefined }),
      bindRecord({ Id: "o4", Folders: [{ FolderItems: { Id: "I1" } }], __proto__: { polluted: true } }),
    ];
    const result = transformBlob(odd, ctx);
    expect(result.auditRows).toHaveLength(4);
    expect(result.quarantined).toHaveLength(0);
    expect(result.mailAccessRows.find((r) => r.RecordId === "o1")).toMatchObject({ FolderId: "", FolderPath: "5", ItemId: "{}", InternetMessageId: '["<a>"]', SizeInBytes: null });
    expect(result.mailAccessRows.find((r) => r.RecordId === "o2")).toMatchObject({ OperationCount: null, LogonType: null, ClientIPAddress: "12345", ClientIPAddressOriginal: "12345", SessionId: "" });
    expect(result.mailAccessRows.find((r) => r.RecordId === "o3")).toMatchObject({ MailAccessType: '{"x":1}', FolderPath: "" });
  });
});
