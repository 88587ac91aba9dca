// A 90-day back-fill through the Graph audit log query emulator, beside the live feed from the Management API
// emulator: every record of the tenant's log lands, once in the `_dedup` views, the last 7 days landed by both paths.
import { Tables } from "../../kql/tables";
import { CONTENT_TYPES } from "../../functions/src/management-api";
import { twiceInView, viewRows } from "../../local/runner/views";
import { availableRecordIds } from "../engine/engine-fixture";
import { DAY, runUntilFinished, startBackfillFixture, type BackfillFixture } from "./backfill-fixture";

let f: BackfillFixture;

beforeAll(async () => {
  f = await startBackfillFixture({ seed: 13, tenants: 2, users: 8 });
}, 120_000);
afterAll(async () => {
  await f?.close();
});

const isBackfillRow = (r: Record<string, unknown>) => String(r.ContentId).startsWith("backfill:");

test("a 90-day back-fill and the live feed land every record of the tenant's log once in the views, the last 7 days by both paths", async () => {
  // Graph's largest pages here: the crash test below pages in small ones
  const lane = await f.backfillLane(0, { GRAPH_AUDIT_PAGE_SIZE: "1000" });
  const engine = lane.engine();
  // the live feed first, as a deployment runs it from the day it is onboarded
  await lane.planUntilQuiet(engine);
  await lane.drain(engine);

  const to = f.now();
  const from = new Date(to.getTime() - 90 * DAY);
  const started = await engine.backfill.jobs.start({ tenantId: lane.tenantId, from: from.toISOString(), to: to.toISOString() });
  expect(started).toMatchObject({ state: "queued", intervals: { total: 90, done: 0, failed: 0 }, records: { fetched: 0, landed: 0 } });

  const { job, runs } = await runUntilFinished(f, lane, () => engine, started.id);
  expect(job.state).toBe("succeeded");
  expect(job.intervals).toEqual({ total: 90, done: 90, failed: 0 });
  expect(runs).toBeGreaterThan(9); // ten queries at a time, each minutes long at Graph
  const queries = f.cloud.graphAudit.truth.queries(lane.tenantId);
  // every interval's query, plus those submitted again after Graph failed them (2 % of queries fail)
  expect(queries.filter((q) => q.status === "succeeded").length).toBe(90);
  const requests = f.cloud.graphAudit.truth.requests(lane.tenantId);
  expect(requests["GET records"]).toBeGreaterThanOrEqual(90);
  console.log(`90-day back-fill: ${job.records.fetched} records, ${runs} timer runs, ${queries.length} queries, ${requests["GET records"]} pages`);

  // the live feed again, after the emulated hours the back-fill took: blobs listed late are found too
  await lane.planUntilQuiet(engine);
  await lane.drain(engine);

  const graphTruth = new Set(f.cloud.graphAudit.truth.records(lane.tenantId, { from, to }).map((r) => r.id));
  const liveTruth = availableRecordIds(f.cloud, lane.tenantId, CONTENT_TYPES);
  const audit = await lane.rows(Tables.unifiedAudit);
  expect(twiceInView(Tables.unifiedAudit, audit)).toBe(0);
  const inView = new Set(viewRows(Tables.unifiedAudit, audit).map((r) => String(r.Id)));
  expect(inView).toEqual(new Set([...graphTruth, ...liveTruth]));
  // every record each query found (fixed when it finished: a week record published later is the live feed's) landed
  expect(job.records.fetched).toBe(queries.filter((q) => q.status === "succeeded").reduce((n, q) => n + (q.records ?? 0), 0));
  expect(job.records.landed).toBe(job.records.fetched);
  expect(graphTruth.size - job.records.landed).toBeLessThan(10);

  // the overlap: records of the last 7 days came through both paths, raw rows twice, the view once
  const byBackfill = new Set(audit.filter(isBackfillRow).map((r) => String(r.Id)));
  const byLiveFeed = new Set(audit.filter((r) => !isBackfillRow(r)).map((r) => String(r.Id)));
  const both = [...byBackfill].filter((id) => byLiveFeed.has(id));
  expect(both.length).toBeGreaterThan(100);
  const weekAgo = to.getTime() - 7 * DAY;
  expect(audit.filter((r) => both.includes(String(r.Id))).every((r) => Date.parse(String(r.CreationTime).replace(/Z?$/, "Z")) >= weekAgo - DAY)).toBe(true);
  // the rows of a record landed by both paths name the same content type
  const liveType = new Map(audit.filter((r) => !isBackfillRow(r)).map((r) => [String(r.Id), r.ContentType]));
  expect(audit.filter(isBackfillRow).filter((r) => liveType.has(String(r.Id)) && liveType.get(String(r.Id)) !== r.ContentType)).toEqual([]);
  // and older than the live feed reaches: only the back-fill has them
  expect([...byBackfill].filter((id) => !byLiveFeed.has(id)).length).toBeGreaterThan(byLiveFeed.size);

  const mail = await lane.rows(Tables.accessMail);
  expect(mail.some(isBackfillRow)).toBe(true);
  expect(twiceInView(Tables.accessMail, mail)).toBe(0);

  // health shows the tenant's back-fill progress
  const health = await (await import("../../functions/src/composition-root")).auditLake(engine).health();
  expect(health.backfills).toEqual([expect.objectContaining({ tenantId: lane.tenantId, jobs: { queued: 0, running: 0, succeeded: 1, failed: 0 } })]);
}, 600_000);

test("a crash between a landed page and its saved link resumes on the restarted app at that page: nothing lost, the view holds each record once", async () => {
  const lane = await f.backfillLane(1);
  // before the week the live feed serves: records there are all published, so the truth does not move with the clock
  const to = new Date(f.now().getTime() - 8 * DAY);
  const from = new Date(to.getTime() - 20 * DAY);
  let crashed: { index: number; page: number } | undefined;
  const crashing = lane.engine({
    onBackfillStep: (s) => {
      // the process dies after ADX took the page's rows, before the interval's next link is saved
      if (s.step === "page-landed" && s.page === 2 && !crashed) {
        crashed = { index: s.index, page: s.page };
        throw new Error("process killed after landing a page");
      }
    },
  });
  const started = await crashing.backfill.jobs.start({ tenantId: lane.tenantId, from: from.toISOString(), to: to.toISOString() });
  const restarted = lane.engine();
  let crashRun = 0;
  const { job } = await runUntilFinished(
    f,
    lane,
    (run) => (crashed ? restarted : crashing),
    started.id,
  ).catch(async (e) => {
    // the crashing run threw; the restarted app takes over from what is saved
    expect(String(e)).toMatch(/process killed/);
    crashRun++;
    return runUntilFinished(f, lane, () => restarted, started.id);
  });
  expect(crashed).toBeDefined();
  expect(crashRun).toBe(1);
  expect(job).toMatchObject({ state: "succeeded", intervals: { total: 20, done: 20, failed: 0 } });

  const truth = new Set(f.cloud.graphAudit.truth.records(lane.tenantId, { from, to }).map((r) => r.id));
  const audit = (await lane.rows(Tables.unifiedAudit)).filter(isBackfillRow);
  expect(new Set(viewRows(Tables.unifiedAudit, audit).map((r) => String(r.Id)))).toEqual(truth);
  expect(twiceInView(Tables.unifiedAudit, audit)).toBe(0);
  // the crashed page landed twice below the view (once before the crash, once on resume)
  const crashedInterval = audit.filter((r) => r.ContentId === `backfill:${started.id}:${crashed!.index}`);
  expect(crashedInterval.length).toBeGreaterThan(new Set(crashedInterval.map((r) => r.Id)).size);
}, 600_000);
