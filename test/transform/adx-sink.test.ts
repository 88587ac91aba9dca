// The ADX sink against the ADX ingestion emulator (which speaks the REST protocol azure-kusto-ingest uses and
// applies the kql/ mappings), with Azurite behind queued ingestion: rows sent are the rows stored, replays land
// nothing twice, and failures come back typed.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAzurite, type Azurite } from "../../local/azurite";
import { startAdxEmulator, type AdxEmulator } from "../../local/adx";
import { Tables } from "../../kql/tables";
import { loadCatalog } from "../../kql/catalog";
import { AdxSink } from "../../functions/src/sinks/adx";
import type { AdxFailureQueue, ReceivedFailure } from "../../functions/src/sinks/adx-failures";
import { AdxIngestError } from "../../functions/src/sinks/sink-error";
import { transformBlob } from "../../functions/src/pipeline/transform";
import { bindRecord, fileAccessedRecord, syncRecordWithFolders, syncRecordWithParentFolder, throttledRecord } from "./mail-items-accessed-records";

const DB = "audit_0a1b2c3d";
let azurite: Azurite;
let adx: AdxEmulator;
let dataDir: string;
const sinks: AdxSink[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "adx-sink-"));
  azurite = await startAzurite();
  adx = await startAdxEmulator({ databases: [DB], dataDir, storage: azurite });
});

afterAll(async () => {
  for (const s of sinks) await s.close();
  await adx?.close();
  await azurite?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function sink(o: Partial<ConstructorParameters<typeof AdxSink>[0]> = {}): AdxSink {
  const s = new AdxSink({ ingestUri: adx.url, ...o });
  sinks.push(s);
  return s;
}

/** A blob's worth of records with distinct Ids per test, so each test reads back only its own rows. */
function blob(prefix: string) {
  const records = [bindRecord(), syncRecordWithFolders(), syncRecordWithParentFolder(), throttledRecord(), fileAccessedRecord()].map((r, i) => ({ ...r, Id: `${prefix}-${i}` }));
  return transformBlob(records, { tenantId: "t", contentType: "Audit.Exchange", contentId: `${prefix}-content` });
}

function storedRows(table: string, idColumn: string, prefix: string) {
  return adx.store.rows(DB, table).filter((r) => String(r[idColumn]).startsWith(`${prefix}-`));
}

describe("queued ingestion (the default)", () => {
  it("lands every row exactly as sent, in both tables, tagged with the content id", async () => {
    const rows = blob("q1");
    const s = sink();
    const audit = await s.ingestRows(DB, Tables.unifiedAudit, rows.auditRows, "q1-content");
    const mail = await s.ingestRows(DB, Tables.accessMail, rows.mailAccessRows, "q1-content");
    await adx.store.idle();

    expect(audit).toMatchObject({ rows: 5, chunks: 1, tags: ["q1-content"], largeRows: 0 });
    expect(mail).toMatchObject({ rows: rows.mailAccessRows.length, chunks: 1, tags: ["q1-content"] });
    expect(storedRows(Tables.unifiedAudit, "Id", "q1")).toEqual(JSON.parse(JSON.stringify(rows.auditRows)));
    expect(storedRows(Tables.accessMail, "RecordId", "q1")).toEqual(JSON.parse(JSON.stringify(rows.mailAccessRows)));
    const tagged = adx.store.taggedRows(DB, Tables.accessMail).filter((t) => String(t.row.RecordId).startsWith("q1-"));
    expect(tagged.every((t) => t.tags.includes("ingest-by:q1-content"))).toBe(true);
  });

  it("lands nothing the second time the same rows come with the same tag (a replayed blob)", async () => {
    const rows = blob("q2");
    const s = sink();
    await s.ingestRows(DB, Tables.accessMail, rows.mailAccessRows, "q2-content");
    await adx.store.idle();
    const skippedBefore = adx.store.counters.skippedIngestIfNotExists;
    await s.ingestRows(DB, Tables.accessMail, rows.mailAccessRows, "q2-content");
    await sink().ingestRows(DB, Tables.accessMail, rows.mailAccessRows, "q2-content"); // another worker instance
    await adx.store.idle();
    expect(storedRows(Tables.accessMail, "RecordId", "q2")).toHaveLength(rows.mailAccessRows.length);
    expect(adx.store.counters.skippedIngestIfNotExists - skippedBefore).toBe(2);
  });

  it("splits a large row set into chunks under the cap, each with its own tag, and dedupes a replay per chunk", async () => {
    const items = Array.from({ length: 400 }, (_, i) => ({ Id: `I${i}`, InternetMessageId: `<m${i}@example.net>`, SizeInBytes: i }));
    const { mailAccessRows } = transformBlob([bindRecord({ Id: "q3-0", Folders: [{ Id: "F", Path: "\\Inbox", FolderItems: items }] })], { tenantId: "t", contentType: "Audit.Exchange", contentId: "q3-content" });
    const s = sink({ maxChunkBytes: 64 * 1024 });
    const first = await s.ingestRows(DB, Tables.accessMail, mailAccessRows, "q3-content");
    expect(first.chunks).toBeGreaterThan(2);
    expect(first.tags).toEqual(["q3-content", ...Array.from({ length: first.chunks - 1 }, (_, i) => `q3-content#${i + 1}`)]);
    expect(first.rawBytes / first.chunks).toBeLessThanOrEqual(64 * 1024);
    const replay = await s.ingestRows(DB, Tables.accessMail, mailAccessRows, "q3-content");
    expect(replay.tags).toEqual(first.tags);
    await adx.store.idle();
    const stored = storedRows(Tables.accessMail, "RecordId", "q3");
    expect(stored).toHaveLength(400);
    expect(new Set(stored.map((r) => r.InternetMessageId)).size).toBe(400);
    expect(adx.store.extents(DB, Tables.accessMail).filter((e) => e.tags.some((t) => t.startsWith("ingest-by:q3-content"))).map((e) => e.tags).sort()).toEqual(first.tags.map((t) => [`ingest-by:${t}`]).sort()); // queued batches land in any order
  });

  it("sends nothing for no rows", async () => {
    const before = adx.store.counters.queuedMessages;
    expect(await sink().ingestRows(DB, Tables.accessMail, [], "empty-content")).toMatchObject({ rows: 0, chunks: 0, tags: [] });
    await adx.store.idle();
    expect(adx.store.counters.queuedMessages).toBe(before);
  });

  it("counts a row above ADX's 1 MB dynamic limit and still sends it", async () => {
    const rows = transformBlob([fileAccessedRecord({ Id: "q5-0", Payload: "x".repeat(1100 * 1024) })], { tenantId: "t", contentType: "Audit.SharePoint", contentId: "q5-content" });
    const report = await sink().ingestRows(DB, Tables.unifiedAudit, rows.auditRows, "q5-content");
    await adx.store.idle();
    expect(report.largeRows).toBe(1);
    const [stored] = storedRows(Tables.unifiedAudit, "Id", "q5");
    expect(stored).toMatchObject({ Id: "q5-0", Operation: "FileAccessed", CreationTime: "2024-03-14T10:02:11Z" });
  });

  it("names each chunk's ingestion source id, the id ADX's later failure reports carry", async () => {
    const rows = blob("q7");
    const report = await sink({ maxChunkBytes: 600 }).ingestRows(DB, Tables.accessMail, rows.mailAccessRows, "q7-content");
    await adx.store.idle();
    expect(report.sources.length).toBeGreaterThan(1);
    expect(report.sources.map((s) => s.tag)).toEqual(report.tags);
    expect(report.sources.every((s) => /^[0-9a-f-]{36}$/.test(s.sourceId))).toBe(true);
    const extents = adx.store.extents(DB, Tables.accessMail).filter((e) => e.tags.some((t) => t.startsWith("ingest-by:q7-content")));
    expect(extents.map((e) => e.sourceId).sort()).toEqual(report.sources.map((s) => s.sourceId).sort());
  });

  it("fails as a transient Network error when the cluster does not answer", async () => {
    const dead = sink({ ingestUri: "http://127.0.0.1:9" });
    await expect(dead.ingestRows(DB, Tables.accessMail, blob("q6").mailAccessRows, "q6-content")).rejects.toMatchObject({ name: "AdxIngestError", code: "Network", transient: true });
  });
});

describe("streaming ingestion", () => {
  it("lands every row exactly as sent (without extent tags: ADX streaming ingestion has none)", async () => {
    const rows = blob("s1");
    const s = sink({ mode: "streaming" });
    const report = await s.ingestRows(DB, Tables.unifiedAudit, rows.auditRows, "s1-content");
    expect(report).toMatchObject({ rows: 5, chunks: 1, sources: [] });
    expect(s.failureQueue()).toBeUndefined(); // streaming failures are thrown by the call itself
    expect(storedRows(Tables.unifiedAudit, "Id", "s1")).toEqual(JSON.parse(JSON.stringify(rows.auditRows)));
  });

  it("keeps every request under the 4 MB streaming limit by chunking", async () => {
    const records = Array.from({ length: 12 }, (_, i) => fileAccessedRecord({ Id: `s2-${i}`, Payload: "é".repeat(200 * 1024) }));
    const rows = transformBlob(records, { tenantId: "t", contentType: "Audit.SharePoint", contentId: "s2-content" });
    const report = await sink({ mode: "streaming" }).ingestRows(DB, Tables.unifiedAudit, rows.auditRows, "s2-content");
    expect(report.chunks).toBeGreaterThan(1);
    expect(storedRows(Tables.unifiedAudit, "Id", "s2")).toHaveLength(12);
  });

  it("refuses an unknown database with a permanent EntityNotFound error that says what to check", async () => {
    const err = await sink({ mode: "streaming" }).ingestRows("audit_ffffffff", Tables.accessMail, blob("s3").mailAccessRows, "s3-content").catch((e) => e);
    expect(err).toBeInstanceOf(AdxIngestError);
    expect(err).toMatchObject({ code: "EntityNotFound", transient: false, status: 400 });
    expect(err.message).toMatch(/audit_ffffffff\.microsoft_unified_access_mail/);
    expect(err.message).toMatch(/AUDIT_LAKE_TENANTS/);
  });

  it("refuses an unknown table with a permanent EntityNotFound error", async () => {
    const err = await sink({ mode: "streaming" }).ingestRows(DB, "no_such_table", blob("s4").mailAccessRows, "s4-content").catch((e) => e);
    expect(err).toBeInstanceOf(AdxIngestError);
    expect(err).toMatchObject({ code: "EntityNotFound", transient: false });
    expect(err.message).toMatch(/kql\/tables/);
  });
});

describe("a cluster whose table lacks the JSON mapping (kql/ scripts half applied)", () => {
  let bare: AdxEmulator;
  let bareDir: string;
  beforeAll(async () => {
    bareDir = mkdtempSync(join(tmpdir(), "adx-sink-nomapping-"));
    const catalog = loadCatalog();
    catalog.get(Tables.accessMail)!.mappings = {};
    bare = await startAdxEmulator({ databases: [DB], dataDir: bareDir, catalog });
  });
  afterAll(async () => {
    await bare?.close();
    rmSync(bareDir, { recursive: true, force: true });
  });

  it("refuses streaming ingestion with a permanent MappingNotFound error that names the mapping and says to apply kql/", async () => {
    const s = new AdxSink({ ingestUri: bare.url, mode: "streaming" });
    sinks.push(s);
    const err = await s.ingestRows(DB, Tables.accessMail, blob("m1").mailAccessRows, "m1-content").catch((e) => e);
    expect(err).toBeInstanceOf(AdxIngestError);
    expect(err).toMatchObject({ code: "MappingNotFound", transient: false, serviceCode: "BadRequest_MappingReferenceWasNotFound" });
    expect(err.message).toContain("microsoft_unified_access_mail_json");
    expect(err.message).toContain("kql/tables/microsoft_unified_access_mail.kql");
    expect(bare.store.rows(DB, Tables.accessMail)).toEqual([]);
  });
});

describe("injected service faults", () => {
  let faulty: AdxEmulator;
  let faultyDir: string;
  beforeAll(async () => {
    faultyDir = mkdtempSync(join(tmpdir(), "adx-sink-faults-"));
    faulty = await startAdxEmulator({ databases: [DB], dataDir: faultyDir, faults: { transient: 1 } });
  });
  afterAll(async () => {
    await faulty?.close();
    rmSync(faultyDir, { recursive: true, force: true });
  });

  it("surface a 5xx as a transient error so the worker retries the blob", async () => {
    const s = new AdxSink({ ingestUri: faulty.url, mode: "streaming" });
    sinks.push(s);
    const err = await s.ingestRows(DB, Tables.accessMail, blob("f1").mailAccessRows, "f1-content").catch((e) => e);
    expect(err).toBeInstanceOf(AdxIngestError);
    expect(err).toMatchObject({ transient: true });
    expect(err.status).toBeGreaterThanOrEqual(500);
  });
});

/** Every report waiting now, settled as read (what the engine's settlement does once it acted on one). */
async function takeFailures(queue: AdxFailureQueue): Promise<ReceivedFailure[]> {
  const all: ReceivedFailure[] = [];
  for (;;) {
    const batch = await queue.receive(10);
    if (batch.length === 0) return all;
    for (const r of batch) await r.settle();
    all.push(...batch);
  }
}

describe("queued ingestion that ADX fails after the call returned", () => {
  // Two more clusters on the same Azurite, each with its own ingestion queues (the suffix), as real clusters have.
  let bare: AdxEmulator;
  let faulty: AdxEmulator;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "adx-sink-later-"));
    const catalog = loadCatalog();
    catalog.get(Tables.accessMail)!.mappings = {}; // a bad deploy: the table is there, its mapping is not
    [bare, faulty] = await Promise.all([
      startAdxEmulator({ databases: [DB], dataDir: join(dir, "bare"), catalog, storage: azurite, resourceSuffix: "bare" }),
      startAdxEmulator({ databases: [DB], dataDir: join(dir, "faulty"), storage: azurite, resourceSuffix: "faulty", faults: { transient: 1 } }),
    ]);
  });
  afterAll(async () => {
    await bare?.close();
    await faulty?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a missing mapping: the call succeeds, then the failure queue reports it as permanent under the chunk's source id", async () => {
    const s = new AdxSink({ ingestUri: bare.url });
    sinks.push(s);
    const report = await s.ingestRows(DB, Tables.accessMail, blob("l1").mailAccessRows, "l1-content");
    await bare.store.idle();
    const failures = await takeFailures(s.failureQueue()!);
    expect(failures).toEqual([
      {
        kind: "failure",
        deliveries: 1,
        settle: expect.any(Function),
        failure: {
          sourceId: report.sources[0].sourceId,
          database: DB,
          table: Tables.accessMail,
          errorCode: "BadRequest_MappingReferenceWasNotFound",
          details: expect.stringContaining("microsoft_unified_access_mail_json"),
          failureStatus: "Permanent",
          shouldRetry: false,
          originatesFromUpdatePolicy: false,
          failedOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
          permanent: true,
        },
      },
    ]);
    expect(bare.store.rows(DB, Tables.accessMail)).toEqual([]);
    expect(await s.failureQueue()!.receive(10)).toEqual([]); // settled reports are gone
  });

  it("retries ADX gave up on are reported as not permanent (a replay may land them)", async () => {
    const s = new AdxSink({ ingestUri: faulty.url });
    sinks.push(s);
    const report = await s.ingestRows(DB, Tables.accessMail, blob("l2").mailAccessRows, "l2-content");
    await faulty.store.idle();
    const failures = await takeFailures(s.failureQueue()!);
    expect(failures.map((r) => r.kind === "failure" && [r.failure.sourceId, r.failure.errorCode, r.failure.failureStatus, r.failure.shouldRetry, r.failure.permanent])).toEqual([
      [report.sources[0].sourceId, "General_RetryAttemptsExceeded", "Exhausted", true, false],
    ]);
  });
});
