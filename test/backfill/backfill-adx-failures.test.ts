// A back-fill page ADX fails after accepting it (queued ingestion fails after the fact): the ADX failure settlement
// finds the interval through the page's recorded source ids and re-opens it, so it is queried and landed again; a
// table ADX refuses outright fails the interval with ADX's code and advice, in the job and in ingestion_errors.
// Each test points its lane at its own ADX emulator on the cloud's Azurite, so the cluster can be broken on purpose.
import { loadCatalog } from "../../kql/catalog";
import { Tables } from "../../kql/tables";
import { twiceInView, viewRows } from "../../local/runner/views";
import { auditLake } from "../../functions/src/composition-root";
import { DAY, runUntilFinished, startBackfillFixture, type BackfillFixture } from "./backfill-fixture";
import type { AdxEmulator } from "../../local/adx";
import { extraAdxClusters } from "../cloud/extra-adx-clusters";

let f: BackfillFixture;
const clusters = extraAdxClusters(() => f.cloud, "backfill-adx-");

beforeAll(async () => {
  // no Graph query fails: every re-query seen here is the settlement's doing
  f = await startBackfillFixture({ seed: 23, tenants: 2, users: 4, graph: { failedShare: 0 } });
}, 120_000);
afterAll(async () => {
  await clusters.close();
  await f?.close();
});

async function rows(adx: AdxEmulator, database: string, table: string): Promise<Record<string, unknown>[]> {
  await adx.store.idle();
  return adx.store.rows(database, table) as Record<string, unknown>[];
}

/** Two days of older history only: records the live feed never had, none published late. */
function period() {
  const to = new Date(f.now().getTime() - 20 * DAY);
  return { from: new Date(to.getTime() - 2 * DAY), to };
}

test("a back-fill page ADX gives up on after accepting it re-opens its interval: re-landed, every record once in the views", async () => {
  const adx = await clusters.start("flaky");
  const lane = await f.backfillLane(0, { ADX_INGEST_URI: adx.url });
  const engine = lane.engine();
  const { from, to } = period();
  const truth = new Set(f.cloud.graphAudit.truth.records(lane.tenantId, { from, to }).map((r) => r.id));
  expect(truth.size).toBeGreaterThan(50);

  adx.setFaults({ transient: 1 }); // every attempt fails until ADX's own retries are exhausted
  const started = await engine.backfill.jobs.start({ tenantId: lane.tenantId, from: from.toISOString(), to: to.toISOString() });
  const first = await runUntilFinished(f, lane, () => engine, started.id);
  // as far as the runner could tell, ADX accepted every page
  expect(first.job).toMatchObject({ state: "succeeded", intervals: { total: 2, done: 2, failed: 0 } });
  await adx.store.idle();
  adx.setFaults({});
  expect(await rows(adx, lane.database, Tables.unifiedAudit)).toEqual([]);

  const settled = await engine.adxFailures.run(lane.log);
  // one report per table per page: the first re-opens its interval, the rest find it re-opened
  expect(settled).toMatchObject({ replayed: 2, failed: 0, unattributed: 0, deferred: 0, errors: 0 });
  expect(settled.settled).toBeGreaterThan(0);
  const reopened = await auditLake(engine).backfills(lane.tenantId);
  expect(reopened).toEqual([expect.objectContaining({ id: started.id, state: "running", intervals: { total: 2, done: 0, failed: 0 }, records: { fetched: 0, landed: 0 } })]);
  expect(reopened[0].errors.map((e) => e.code)).toEqual(["General_RetryAttemptsExceeded", "General_RetryAttemptsExceeded"]);
  expect(lane.logs.lines.filter((l) => l.fields.outcome === "reopened").map((l) => l.fields.attempt)).toEqual([2, 2]);

  const { job } = await runUntilFinished(f, lane, () => engine, started.id);
  expect(job).toMatchObject({ state: "succeeded", intervals: { total: 2, done: 2, failed: 0 }, errors: [] });
  expect(job.records).toEqual({ fetched: truth.size, landed: truth.size });
  // each interval queried twice: once first, once re-opened
  expect(f.cloud.graphAudit.truth.queries(lane.tenantId)).toHaveLength(4);
  const audit = await rows(adx, lane.database, Tables.unifiedAudit);
  expect(twiceInView(Tables.unifiedAudit, audit)).toBe(0);
  expect(new Set(viewRows(Tables.unifiedAudit, audit).map((r) => String(r.Id)))).toEqual(truth);
  expect(await engine.adxFailures.run(lane.log)).toMatchObject({ received: 0 });
  expect(lane.logs.error).toEqual([]);
}, 300_000);

test("a table ADX refuses (its mapping missing) fails the interval with ADX's code and the fix, in the job and in ingestion_errors", async () => {
  const catalog = loadCatalog();
  catalog.get(Tables.unifiedAudit)!.mappings = {}; // a bad deploy: the table exists, its JSON mapping does not
  const adx = await clusters.start("baddeploy", { catalog });
  const lane = await f.backfillLane(1, { ADX_INGEST_URI: adx.url });
  const engine = lane.engine();
  const { from, to } = period();
  const started = await engine.backfill.jobs.start({ tenantId: lane.tenantId, from: from.toISOString(), to: to.toISOString() });
  expect((await runUntilFinished(f, lane, () => engine, started.id)).job.state).toBe("succeeded");
  await adx.store.idle();

  expect(await engine.adxFailures.run(lane.log)).toMatchObject({ failed: 2, replayed: 0, unattributed: 0, deferred: 0, errors: 0 });
  const [job] = await auditLake(engine).backfills(lane.tenantId);
  expect(job).toMatchObject({ id: started.id, state: "failed", intervals: { total: 2, done: 0, failed: 2 } });
  expect(job.errors).toHaveLength(2);
  for (const e of job.errors) {
    expect(e.code).toMatch(/Mapping/);
    expect(e.message).toMatch(/^ADX refused a queued ingestion of this interval into .*microsoft_unified_audit.*Fix: apply kql\/tables\/microsoft_unified_audit\.kql.*start a back-fill of this interval again/);
  }
  // permanent: no query spent on a retry
  expect(f.cloud.graphAudit.truth.queries(lane.tenantId)).toHaveLength(2);
  const errors = (await rows(adx, lane.database, Tables.errors)).filter((r) => r.Stage === "backfill");
  expect(errors.map((r) => r.ContentId).sort()).toEqual([`backfill:${job.id}:0`, `backfill:${job.id}:1`]);
  expect(errors[0]).toMatchObject({ ErrorCode: job.errors[0].code, TenantId: lane.tenantId, Payload: expect.objectContaining({ jobId: job.id, attempts: 1 }) });
  expect(lane.logs.lines.filter((l) => l.level === "error" && l.fields.outcome === "failed" && l.fields.jobId === job.id)).toHaveLength(2);

  // the timer's next run leaves a failed job alone
  await engine.backfill.runner.run(lane.log);
  expect((await engine.backfill.jobs.get(job.id)).state).toBe("failed");
}, 300_000);

test("a stale copy of a job or interval is not saved over a newer one: the settlement's re-opening is never undone by the runner", async () => {
  const lane = await f.backfillLane(0);
  const engine = lane.engine();
  const { from, to } = period();
  const { id } = await engine.backfill.jobs.start({ tenantId: lane.tenantId, from: from.toISOString(), to: to.toISOString() });
  const store = engine.backfill.store;
  const [runnerCopy] = await store.intervals(id);
  const [settlementCopy] = await store.intervals(id);
  settlementCopy.adxReopens = 1;
  expect(await store.saveInterval(settlementCopy, f.now())).toBe(true);
  runnerCopy.state = "done";
  expect(await store.saveInterval(runnerCopy, f.now())).toBe(false);
  expect(await store.interval(id, 0)).toMatchObject({ state: "pending", adxReopens: 1 });

  const [runnerJob] = (await store.jobs({ tenantId: lane.tenantId })).filter((j) => j.id === id);
  const settlementJob = (await store.job(id))!;
  settlementJob.state = "running";
  expect(await store.saveJob(settlementJob)).toBe(true);
  runnerJob.state = "succeeded";
  expect(await store.saveJob(runnerJob)).toBe(false);
  expect((await store.job(id))!.state).toBe("running");
}, 60_000);

test("an interval re-opened while the timer pages it: the timer's stale copy is dropped, the interval queried again, every record once", async () => {
  const lane = await f.backfillLane(1);
  let reopened = false;
  // the settlement's write (as AdxFailedIntervals makes it) lands between two pages of interval 0
  const engine = lane.engine({
    onBackfillStep: async (s) => {
      if (reopened || s.step !== "page-landed" || s.index !== 0 || s.page !== 1) return;
      reopened = true;
      const store = engine.backfill.store;
      const iv = (await store.interval(s.jobId, 0))!;
      Object.assign(iv, { state: "pending", queryId: undefined, nextLink: undefined, pages: 0, fetched: 0, landed: 0, adxReopens: iv.adxReopens + 1 });
      expect(await store.saveInterval(iv, f.now())).toBe(true);
      const job = (await store.job(s.jobId))!;
      job.state = "running";
      expect(await store.saveJob(job)).toBe(true);
    },
  });
  const { from, to } = period();
  const truth = new Set(f.cloud.graphAudit.truth.records(lane.tenantId, { from, to }).map((r) => r.id));
  const queriesBefore = f.cloud.graphAudit.truth.queries(lane.tenantId).length;
  const started = await engine.backfill.jobs.start({ tenantId: lane.tenantId, from: from.toISOString(), to: to.toISOString() });
  const { job } = await runUntilFinished(f, lane, () => engine, started.id);
  expect(reopened).toBe(true);
  expect(job).toMatchObject({ state: "succeeded", intervals: { total: 2, done: 2, failed: 0 }, records: { fetched: truth.size, landed: truth.size } });
  expect(f.cloud.graphAudit.truth.queries(lane.tenantId).length - queriesBefore).toBe(3);
  const audit = (await lane.rows(Tables.unifiedAudit)).filter((r) => String(r.ContentId).startsWith(`backfill:${job.id}:`));
  expect(twiceInView(Tables.unifiedAudit, audit)).toBe(0);
  expect(new Set(viewRows(Tables.unifiedAudit, audit).map((r) => String(r.Id)))).toEqual(truth);
}, 300_000);
