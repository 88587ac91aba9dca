import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { KustoConnectionStringBuilder } from "azure-kusto-data";
import { DataFormat, IngestionProperties, StreamingIngestClient } from "azure-kusto-ingest";
import { parseTableScripts } from "../../kql/catalog";
import { Tables, jsonMappingName } from "../../kql/tables";
import { startAdxEmulator, type AdxEmulator } from "../../local/adx";
import { localCredential, multijson, nullRow } from "./fixtures";

const DB = "audit_0a1b2c3d";
const MAIL = Tables.accessMail;
const AUDIT = Tables.unifiedAudit;

// Guid and real columns do not occur in kql/ yet; a test table covers their conversions.
const TYPES_SCRIPT = `
.create-merge table typed_values (Id: string, Guid: guid, Real: real, Long: long, Flag: bool, When: datetime, Bag: dynamic, Wide: dynamic)
.create-or-alter table typed_values ingestion json mapping 'typed_values_json' '[{"column":"Id","path":"$.Id","datatype":"string"},{"column":"Guid","path":"$.Guid","datatype":"guid"},{"column":"Real","path":"$.Real","datatype":"real"},{"column":"Long","path":"$.Long","datatype":"long"},{"column":"Flag","path":"$.Flag","datatype":"bool"},{"column":"When","path":"$.When","datatype":"datetime"},{"column":"Bag","path":"$.Nested.Bag","datatype":"dynamic"},{"column":"Wide","path":"$.Wide","datatype":"dynamic"}]'
.alter column typed_values.Wide policy encoding type = 'BigObject'
`;
// kql/ sets no streaming-ingestion policy (the engine ingests queued); these tests turn it on for the tables they use.
const STREAMING_SCRIPT = ["microsoft_unified_access_mail", "microsoft_unified_audit", "typed_values"].map((t) => `.alter table ${t} policy streamingingestion enable`).join("\n");
const streamingCatalog = (extra: string[] = []) =>
  parseTableScripts([
    ...["microsoft_unified_access_mail", "microsoft_unified_audit", ...extra].map((t) => readFileSync(join(__dirname, "../../kql/tables", `${t}.kql`), "utf8")),
    TYPES_SCRIPT,
    STREAMING_SCRIPT,
  ]);

interface AxiosLikeError {
  response?: { status: number; data: { error: { code: string; "@message": string; "@permanent": boolean } } };
}

async function failureOf(p: Promise<unknown>): Promise<{ status: number; code: string; message: string; permanent: boolean }> {
  try {
    await p;
  } catch (e) {
    const r = (e as AxiosLikeError).response;
    if (!r) throw e;
    return { status: r.status, code: r.data.error.code, message: r.data.error["@message"], permanent: r.data.error["@permanent"] };
  }
  throw new Error("expected the ingestion to fail");
}

describe("ADX emulator: streaming ingestion with the real StreamingIngestClient", () => {
  let dataDir: string;
  let adx: AdxEmulator;
  let client: StreamingIngestClient;

  const props = (table: string, mapping: string | undefined = jsonMappingName(table), database = DB) =>
    new IngestionProperties({ database, table, format: DataFormat.MULTIJSON, ingestionMappingReference: mapping });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "adx-streaming-"));
    adx = await startAdxEmulator({ databases: [DB], dataDir, catalog: streamingCatalog(["ingestion_ledger"]) });
    client = new StreamingIngestClient(KustoConnectionStringBuilder.withTokenCredential(adx.url, localCredential));
  });

  afterAll(async () => {
    client?.close();
    await adx?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("lands exactly the mapped rows, with ADX's conversions, in <dataDir>/adx/<db>/<table>.jsonl", async () => {
    const record = {
      CreationTime: "2024-05-01T10:00:00",           // no Z: UTC
      RecordId: "4f1a3e1c-0000-4000-8000-000000000001",
      UserId: "victim@contoso.com",
      LogonType: "0",                                  // a number as a string
      ExternalAccess: "False",                         // a bool as a string
      IsThrottled: true,
      OperationCount: 3,
      ClientIPAddress: "203.0.113.7",
      SizeInBytes: 52311,
      InternetMessageId: "<msg-1@contoso.com>",
      NotAColumn: "dropped",
    };
    const result = await client.ingestFromStream(multijson([record]), props(MAIL));
    expect(JSON.stringify(result)).toContain("ConsumedRecordsCount");

    const expected = {
      ...nullRow(MAIL),
      CreationTime: "2024-05-01T10:00:00Z",
      RecordId: "4f1a3e1c-0000-4000-8000-000000000001",
      UserId: "victim@contoso.com",
      LogonType: 0,
      ExternalAccess: false,
      IsThrottled: true,
      OperationCount: 3,
      ClientIPAddress: "203.0.113.7",
      SizeInBytes: 52311,
      InternetMessageId: "<msg-1@contoso.com>",
    };
    expect(adx.store.rows(DB, MAIL)).toEqual([expected]);
    const file = readFileSync(join(dataDir, "adx", DB, `${MAIL}.jsonl`), "utf8");
    expect(file.trim().split("\n").map((l) => JSON.parse(l))).toEqual([expected]);
    expect(adx.store.extents(DB, MAIL)).toEqual([expect.objectContaining({ rowCount: 1, tags: [], mode: "streaming" })]);
  });

  test("converts like ADX: offsets to UTC, 7-digit ticks, strings to numbers and bools, guids normalised, invalid values and missing paths to null", async () => {
    const records = [
      { Id: "a", Guid: "{3F2504E0-4F89-11D3-9A0C-0305E82C3301}", Real: "1.5", Long: "9007199254740991", Flag: "TRUE", When: "2024-05-01T12:30:00.123456789+02:00", Nested: { Bag: { deep: [1, { x: "y" }] } } },
      { Id: "b", Guid: "3f2504e04f8911d39a0c0305e82c3301", Real: 2, Long: 42, Flag: 0, When: "2024-05-01 10:00", Nested: { Bag: "just text" } },
      { Id: "c", Guid: "not-a-guid", Real: "abc", Long: 1.5, Flag: "yes", When: "yesterday", Nested: {} },
      { Id: "d", Real: "NaN", Long: "-12", When: "Wed, 01 May 2024 10:00:00 GMT" },
    ];
    await client.ingestFromStream(multijson(records), props("typed_values"));
    expect(adx.store.rows(DB, "typed_values")).toEqual([
      { Id: "a", Guid: "3f2504e0-4f89-11d3-9a0c-0305e82c3301", Real: 1.5, Long: 9007199254740991, Flag: true, When: "2024-05-01T10:30:00.1234567Z", Bag: { deep: [1, { x: "y" }] }, Wide: null },
      { Id: "b", Guid: "3f2504e0-4f89-11d3-9a0c-0305e82c3301", Real: 2, Long: 42, Flag: false, When: "2024-05-01T10:00:00Z", Bag: "just text", Wide: null },
      { Id: "c", Guid: null, Real: null, Long: null, Flag: null, When: null, Bag: null, Wide: null },
      { Id: "d", Guid: null, Real: "NaN", Long: -12, Flag: null, When: "2024-05-01T10:00:00Z", Bag: null, Wide: null },
    ]);
  });

  test("reads multijson in any layout: a value per line, values spanning lines, several on a line, arrays of bags", async () => {
    const text = [
      '{"Id":"line-1","Nested":{"Bag":{"deep":"}{"}}}',
      '  {"Id":"line-2"}\r',
      '{"Id":"spans",',
      '  "Nested": {"Bag": {"x": 1}}}  {"Id":"same-line"}',
      '[{"Id":"array-1"},{"Id":"array-2"}]',
      "",
    ].join("\n");
    await client.ingestFromStream(Readable.from([text]), props("typed_values"));
    expect(adx.store.rows(DB, "typed_values").map((r) => [r.Id, r.Bag])).toEqual(
      expect.arrayContaining([["line-1", { deep: "}{" }], ["line-2", null], ["spans", { x: 1 }], ["same-line", null], ["array-1", null], ["array-2", null]]),
    );
    const perLine = '{"Id":"per-line-a"}\n[{"Id":"per-line-b"}]\n';
    await client.ingestFromStream(Readable.from([perLine]), props("typed_values"));
    expect(adx.store.rows(DB, "typed_values").filter((r) => String(r.Id).startsWith("per-line")).map((r) => r.Id)).toEqual(["per-line-a", "per-line-b"]);
  });

  test("refuses a whole multijson batch when any value in it is malformed or not a property bag", async () => {
    for (const text of ['{"Id":"ok"}\n{"Id":', '{"Id":"ok"}\n[1]\n', '{"Id":"ok"}\n"text"\n']) {
      const failure = await failureOf(client.ingestFromStream(Readable.from([text]), props("typed_values")));
      expect(failure).toMatchObject({ code: "BadRequest_InvalidBlob", permanent: true });
    }
    expect(adx.store.rows(DB, "typed_values").some((r) => r.Id === "ok")).toBe(false);
  });

  test("keeps nested records whole in a dynamic column and truncates a string over 1 MB to 1 MB", async () => {
    const nested = { Operation: "MailItemsAccessed", Folders: [{ Path: "\\Inbox", FolderItems: [{ InternetMessageId: "<m@x>" }] }] };
    const big = "é".repeat(600_000); // 1.2 MB of UTF-8
    await client.ingestFromStream(
      multijson([
        { Id: "nested", CreationTime: "2024-05-01T10:00:00Z", RecordType: 50, Record: nested },
        { Id: "long-string", ObjectId: big },
      ]),
      props(AUDIT),
    );
    const rows = adx.store.rows(DB, AUDIT).filter((r) => r.Id === "nested" || r.Id === "long-string");
    expect(rows[0]).toEqual({ ...nullRow(AUDIT), Id: "nested", CreationTime: "2024-05-01T10:00:00Z", RecordType: 50, Record: nested });
    expect(rows[1].Id).toBe("long-string");
    expect(Buffer.byteLength(rows[1].ObjectId as string, "utf8")).toBe(1024 * 1024);
    expect((rows[1].ObjectId as string).startsWith("éé")).toBe(true);
  });

  test("applies each column's encoding policy from the kql/ scripts: a 2 MB Record (BigObject32) lands whole", async () => {
    const record = { Operation: "FileAccessed", Blob: "x".repeat(2 * 1024 * 1024) };
    await client.ingestFromStream(multijson([{ Id: "two-mb-record", Record: record }]), props(AUDIT));
    const [row] = adx.store.rows(DB, AUDIT).filter((r) => r.Id === "two-mb-record");
    expect(row.Record).toEqual(record);
  });

  test("nulls a dynamic value over its column's limit: 1 MB without an encoding policy, 2 MB under BigObject", async () => {
    const value = (mb: number) => ({ Blob: "y".repeat(Math.round(mb * 1024 * 1024)) });
    await client.ingestFromStream(
      multijson([
        { Id: "default-2mb", Nested: { Bag: value(2) } },
        { Id: "bigobject-1.5mb", Wide: value(1.5) },
      ]),
      props("typed_values"),
    );
    await client.ingestFromStream(multijson([{ Id: "bigobject-2.5mb", Wide: value(2.5) }]), props("typed_values"));
    const byId = new Map(adx.store.rows(DB, "typed_values").map((r) => [r.Id, r]));
    expect(byId.get("default-2mb")).toMatchObject({ Bag: null });
    expect(byId.get("bigobject-1.5mb")).toMatchObject({ Wide: value(1.5) });
    expect(byId.get("bigobject-2.5mb")).toMatchObject({ Wide: null });
  });

  test("an unknown table, mapping or database is a permanent 400 error that names the problem", async () => {
    expect(await failureOf(client.ingestFromStream(multijson([{ a: 1 }]), props("no_such_table", "no_such_table_json")))).toEqual({
      status: 400, code: "BadRequest_TableNotExist", permanent: true, message: expect.stringContaining("Table 'no_such_table' does not exist"),
    });
    expect(await failureOf(client.ingestFromStream(multijson([{ a: 1 }]), props(MAIL, "wrong_mapping")))).toEqual({
      status: 400, code: "BadRequest_MappingReferenceWasNotFound", permanent: true, message: expect.stringContaining(jsonMappingName(MAIL)),
    });
    expect(await failureOf(client.ingestFromStream(multijson([{ a: 1 }]), props(MAIL, undefined, "audit_ffffffff")))).toEqual({
      status: 400, code: "BadRequest_DatabaseNotExist", permanent: true, message: expect.stringContaining(DB),
    });
  });

  test("one malformed record fails the whole multijson batch (BadRequest_InvalidBlob); no data fails with BadRequest_NoRecordsOrWrongFormat", async () => {
    const before = adx.store.rows(DB, MAIL).length;
    const text = `{"RecordId":"ok-1"}\n{"RecordId":"broken"\n{"RecordId":"ok-2"}`;
    expect(await failureOf(client.ingestFromStream(Readable.from([text]), props(MAIL)))).toMatchObject({ status: 400, code: "BadRequest_InvalidBlob", permanent: true });
    expect(await failureOf(client.ingestFromStream(Readable.from(["  \n"]), props(MAIL)))).toMatchObject({ status: 400, code: "BadRequest_NoRecordsOrWrongFormat", permanent: true });
    expect(adx.store.rows(DB, MAIL)).toHaveLength(before);
  });

  test("a table without a streaming-ingestion policy is refused with 400 BadRequest_StreamingIngestionPolicyNotEnabled, and nothing lands", async () => {
    const ledger = Tables.ledger;
    expect(await failureOf(client.ingestFromStream(multijson([{ ContentId: "c-1" }]), props(ledger)))).toEqual({
      status: 400, code: "BadRequest_StreamingIngestionPolicyNotEnabled", permanent: true, message: expect.stringContaining("policy streamingingestion enable"),
    });
    expect(adx.store.rows(DB, ledger)).toEqual([]);
  });

  test("a request without a bearer token is refused with 401", async () => {
    const res = await fetch(`${adx.url}/v1/rest/ingest/${DB}/${MAIL}?streamFormat=multijson&mappingName=${jsonMappingName(MAIL)}`, { method: "POST", body: "{}" });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("Unauthorized");
  });
});

describe("ADX emulator: injected streaming faults", () => {
  let dataDir: string;
  let adx: AdxEmulator;
  let client: StreamingIngestClient;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "adx-faults-"));
    adx = await startAdxEmulator({ databases: [DB], dataDir, faults: { transient: 1 }, catalog: streamingCatalog() });
    client = new StreamingIngestClient(KustoConnectionStringBuilder.withTokenCredential(adx.url, localCredential));
  });

  afterAll(async () => {
    client?.close();
    await adx?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("a transient fault is a 5xx marked not permanent, and nothing lands", async () => {
    const props = new IngestionProperties({ database: DB, table: MAIL, format: DataFormat.MULTIJSON, ingestionMappingReference: jsonMappingName(MAIL) });
    expect(await failureOf(client.ingestFromStream(multijson([{ RecordId: "x" }]), props))).toMatchObject({ status: 503, permanent: false });
    expect(adx.store.rows(DB, MAIL)).toEqual([]);
    expect(adx.store.counters.injectedTransient).toBe(1);
  });
});
