// Queued ingestion fails after the fact: ADX accepts the data, the worker marks the blob ingested, and minutes later
// ADX reports on its FailedIngestionsQueue that it could not ingest it. The settlement's own timer tick must turn each
// report into a failed blob (permanent) or a replay (ADX gave up on transient errors) — never a blob silently counted
// as ingested. The planner's tick leaves the reports alone.
// Each test points its lane at its own ADX emulator on the cloud's Azurite (own ingestion queues by suffix), so the
// cluster can be broken on purpose without touching the other tests.
import { QueueServiceClient } from "@azure/storage-queue";
import { KustoConnectionStringBuilder } from "azure-kusto-data";
import { DataFormat, IngestClient, IngestionProperties } from "azure-kusto-ingest";
import { loadCatalog } from "../../kql/catalog";
import { Tables, jsonMappingName } from "../../kql/tables";
import type { LedgerEntry } from "../../functions/src/state/content-ledger";
import type { Engine } from "../../functions/src/use-cases/engine";
import { healthReport } from "../../functions/src/use-cases/health";
import { AdxSink } from "../../functions/src/sinks/adx";
import { localCredential, multijson } from "../cloud/fixtures";
import { availableContentIds, availableRecordIds, seenTwice, startFixture, type Fixture, type Lane } from "./engine-fixture";
import type { AdxEmulator } from "../../local/adx";
import { extraAdxClusters } from "../cloud/extra-adx-clusters";

let f: Fixture;
const clusters = extraAdxClusters(() => f.cloud, "adx-failures-");

beforeAll(async () => {
  f = await startFixture({ seed: 5, tenants: 2 });
}, 60_000);
afterAll(async () => {
  await clusters.close();
  await f?.close();
});

/** The lane's ledger entries (the last 8 days) of the given content types. */
async function entries(lane: Lane, engine: Engine, types: string[]): Promise<LedgerEntry[]> {
  const all: LedgerEntry[] = [];
  for (const type of types) for await (const e of engine.ledger.entries(lane.tenantId, type, new Date(f.now().getTime() - 8 * 864e5), f.now())) all.push(e);
  return all;
}

async function rows(adx: AdxEmulator, lane: Lane, table: string): Promise<Record<string, unknown>[]> {
  await adx.store.idle();
  return adx.store.rows(lane.database, table) as Record<string, unknown>[];
}

test("a mapping missing after a bad deploy: the blobs end failed in the ledger and in health, with the fix in the error log", async () => {
  const catalog = loadCatalog();
  catalog.get(Tables.unifiedAudit)!.mappings = {}; // the table exists, its JSON mapping does not
  const adx = await clusters.start("baddeploy", { catalog });
  const types = ["DLP.All", "Audit.AzureActiveDirectory"];
  const lane = await f.lane(0, { ADX_INGEST_URI: adx.url }, { contentTypes: types });
  const engine = lane.engine();
  const blobs = availableContentIds(f.cloud, lane.tenantId, types);
  expect(blobs.length).toBeGreaterThan(10);

  await lane.planUntilQuiet(engine);
  const stats = await lane.drain(engine);
  expect(stats.poisoned).toBe(0);
  // Queued ingestion accepted everything: as far as the worker could tell, every blob landed.
  expect((await entries(lane, engine, types)).map((e) => [e.contentId, e.state]).sort()).toEqual(blobs.map((id) => [id, "ingested"]).sort());

  // Another client of the cluster fails too, in a database this app does not write: its report is not ours to take.
  const other = new AdxSink({ ingestUri: adx.url, credential: localCredential });
  await other.ingestRows(f.cloud.tenants[1].database, Tables.unifiedAudit, [{ Id: "someone-else" }]);
  await other.close();

  await adx.store.idle(); // ADX works through its queue and reports every audit chunk as failed
  // A planner tick lists and plans only: the reports wait for the settlement's timer.
  expect((await engine.planner.run(lane.log)).filter((r) => r.error)).toEqual([]);
  expect(lane.logs.info.filter((l) => l.startsWith("ADX failure reports:"))).toEqual([]);
  expect((await entries(lane, engine, types)).every((e) => e.state === "ingested")).toBe(true);
  expect(await engine.adxFailures.run(lane.log)).toMatchObject({ failed: blobs.length, foreign: 1 }); // the settlement's tick reads them
  // One report per queue message's audit ingestion (several blobs each), plus the other client's.
  expect(lane.logs.info).toContainEqual(expect.stringMatching(new RegExp(`^ADX failure reports: \\d+ read, ${blobs.length} blob\\(s\\) failed.*, 1 for other databases`)));

  const after = await entries(lane, engine, types);
  expect(after).toHaveLength(blobs.length);
  for (const e of after) {
    expect(e).toMatchObject({ state: "failed", lastErrorCode: "BadRequest_MappingReferenceWasNotFound", lastError: expect.stringContaining(`${lane.database}.${Tables.unifiedAudit}`) });
  }
  const health = await healthReport({ tenants: engine.config.tenants, checkpoints: engine.checkpoints, ledger: engine.ledger }, f.now());
  const failed = Object.fromEntries(health.tenants.map((h) => [h.contentType, [h.failed, h.failedCodes, h.status]]));
  for (const type of types) {
    const n = f.cloud.truth.availableBlobs(lane.tenantId, type).length;
    expect(failed[type]).toEqual([n, { BadRequest_MappingReferenceWasNotFound: n }, "degraded"]);
  }
  const alerts = lane.logs.error.filter((l) => l.includes("BadRequest_MappingReferenceWasNotFound"));
  expect(alerts).toHaveLength(blobs.length);
  const failedLines = lane.logs.lines.filter((l) => l.level === "error" && l.fields.outcome === "failed" && l.fields.stage === "adx-settlement");
  expect(failedLines.map((l) => l.fields.contentId).sort()).toEqual([...blobs].sort());
  expect(failedLines.every((l) => l.fields.code === "BadRequest_MappingReferenceWasNotFound" && l.fields.database === lane.database)).toBe(true);
  expect(alerts.every((l) => l.includes(`apply kql/tables/${Tables.unifiedAudit}.kql to database ${lane.database}`))).toBe(true);

  // ingestion_errors took the record (its own mapping is fine); the ADX ledger's latest row per blob says failed.
  const errors = await rows(adx, lane, Tables.errors);
  expect(errors.filter((r) => r.Stage === "adx" && r.ErrorCode === "BadRequest_MappingReferenceWasNotFound").map((r) => r.ContentId).sort()).toEqual([...blobs].sort());
  const ledgerRows = await rows(adx, lane, Tables.ledger);
  expect(ledgerRows.filter((r) => r.Status === "failed").map((r) => r.ContentId).sort()).toEqual([...blobs].sort());
  expect(await rows(adx, lane, Tables.unifiedAudit)).toEqual([]);

  // Every report of this app was acted on and deleted; the other client's is still in the queue, for its owner.
  expect(await engine.adxFailures.run(lane.log)).toMatchObject({ received: 0 });
  const failedQueue = QueueServiceClient.fromConnectionString(f.cloud.storage.connectionString).getQueueClient("failedingestions-baddeploy");
  expect((await failedQueue.getProperties()).approximateMessagesCount).toBe(1);
}, 60_000);

test("a transient failure ADX gives up on is replayed by the next tick, and every record lands exactly once", async () => {
  const adx = await clusters.start("flaky");
  const types = ["Audit.General"];
  const lane = await f.lane(1, { ADX_INGEST_URI: adx.url }, { contentTypes: types });
  const engine = lane.engine();
  const blobs = availableContentIds(f.cloud, lane.tenantId, types);
  expect(blobs.length).toBeGreaterThan(10);

  adx.setFaults({ transient: 1 }); // every attempt fails until ADX's own retries are exhausted
  await lane.planUntilQuiet(engine);
  expect((await lane.drain(engine)).poisoned).toBe(0);
  await adx.store.idle();
  adx.setFaults({});
  expect(await rows(adx, lane, Tables.unifiedAudit)).toEqual([]);

  // The settlement's next tick: one report per ingestion (audit rows and ledger rows of every message), naming the
  // message's blobs: the first replays each blob, the second finds it replayed already.
  expect(await engine.adxFailures.run(lane.log)).toMatchObject({ failed: 0, replayed: blobs.length, settled: blobs.length, errors: 0 });
  const runLines = lane.logs.lines.filter((l) => l.level === "info" && l.fields.stage === "adx-settlement" && l.fields.outcome === "run");
  expect(runLines.map((l) => l.message)).toContainEqual(
    expect.stringMatching(new RegExp(`^ADX failure reports: \\d+ read, 0 blob\\(s\\) failed, ${blobs.length} replayed, ${blobs.length} already settled, 0 unattributed, 0 deferred, 0 not handled$`)),
  );
  expect(runLines.map((l) => l.fields)).toContainEqual(expect.objectContaining({ failed: 0, replayed: blobs.length, settled: blobs.length, errors: 0 }));
  expect(lane.logs.warn.filter((l) => /General_RetryAttemptsExceeded.*replaying the blob \(1 of 3\)/.test(l))).toHaveLength(blobs.length);
  expect(lane.logs.lines.filter((l) => l.fields.outcome === "replayed" && l.fields.attempt === 1).map((l) => l.fields.contentId).sort()).toEqual([...blobs].sort());
  expect((await entries(lane, engine, types)).map((e) => e.state)).toEqual(blobs.map(() => "queued"));

  expect((await lane.drain(engine)).poisoned).toBe(0);
  const audit = await rows(adx, lane, Tables.unifiedAudit);
  expect(seenTwice(audit, (r) => `${r.ContentId}|${r.Id}`)).toEqual([]);
  expect(new Set(audit.map((r) => String(r.Id)))).toEqual(availableRecordIds(f.cloud, lane.tenantId, types));
  const ledgerRows = await rows(adx, lane, Tables.ledger);
  expect(ledgerRows.map((r) => r.ContentId).sort()).toEqual([...blobs].sort());
  expect(ledgerRows.every((r) => r.Status === "ingested")).toBe(true);
  for (const e of await entries(lane, engine, types)) expect(e).toMatchObject({ state: "ingested", adxReplays: 1, lastErrorCode: undefined });

  // The ticks after: nothing left to plan or settle, nothing failed.
  const results = await engine.planner.run(lane.log);
  expect(results.filter((r) => r.error)).toEqual([]);
  expect(await engine.adxFailures.run(lane.log)).toMatchObject({ received: 0 });
  expect(lane.logs.error).toEqual([]);
}, 60_000);

test("a tag skip (Skipped_IngestByTagAlreadyExists, Permanent) counts as landed: settled and deleted, no blob failed", async () => {
  const adx = await clusters.start("tagskip");
  const lane = await f.lane(0, { ADX_INGEST_URI: adx.url }, { contentTypes: ["DLP.All"] });
  const engine = lane.engine();
  // A client that still tags its ingestions sends the same tagged rows twice into this app's database: ADX skips the second.
  const tagged = new IngestClient(KustoConnectionStringBuilder.withTokenCredential(adx.url, localCredential));
  const props = () =>
    new IngestionProperties({ database: lane.database, table: Tables.ledger, format: DataFormat.MULTIJSON, ingestionMappingReference: jsonMappingName(Tables.ledger), ingestIfNotExists: JSON.stringify(["blob-1"]), ingestByTags: ["blob-1"] });
  await tagged.ingestFromStream(multijson([{ ContentId: "blob-1" }]), props());
  await adx.store.idle();
  await tagged.ingestFromStream(multijson([{ ContentId: "blob-1" }]), props());
  await adx.store.idle();
  tagged.close();

  const result = await engine.adxFailures.run(lane.log);
  expect(result).toMatchObject({ received: 1, settled: 1, failed: 0, replayed: 0, unattributed: 0, deferred: 0 });
  expect(lane.logs.error).toEqual([]);
  expect(await engine.adxFailures.run(lane.log)).toMatchObject({ received: 0 }); // deleted once acted on
}, 60_000);
