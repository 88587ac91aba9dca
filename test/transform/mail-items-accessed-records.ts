// Audit records in the shapes the reference documents (all identifiers fake), for the transform specifications.

/** The reference's Bind example, verbatim. */
export function bindRecord(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    CreationTime: "2024-03-14T09:21:37",
    Id: "3f1c9b2e-8a47-4d2b-9c61-0e5a7b3d4f10",
    Operation: "MailItemsAccessed",
    OrganizationId: "11111111-2222-3333-4444-555555555555",
    RecordType: 50,
    ResultStatus: "Succeeded",
    UserKey: "10032001A1B2C3D4",
    UserType: 0,
    Version: 1,
    Workload: "Exchange",
    ClientIP: "203.0.113.45",
    UserId: "alice@contoso.com",
    AppId: "00000002-0000-0ff1-ce00-000000000000",
    ClientAppId: "1fec8e78-bce4-4aaf-ab1b-5451cc387264",
    ClientIPAddress: "203.0.113.45",
    ClientInfoString: "Client=REST;Client=RESTSystem;;",
    ExternalAccess: false,
    InternalLogonType: 0,
    LogonType: 0,
    LogonUserSid: "S-1-5-21-1-2-3-1001",
    MailboxGuid: "9b7c1d2e-0000-4000-8000-00000000abcd",
    MailboxOwnerSid: "S-1-5-21-1-2-3-1001",
    MailboxOwnerUPN: "alice@contoso.com",
    OrganizationName: "contoso.onmicrosoft.com",
    OriginatingServer: "AM0PR01MB1234 (15.20.7544.000)\r\n",
    SessionId: "6f00b664-d723-4414-9aa3-95d45e6a3656",
    OperationCount: 2,
    OperationProperties: [
      { Name: "MailAccessType", Value: "Bind" },
      { Name: "IsThrottled", Value: "False" },
    ],
    Folders: [
      {
        Id: "LgAAAABLy1EVJMgjR08x3DbRqCQZAQBo",
        Path: "\\Inbox",
        FolderItems: [
          { Id: "RgAAAAB...AAA1", InternetMessageId: "<AM0PR01MB111@AM0PR01MB1234.eurprd01.prod.exchangelabs.com>", SizeInBytes: 48211 },
          { Id: "RgAAAAB...AAA2", InternetMessageId: "<CAF=x9@mail.example.net>", SizeInBytes: 10344 },
        ],
      },
    ],
    AppAccessContext: { AADSessionId: "003066ba-84c3-5438-5423-f7f392e0dbbc", UniqueTokenId: "xYz123", IssuedAtTime: "2024-03-14T09:01:02" },
    ...overrides,
  };
}

/** A Sync record with the folder in Folders[].Path (no FolderItems), from desktop Outlook. */
export function syncRecordWithFolders(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return bindRecord({
    Id: "5a2d7e10-1111-4c2b-8d61-0e5a7b3d4f11",
    ClientInfoString: "Client=MSExchangeRPC",
    OperationCount: 1,
    OperationProperties: [
      { Name: "MailAccessType", Value: "Sync" },
      { Name: "IsThrottled", Value: "False" },
    ],
    Folders: [
      { Id: "LgAAAABLy1EVJMgjR08x3DbRqCQZAQBo", Path: "\\Inbox" },
      { Id: "LgAAAABLy1EVJMgjR08x3DbRqCQZAQBp", Path: "\\Finance\\Invoices" },
    ],
    ...overrides,
  });
}

/** A Sync record with the folder in Item.ParentFolder.{Name, Path} instead of Folders[]. */
export function syncRecordWithParentFolder(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const r = bindRecord({
    Id: "6b3e8f21-2222-4c2b-8d61-0e5a7b3d4f12",
    ClientInfoString: "Client=MSExchangeRPC",
    OperationProperties: [
      { Name: "MailAccessType", Value: "Sync" },
      { Name: "IsThrottled", Value: "False" },
    ],
    Item: { ParentFolder: { Name: "Sent Items", Path: "\\Sent Items" } },
    ...overrides,
  });
  delete r.Folders;
  return r;
}

/** The record Exchange writes when it stops auditing Binds for a mailbox: IsThrottled=True, no folders. */
export function throttledRecord(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const r = bindRecord({
    Id: "7c4f9032-3333-4c2b-8d61-0e5a7b3d4f13",
    OperationCount: 1,
    OperationProperties: [
      { Name: "MailAccessType", Value: "Bind" },
      { Name: "IsThrottled", Value: "True" },
    ],
    ...overrides,
  });
  delete r.Folders;
  return r;
}

/** A SharePoint record: lands in microsoft_unified_audit only. */
export function fileAccessedRecord(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    CreationTime: "2024-03-14T10:02:11",
    Id: "8d5a0143-4444-4c2b-8d61-0e5a7b3d4f14",
    Operation: "FileAccessed",
    OrganizationId: "11111111-2222-3333-4444-555555555555",
    RecordType: 6,
    UserKey: "i:0h.f|membership|10032001a1b2c3d4@live.com",
    UserType: 0,
    Version: 1,
    Workload: "SharePoint",
    ClientIP: "198.51.100.7",
    ObjectId: "https://contoso.sharepoint.com/sites/finance/Shared Documents/q1.xlsx",
    UserId: "bob@contoso.com",
    EventSource: "SharePoint",
    ItemType: "File",
    SiteUrl: "https://contoso.sharepoint.com/sites/finance/",
    SourceFileName: "q1.xlsx",
    ...overrides,
  };
}
