// Rows are flat objects keyed by column name (each table's JSON mapping reads `$.Column`), so every row must carry
// exactly the table's columns, in its order, with values ADX reads as the column's type (a mismatch lands as NULL).
import { loadCatalog, type KustoType, type TableSchema } from "../../kql/catalog";
import { jsonMappingName, Tables } from "../../kql/tables";
import { transformBlob } from "../../functions/src/transform/transform";
import { bindRecord, fileAccessedRecord, syncRecordWithFolders, syncRecordWithParentFolder, throttledRecord } from "./mail-items-accessed-records";

const catalog = loadCatalog();
const ctx = { tenantId: "t-1", contentType: "Audit.Exchange", contentId: "c-1" };

const records: unknown[] = [
  bindRecord(),
  syncRecordWithFolders(),
  syncRecordWithParentFolder(),
  throttledRecord(),
  fileAccessedRecord(),
  bindRecord({ Id: "odd-1", Folders: "x", OperationProperties: undefined, AppAccessContext: null, LogonType: "Delegated", OperationCount: "3" }),
  bindRecord({ Id: "odd-2", Folders: [{ Id: "F", Path: "\\Inbox", FolderItems: null }], ClientIPAddress: "[2001:db8::1]:1234", CreationTime: "2024-03-14T09:21:37.1234567" }),
  fileAccessedRecord({ Id: "odd-3", RecordType: "6", UserType: null, Operation: undefined, Workload: 3 }),
];
const result = transformBlob(records, ctx);

function table(name: string): TableSchema {
  const t = catalog.get(name);
  if (!t) throw new Error(`kql/tables has no table ${name}`);
  return t;
}

function fitsColumnType(value: unknown, type: KustoType): boolean {
  if (value === null) return type !== "string"; // ADX has no null string; rows carry "" instead
  switch (type) {
    case "string":
      return typeof value === "string";
    case "int":
      return Number.isInteger(value) && (value as number) >= -(2 ** 31) && (value as number) < 2 ** 31;
    case "long":
      return Number.isSafeInteger(value);
    case "real":
      return typeof value === "number";
    case "bool":
      return typeof value === "boolean";
    case "datetime":
      return typeof value === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?Z$/.test(value) && !Number.isNaN(Date.parse(value));
    case "dynamic":
      return typeof value === "object";
    default:
      return false;
  }
}

// read as plain column → value maps: the test walks the columns by name, from kql/
describe.each([
  ["microsoft_unified_audit", Tables.unifiedAudit, (): Record<string, unknown>[] => result.auditRows],
  ["microsoft_unified_access_mail", Tables.accessMail, (): Record<string, unknown>[] => result.mailAccessRows],
])("%s rows", (_name, tableName, rows) => {
  const schema = table(tableName);

  it("are produced for the sample records", () => {
    expect(rows().length).toBeGreaterThanOrEqual(5);
  });

  it("carry exactly the table's columns, in the table's order", () => {
    const columns = schema.columns.map((c) => c.name);
    for (const row of rows()) expect(Object.keys(row)).toEqual(columns);
  });

  it("hold values compatible with each column's type", () => {
    const misfits: string[] = [];
    for (const row of rows()) {
      for (const column of schema.columns) {
        if (!fitsColumnType(row[column.name], column.type)) misfits.push(`${column.name}:${column.type} = ${JSON.stringify(row[column.name])}`);
      }
    }
    expect(misfits).toEqual([]);
  });

  it("are read by a mapping that takes each column from the same-named top-level field", () => {
    const mapping = schema.mappings[jsonMappingName(tableName)];
    expect(mapping).toBeDefined();
    expect(mapping.map((m) => [m.column, m.path])).toEqual(schema.columns.map((c) => [c.name, `$.${c.name}`]));
  });

  it("survive a JSON round trip unchanged (what the sinks send is what the rows say)", () => {
    for (const row of rows()) expect(JSON.parse(JSON.stringify(row))).toEqual(row);
  });
});
