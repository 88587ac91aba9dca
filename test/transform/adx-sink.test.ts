// The ADX sink against the ADX ingestion emulator (which speaks the REST protocol azure-kusto-ingest uses and
// applies the kql/ mappings and batching policies), with Azurite behind queued ingestion: rows sent are the rows
// stored, untagged so ADX can batch them, and failures come back typed.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAzurite, type Azurite } from "../../local/azurite";
import { startAdxEmulator, type AdxEmulator } from "../../local/adx";
import { Tables } from "../../kql/tables";
import { loadCatalog } from "../../kql/catalog";
import { AdxSink } from "../../functions/src/sinks/adx";
import type { AdxFailureQueue, ReceivedFailure } from "../../functions/src/sinks/adx-failures";
import { transformBlob } from "../../functions/src/transform/transform";
import { localCredential } from "../cloud/fixtures";
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
  const s = new AdxSink({ ingestUri: adx.url, credential: localCredential, ...o });
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

describe("queued ingestion", () => {
  it("lands every row exactly as sent, in both tables, without extent tags, batched with other ingestions into one extent", async () => {
    const rows = blob("q1");
    const s = sink();
    const extentsBefore = adx.store.extents(DB, Tables.unifiedAudit).length;
    const audit = await s.ingestRows(DB, Tables.unifiedAudit, rows.auditRows);
    const more = await s.ingestRows(DB, Tables.unifiedAudit, blob("q1b").auditRows);
    const mail = await s.ingestRows(DB, Tables.accessMail, rows.mailAccessRows);
    await adx.store.idle();

    expect(audit).toMatchObject({ rows: 5, chunks: 1, largeRows: 0 });
    expect(more).toMatchObject({ rows: 5, chunks: 1 });
    expect(mail).toMatchObject({ rows: rows.mailAccessRows.length, chunks: 1 });
    expect(storedRows(Tables.unifiedAudit, "Id", "q1")).toEqual(JSON.parse(JSON.stringify(rows.auditRows)));
    expect(storedRows(Tables.accessMail, "RecordId", "q1")).toEqual(JSON.parse(JSON.stringify(rows.mailAccessRows)));
    // Both audit ingestions in one extent: nothing made ADX seal either alone.
    expect(adx.store.extents(DB, Tables.unifiedAudit).slice(extentsBefore)).toEqual([expect.objectContaining({ rowCount: 10, tags: [] })]);
  });

  it("is at least once: the same rows sent again land again in the raw table (the _dedup views keep each record once)", async () => {
    const rows = blob("q2");
    await sink().ingestRows(DB, Tables.accessMail, rows.mailAccessRows);
    await sink().ingestRows(DB, Tables.accessMail, rows.mailAccessRows); // a retry after a crash, by another worker instance
    await adx.store.idle();
    expect(storedRows(Tables.accessMail, "RecordId", "q2")).toHaveLength(2 * rows.mailAccessRows.length);
  });

  it("splits a large row set into chunks under the cap, one ingestion (and source id) per chunk", async () => {
    const items = Array.from({ length: 400 }, (_, i) => ({ Id: `I${i}`, InternetMessageId: `<m${i}@example.net>`, SizeInBytes: i }));
    const { mailAccessRows } = transformBlob([bindRecord({ Id: "q3-0", Folders: [{ Id: "F", Path: "\\Inbox", FolderItems: items }] })], { tenantId: "t", contentType: "Audit.Exchange", contentId: "q3-content" });
    const s = sink({ maxChunkBytes: 64 * 1024 });
    const first = await s.ingestRows(DB, Tables.accessMail, mailAccessRows);
    expect(first.chunks).toBeGreaterThan(2);
    expect(first.sources).toHaveLength(first.chunks);
    expect(first.rawBytes / first.chunks).toBeLessThanOrEqual(64 * 1024);
    await adx.store.idle();
    const stored = storedRows(Tables.accessMail, "RecordId", "q3");
    expect(stored).toHaveLength(400);
    expect(new Set(stored.map((r) => r.InternetMessageId)).size).toBe(400);
  });

  it("sends nothing for no rows", async () => {
    const before = adx.store.counters.queuedMessages;
    expect(await sink().ingestRows(DB, Tables.accessMail, [])).toMatchObject({ rows: 0, chunks: 0, sources: [] });
    await adx.store.idle();
    expect(adx.store.counters.queuedMessages).toBe(before);
  });

  it("counts a row above ADX's 1 MB dynamic limit and still sends it", async () => {
    const rows = transformBlob([fileAccessedRecord({ Id: "q5-0", Payload: "x".repeat(1100 * 1024) })], { tenantId: "t", contentType: "Audit.SharePoint", contentId: "q5-content" });
    const report = await sink().ingestRows(DB, Tables.unifiedAudit, rows.auditRows);
    await adx.store.idle();
    expect(report.largeRows).toBe(1);
    const [stored] = storedRows(Tables.unifiedAudit, "Id", "q5");
    expect(stored).toMatchObject({ Id: "q5-0", Operation: "FileAccessed", CreationTime: "2024-03-14T10:02:11Z" });
  });

  it("names each chunk's ingestion source id, the id ADX's later failure reports carry", async () => {
    const rows = blob("q7");
    const report = await sink({ maxChunkBytes: 600 }).ingestRows(DB, Tables.accessMail, rows.mailAccessRows);
    await adx.store.idle();
    expect(report.sources.length).toBeGreaterThan(1);
    expect(report.sources.map((s) => s.chunk)).toEqual(report.sources.map((_, i) => i));
    expect(report.sources.every((s) => /^[0-9a-f-]{36}$/.test(s.sourceId))).toBe(true);
    expect(new Set(report.sources.map((s) => s.sourceId)).size).toBe(report.sources.length);
  });

  it("fails as a transient Network error when the cluster does not answer", async () => {
    const dead = sink({ ingestUri: "http://127.0.0.1:9" });
    await expect(dead.ingestRows(DB, Tables.accessMail, blob("q6").mailAccessRows)).rejects.toMatchObject({ name: "AdxIngestError", code: "Network", transient: true });
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
    const s = new AdxSink({ ingestUri: bare.url, credential: localCredential });
    sinks.push(s);
    const report = await s.ingestRows(DB, Tables.accessMail, blob("l1").mailAccessRows);
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
    const s = new AdxSink({ ingestUri: faulty.url, credential: localCredential });
    sinks.push(s);
    const report = await s.ingestRows(DB, Tables.accessMail, blob("l2").mailAccessRows);
    await faulty.store.idle();
    const failures = await takeFailures(s.failureQueue()!);
    expect(failures.map((r) => r.kind === "failure" && [r.failure.sourceId, r.failure.errorCode, r.failure.failureStatus, r.failure.shouldRetry, r.failure.permanent])).toEqual([
      [report.sources[0].sourceId, "General_RetryAttemptsExceeded", "Exhausted", true, false],
    ]);
  });
});
