// The ingestion transform's rows against the tables in kql/: the same column names, and values ADX ingests into
// each column's type through the `<table>_json` mapping (a wrong type would land as NULL, silently).
import { transformBlob } from "../../functions/src/transform/transform";
import { loadCatalog, type Column, type KustoType } from "../../kql/catalog";
import { Tables } from "../../kql/tables";

const ORG = "11111111-2222-3333-4444-555555555555";
const common = { OrganizationId: ORG, ResultStatus: "Succeeded", UserKey: "10032001A1B2C3D4", UserType: 0, Version: 1 };
const exchange = {
  ...common,
  Operation: "MailItemsAccessed",
  RecordType: 50,
  Workload: "Exchange",
  UserId: "alice@contoso.com",
  AppId: "00000002-0000-0ff1-ce00-000000000000",
  ClientAppId: "1fec8e78-bce4-4aaf-ab1b-5451cc387264",
  ExternalAccess: false,
  InternalLogonType: 0,
  LogonType: 0,
  MailboxGuid: "9b7c1d2e-0000-4000-8000-00000000abcd",
  MailboxOwnerUPN: "alice@contoso.com",
  SessionId: "6f00b664-d723-4414-9aa3-95d45e6a3656",
  OperationCount: 2,
  AppAccessContext: { AADSessionId: "003066ba-84c3-5438-5423-f7f392e0dbbc", UniqueTokenId: "xYz123" },
};

// Every record shape of the forensics reference: Bind with items, both Sync folder shapes, a throttled record, an
// Entra sign-in, a SharePoint record with fields nobody declared, and a malformed one.
const records: unknown[] = [
  {
    ...exchange,
    Id: "3f1c9b2e-8a47-4d2b-9c61-0e5a7b3d4f10",
    CreationTime: "2024-03-14T09:21:37",
    ClientIP: "203.0.113.45",
    ClientIPAddress: "203.0.113.45:51234",
    ClientInfoString: "Client=REST;Client=RESTSystem;;",
    OperationProperties: [{ Name: "MailAccessType", Value: "Bind" }, { Name: "IsThrottled", Value: "False" }],
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
  },
  {
    ...exchange,
    Id: "5a0d4c1e-1111-4d2b-9c61-0e5a7b3d4f11",
    CreationTime: "2024-03-14T10:02:00",
    ClientIPAddress: "[2001:db8::1]:1234",
    ClientInfoString: "Client=MSExchangeRPC",
    OperationProperties: [{ Name: "MailAccessType", Value: "Sync" }, { Name: "IsThrottled", Value: "False" }],
    Folders: [{ Id: "LgAAAABLy1EVJMgjR08x3DbRqCQZAQBp", Path: "\\Sent Items" }],
  },
  {
    ...exchange,
    Id: "5a0d4c1e-2222-4d2b-9c61-0e5a7b3d4f12",
    CreationTime: "2024-03-14T10:03:00Z",
    ClientIPAddress: "2001:db8::1",
    ClientInfoString: "Client=MSExchangeRPC",
    OperationProperties: [{ Name: "MailAccessType", Value: "Sync" }],
    Item: { ParentFolder: { Name: "Archive", Path: "\\Archive" } },
  },
  {
    ...exchange,
    Id: "5a0d4c1e-3333-4d2b-9c61-0e5a7b3d4f13",
    CreationTime: "2024-03-15T01:00:00",
    ClientIPAddress: "203.0.113.45",
    OperationProperties: [{ Name: "MailAccessType", Value: "Bind" }, { Name: "IsThrottled", Value: "True" }],
  },
  {
    ...common,
    Id: "7c1e2d3f-4444-4d2b-9c61-0e5a7b3d4f14",
    CreationTime: "2024-03-14T06:59:00",
    RecordType: 15,
    Operation: "UserLoggedIn",
    Workload: "AzureActiveDirectory",
    UserId: "alice@contoso.com",
    ClientIP: "203.0.113.45",
    ObjectId: "00000002-0000-0ff1-ce00-000000000000",
    ExtendedProperties: [{ Name: "UserAgent", Value: "Mozilla/5.0" }],
  },
  {
    ...common,
    Id: "8d2f3e4a-5555-4d2b-9c61-0e5a7b3d4f15",
    CreationTime: "2024-03-14T11:00:00",
    RecordType: 6,
    Operation: "FileDownloaded",
    Workload: "SharePoint",
    UserId: "alice@contoso.com",
    ClientIP: "203.0.113.45",
    ObjectId: "https://contoso.sharepoint.com/sites/x/doc.docx",
    SomethingNew: { nested: [1, 2, 3] },
  },
  { CreationTime: "2024-03-14T11:00:00", Operation: "MailItemsAccessed" },
];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Why `value` would not ingest into a column of `type` (null when it would). */
function typeProblem(value: unknown, type: KustoType): string | null {
  if (value === null) return null;
  const ok: Record<KustoType, () => boolean> = {
    string: () => typeof value === "string",
    datetime: () => typeof value === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.test(value) && !Number.isNaN(Date.parse(value)),
    guid: () => typeof value === "string" && GUID.test(value),
    bool: () => typeof value === "boolean",
    int: () => Number.isInteger(value) && Math.abs(value as number) <= 2 ** 31 - 1,
    long: () => Number.isSafeInteger(value),
    real: () => typeof value === "number",
    decimal: () => typeof value === "number" || (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value)),
    dynamic: () => value !== undefined && typeof value !== "function",
    timespan: () => typeof value === "string",
  };
  return ok[type]() ? null : `${JSON.stringify(value)} is not a ${type}`;
}

function problems(rows: Record<string, unknown>[], columns: Column[]): string[] {
  const expected = columns.map((c) => c.name).sort();
  const out: string[] = [];
  rows.forEach((row, i) => {
    const keys = Object.keys(row).sort();
    if (JSON.stringify(keys) !== JSON.stringify(expected)) out.push(`row ${i}: columns ${keys.join(",")} ≠ table ${expected.join(",")}`);
    for (const c of columns) {
      const p = c.name in row ? typeProblem(row[c.name], c.type) : null;
      if (p) out.push(`row ${i}: ${c.name}: ${p}`);
    }
  });
  return out;
}

const catalog = loadCatalog();
const result = transformBlob(records, { tenantId: "aaaaaaaa-0000-4000-8000-000000000001", contentType: "Audit.Exchange", contentId: "20240314-blob-1" });

describe("the ingestion transform against the tables in kql/", () => {
  it("turns every record shape into rows (and quarantines the malformed one)", () => {
    expect(result.auditRows).toHaveLength(6);
    expect(result.mailAccessRows.length).toBeGreaterThanOrEqual(5); // 2 messages, 2 synced folders, 1 throttled
    expect(result.quarantined).toHaveLength(1);
  });

  it("writes microsoft_unified_audit rows with exactly the table's columns, each value of the column's type", () => {
    expect(problems(result.auditRows, catalog.get(Tables.unifiedAudit)!.columns)).toEqual([]);
  });

  it("writes microsoft_unified_access_mail rows with exactly the table's columns, each value of the column's type", () => {
    expect(problems(result.mailAccessRows, catalog.get(Tables.accessMail)!.columns)).toEqual([]);
  });

  it("fills the columns the investigation functions key on", () => {
    const bind = result.mailAccessRows.filter((r) => r.MailAccessType === "Bind" && r.InternetMessageId);
    expect(bind.map((r) => [r.FolderPath, r.ClientIPAddress, r.SessionId])).toEqual([
      ["\\Inbox", "203.0.113.45", "6f00b664-d723-4414-9aa3-95d45e6a3656"],
      ["\\Inbox", "203.0.113.45", "6f00b664-d723-4414-9aa3-95d45e6a3656"],
    ]);
    const syncFolders = result.mailAccessRows.filter((r) => r.MailAccessType === "Sync").map((r) => r.FolderPath);
    expect(syncFolders.sort()).toEqual(["\\Archive", "\\Sent Items"]);
    expect(result.mailAccessRows.filter((r) => r.IsThrottled === true).map((r) => r.MailboxOwnerUPN)).toEqual(["alice@contoso.com"]);
  });
});
