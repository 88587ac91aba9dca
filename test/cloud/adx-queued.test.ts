import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { QueueServiceClient } from "@azure/storage-queue";
import { KustoConnectionStringBuilder } from "azure-kusto-data";
import { DataFormat, IngestClient, IngestionProperties, IngestStatusQueues, ReportLevel, ReportMethod } from "azure-kusto-ingest";
import { parseTableScripts } from "../../kql/catalog";
import { Tables, jsonMappingName } from "../../kql/tables";
import { startAdxEmulator, type AdxEmulator } from "../../local/adx";
import { startAzurite, type Azurite } from "../../local/azurite";
import { localCredential, multijson, nullRow } from "./fixtures";

const DB = "audit_5e6f7a8b";
const MAIL = Tables.accessMail;
const LEDGER = Tables.ledger;

interface StatusMessage {
  Database: string;
  Table: string;
  ErrorCode?: string;
  FailureStatus?: string;
  Details?: string;
  ShouldRetry?: boolean;
  SucceededOn?: string;
}

describe("ADX emulator: queued ingestion with the real IngestClient, through Azurite", () => {
  let dataDir: string;
  let azurite: Azurite;
  let adx: AdxEmulator;
  let client: IngestClient;
  let status: IngestStatusQueues;

  const props = (extra: Partial<IngestionProperties> = {}, table: string = MAIL) =>
    new IngestionProperties({ database: DB, table, format: DataFormat.MULTIJSON, ingestionMappingReference: jsonMappingName(table), ...extra });
  // The SDK's StatusQueue.pop(n) takes one message per queue per call; drain it.
  const popAll = async (queue: IngestStatusQueues["failure"]): Promise<StatusMessage[]> => {
    const all: StatusMessage[] = [];
    for (;;) {
      const batch = (await queue.pop(1)) as unknown as StatusMessage[];
      if (batch.length === 0) return all;
      all.push(...batch);
    }
  };
  const popFailures = () => popAll(status.failure);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "adx-queued-"));
    azurite = await startAzurite();
    adx = await startAdxEmulator({ databases: [DB], dataDir, storage: azurite, seed: 7 });
    client = new IngestClient(KustoConnectionStringBuilder.withTokenCredential(adx.url, localCredential));
    status = new IngestStatusQueues(client);
  });

  afterAll(async () => {
    client?.close();
    await adx?.close();
    await azurite?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("rows posted through the aggregation queue land once the emulator is idle, with their ingest-by tags beside them", async () => {
    await client.ingestFromStream(
      multijson([
        { CreationTime: "2024-05-02T08:15:00", RecordId: "r-1", LogonType: 1, ExternalAccess: false, OperationCount: "2" },
        { CreationTime: "2024-05-02T08:16:00.5Z", RecordId: "r-2", LogonType: "bad", ExternalAccess: "true" },
      ]),
      props({ ingestByTags: ["blob-A"], additionalTags: ["batch-7"] }),
    );
    await adx.store.idle();
    expect(adx.store.rows(DB, MAIL)).toEqual([
      { ...nullRow(MAIL), CreationTime: "2024-05-02T08:15:00Z", RecordId: "r-1", LogonType: 1, ExternalAccess: false, OperationCount: 2 },
      { ...nullRow(MAIL), CreationTime: "2024-05-02T08:16:00.5Z", RecordId: "r-2", LogonType: null, ExternalAccess: true },
    ]);
    expect(adx.store.taggedRows(DB, MAIL).map((r) => [r.row.RecordId, r.tags])).toEqual([
      ["r-1", ["batch-7", "ingest-by:blob-A"]],
      ["r-2", ["batch-7", "ingest-by:blob-A"]],
    ]);
    expect(adx.store.extents(DB, MAIL)).toEqual([expect.objectContaining({ mode: "queued", rowCount: 2 })]);
  });

  test("a gzip-compressed file (what ingestFromFile uploads) lands the same way", async () => {
    const file = join(dataDir, "ledger.multijson");
    writeFileSync(file, JSON.stringify({ TenantId: "t-1", ContentId: "c-1", Records: "12", IngestedAt: "2024-05-02T09:00:00Z" }));
    await client.ingestFromFile(file, props({}, LEDGER));
    await adx.store.idle();
    expect(adx.store.rows(DB, LEDGER)).toEqual([{ ...nullRow(LEDGER), TenantId: "t-1", ContentId: "c-1", Records: 12, IngestedAt: "2024-05-02T09:00:00Z" }]);
  });

  test("ingestIfNotExists skips a second ingestion carrying an existing ingest-by tag, and reports the skip as a permanent failure as ADX does", async () => {
    const once = (id: string, tag: string) =>
      client.ingestFromStream(multijson([{ RecordId: id }]), props({ ingestIfNotExists: JSON.stringify([tag]), ingestByTags: [tag] }));
    await once("dedup-1", "content-42");
    await adx.store.idle();
    await once("dedup-1-again", "content-42");
    await once("dedup-2", "content-43");
    await adx.store.idle();
    const ids = adx.store.rows(DB, MAIL).map((r) => r.RecordId);
    expect(ids).toContain("dedup-1");
    expect(ids).toContain("dedup-2");
    expect(ids).not.toContain("dedup-1-again");
    expect(adx.store.counters.skippedIngestIfNotExists).toBe(1);
    const failures = await popFailures();
    expect(failures.map((f) => [f.ErrorCode, f.FailureStatus, f.ShouldRetry])).toEqual([["Skipped_IngestByTagAlreadyExists", "Permanent", false]]);
    expect(failures[0].Details).toContain("content-42");
  });

  test("ingestions without tags are batched per table: one extent for many ingestions, sealed by 'seal now' (idle)", async () => {
    const before = adx.store.extents(DB, LEDGER).length;
    const figuresBefore = adx.store.tableFigures().find((f) => f.table === LEDGER)?.ingestions ?? 0;
    for (let i = 0; i < 5; i++) await client.ingestFromStream(multijson([{ ContentId: `batched-${i}` }]), props({}, LEDGER));
    await adx.store.idle();
    const extents = adx.store.extents(DB, LEDGER).slice(before);
    expect(extents).toEqual([expect.objectContaining({ mode: "queued", rowCount: 5, tags: [] })]);
    const figures = adx.store.tableFigures().find((f) => f.table === LEDGER)!;
    expect(figures.ingestions - figuresBefore).toBe(5);
    expect(figures.sealedBy.Flush).toBeGreaterThan(0);
  });

  test("each ingestIfNotExists / ingest-by ingestion is sealed alone, at once (no batching)", async () => {
    const before = adx.store.extents(DB, MAIL).length;
    for (let i = 0; i < 3; i++) await client.ingestFromStream(multijson([{ RecordId: `tagged-${i}` }]), props({ ingestByTags: [`tagged-${i}`] }));
    await adx.store.idle();
    const extents = adx.store.extents(DB, MAIL).slice(before);
    expect(extents.map((e) => e.rowCount)).toEqual([1, 1, 1]);
    expect(adx.store.tableFigures().find((f) => f.table === MAIL)!.sealedBy.SingleBlob_IngestByTag).toBeGreaterThanOrEqual(3);
  });

  test("ingestIfNotExists that is not a JSON array of tags is refused, not silently ignored", async () => {
    await client.ingestFromStream(multijson([{ RecordId: "plain-tag" }]), props({ ingestIfNotExists: "content-44", ingestByTags: ["content-44"] }));
    await adx.store.idle();
    const failures = await popFailures();
    expect(failures.map((f) => [f.ErrorCode, f.FailureStatus])).toEqual([["BadRequest_InvalidIngestionProperty", "Permanent"]]);
    expect(failures[0].Details).toContain('JSON.stringify(["tag"])');
    expect(adx.store.rows(DB, MAIL).map((r) => r.RecordId)).not.toContain("plain-tag");
  });

  test("an unknown table or mapping is a permanent failure reported on the FailedIngestionsQueue", async () => {
    await client.ingestFromStream(multijson([{ a: 1 }]), props({ table: "no_such_table", ingestionMappingReference: "no_such_table_json" }));
    await client.ingestFromStream(multijson([{ a: 1 }]), props({ ingestionMappingReference: "wrong_mapping" }));
    await adx.store.idle();
    const failures = await popFailures();
    expect(failures.map((f) => [f.Table, f.ErrorCode, f.FailureStatus, f.ShouldRetry]).sort()).toEqual([
      [MAIL, "BadRequest_MappingReferenceWasNotFound", "Permanent", false],
      ["no_such_table", "BadRequest_TableNotExist", "Permanent", false],
    ]);
    expect(failures.every((f) => f.Database === DB && (f.Details ?? "").length > 20)).toBe(true);
  });

  test("a malformed multijson blob fails whole with BadRequest_InvalidBlob; success is reported when asked", async () => {
    const before = adx.store.rows(DB, MAIL).length;
    await client.ingestFromStream(Readable.from(['{"RecordId":"x1"}\n{"RecordId":']), props());
    await client.ingestFromStream(multijson([{ RecordId: "reported" }]), props({ reportLevel: ReportLevel.FailuresAndSuccesses, reportMethod: ReportMethod.Queue }));
    await adx.store.idle();
    expect((await popFailures()).map((f) => f.ErrorCode)).toEqual(["BadRequest_InvalidBlob"]);
    const successes = await popAll(status.success);
    expect(successes).toEqual([expect.objectContaining({ Database: DB, Table: MAIL, SucceededOn: expect.any(String) })]);
    expect(adx.store.rows(DB, MAIL).map((r) => r.RecordId).slice(before)).toEqual(["reported"]);
  });

  test("transient faults are retried by the emulated service: every batch lands exactly once", async () => {
    adx.setFaults({ transient: 0.3 });
    try {
      const ids = Array.from({ length: 8 }, (_, i) => `transient-${i}`);
      for (const id of ids) await client.ingestFromStream(multijson([{ RecordId: id }]), props({ ingestIfNotExists: JSON.stringify([id]), ingestByTags: [id] }));
      await adx.store.idle();
      const landed = adx.store.rows(DB, MAIL).map((r) => r.RecordId).filter((id) => String(id).startsWith("transient-"));
      expect(landed.sort()).toEqual(ids);
      expect(adx.store.counters.injectedTransient).toBeGreaterThan(0);
      expect(await popFailures()).toEqual([]);
    } finally {
      adx.setFaults({});
    }
  });

  test("a batch that keeps failing transiently is given up with General_RetryAttemptsExceeded", async () => {
    adx.setFaults({ transient: 1 });
    try {
      await client.ingestFromStream(multijson([{ RecordId: "never" }]), props());
      await adx.store.idle();
    } finally {
      adx.setFaults({});
    }
    expect((await popFailures()).map((f) => [f.ErrorCode, f.FailureStatus, f.ShouldRetry])).toEqual([["General_RetryAttemptsExceeded", "Exhausted", true]]);
    expect(adx.store.rows(DB, MAIL).map((r) => r.RecordId)).not.toContain("never");
  });

  test("a failure report carries every field the SDK's FailureMessage reads, under the source id the SDK returned", async () => {
    // A non-ASCII mapping name ends up in Details: the SDK decodes status messages as ASCII, so it must survive that.
    const result = await client.ingestFromStream(multijson([{ RecordId: "unmapped" }]), props({ ingestionMappingReference: "mappé_json" }));
    const { IngestionSourceId } = await result.getIngestionStatusCollection();
    await adx.store.idle();
    const [failure] = await popFailures();
    expect({ ...failure }).toEqual({
      OperationId: IngestionSourceId,
      Database: DB,
      Table: MAIL,
      IngestionSourceId,
      IngestionSourcePath: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/ingestdata\/[^?]+$/),
      RootActivityId: IngestionSourceId,
      FailedOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/),
      Details: expect.stringContaining("Mapping reference 'mappé_json'"),
      ErrorCode: "BadRequest_MappingReferenceWasNotFound",
      FailureStatus: "Permanent",
      OriginatesFromUpdatePolicy: false,
      ShouldRetry: false,
    });
  });

  test("two clusters with their own resource suffixes share one storage account without taking each other's work", async () => {
    const otherDir = mkdtempSync(join(tmpdir(), "adx-queued-other-"));
    const other = await startAdxEmulator({ databases: [DB], dataDir: otherDir, storage: azurite, resourceSuffix: "other" });
    const otherClient = new IngestClient(KustoConnectionStringBuilder.withTokenCredential(other.url, localCredential));
    try {
      await otherClient.ingestFromStream(multijson([{ RecordId: "other-cluster" }]), props());
      await client.ingestFromStream(multijson([{ RecordId: "this-cluster" }]), props());
      await Promise.all([other.store.idle(), adx.store.idle()]);
      expect(other.store.rows(DB, MAIL).map((r) => r.RecordId)).toEqual(["other-cluster"]);
      expect(adx.store.rows(DB, MAIL).map((r) => r.RecordId)).toContain("this-cluster");
      expect(adx.store.rows(DB, MAIL).map((r) => r.RecordId)).not.toContain("other-cluster");
      const names = await QueueServiceClient.fromConnectionString(azurite.connectionString).listQueues().byPage().next();
      expect(names.value.queueItems.map((q: { name: string }) => q.name)).toEqual(expect.arrayContaining(["readyforaggregation-secured-other", "failedingestions-other"]));
    } finally {
      otherClient.close();
      await other.close();
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  test("the aggregation queue is empty once idle() resolves", async () => {
    const props = await QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient("readyforaggregation-secured").getProperties();
    expect(props.approximateMessagesCount).toBe(0);
  });
});

describe("ADX emulator: the ingestion batching policy from kql/ decides when a batch becomes an extent", () => {
  let dataDir: string;
  let azurite: Azurite;
  let adx: AdxEmulator;
  let client: IngestClient;
  // The ledger table with a policy small enough to see each limit seal a batch. The time limit leaves room for three
  // queued ingestions to arrive first even when two suites share two busy cores (at one second, time sealed two).
  const catalog = parseTableScripts([
    readFileSync(join(__dirname, "../../kql/tables", `${LEDGER}.kql`), "utf8"),
    `.alter table ${LEDGER} policy ingestionbatching '{"MaximumBatchingTimeSpan":"00:00:05","MaximumNumberOfItems":3,"MaximumRawDataSizeMB":1}'`,
  ]);
  const ingest = (ids: string[]) =>
    client.ingestFromStream(multijson(ids.map((ContentId) => ({ ContentId }))), new IngestionProperties({ database: DB, table: LEDGER, format: DataFormat.MULTIJSON, ingestionMappingReference: jsonMappingName(LEDGER) }));
  const extents = () => adx.store.extents(DB, LEDGER);
  const until = async (ok: () => boolean, ms = 10_000) => {
    const end = Date.now() + ms;
    while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "adx-batching-"));
    azurite = await startAzurite();
    adx = await startAdxEmulator({ databases: [DB], dataDir, storage: azurite, catalog });
    client = new IngestClient(KustoConnectionStringBuilder.withTokenCredential(adx.url, localCredential));
  });
  afterAll(async () => {
    client?.close();
    await adx?.close();
    await azurite?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("the item count seals a batch as soon as it is reached; the time limit seals the rest without a flush", async () => {
    for (const id of ["a", "b", "c", "d"]) await ingest([id]);
    await until(() => extents().length === 2, 20_000);
    expect(extents().map((e) => e.rowCount)).toEqual([3, 1]);
    expect(adx.store.tableFigures()[0].sealedBy).toEqual({ Count: 1, Time: 1 });
  });

  test("the raw size seals a batch that reaches it", async () => {
    const before = extents().length;
    await ingest(Array.from({ length: 1200 }, (_, i) => `size-${i}-${"x".repeat(1000)}`)); // > 1 MB raw
    await until(() => extents().length === before + 1);
    expect(extents().slice(before)).toEqual([expect.objectContaining({ rowCount: 1200 })]);
    expect(adx.store.tableFigures()[0].sealedBy.Size).toBe(1);
  });
});
