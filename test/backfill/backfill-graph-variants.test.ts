// Back-fill under each answer Microsoft's Graph documentation prints or leaves open, as the emulator models them per
// tenant: it finishes (or fails with the reason, in a bounded number of timer runs) under every one of them.
import { Tables } from "../../kql/tables";
import { MAX_QUERY_WAIT_MS, MAX_TRANSIENT_RETRIES } from "../../functions/src/backfill/backfill-job";
import { DAY, runUntilFinished, startBackfillFixture, type BackfillFixture } from "./backfill-fixture";

const HOUR = 3_600_000;
const SLACK = 2 * HOUR;
let f: BackfillFixture;

beforeAll(async () => {
  f = await startBackfillFixture({
    seed: 31,
    tenants: 6,
    users: 4,
    graph: {
      failedShare: 0,
      variants: { 0: { wrappedGet: true }, 1: { malformedGet: true }, 2: { rangeSlackMs: SLACK }, 3: { refuseTop: true }, 4: { stuckRunning: true }, 5: { alwaysThrottled: true } },
    },
  });
}, 120_000);
afterAll(async () => {
  await f?.close();
});

/** Two days well before the live feed's week. */
function period(): { from: Date; to: Date } {
  const to = new Date(f.now().getTime() - 10 * DAY);
  return { from: new Date(to.getTime() - 2 * DAY), to };
}

test("a Get answered as {value: {…}} (v1.0's Get example) is read: the job finishes with every record", async () => {
  const lane = await f.backfillLane(0);
  const engine = lane.engine();
  const { from, to } = period();
  const truth = f.cloud.graphAudit.truth.records(lane.tenantId, { from, to }).map((r) => r.id);
  const started = await engine.backfill.jobs.start({ tenantId: lane.tenantId, from: from.toISOString(), to: to.toISOString() });
  const { job } = await runUntilFinished(f, lane, () => engine, started.id, 20);
  expect(job).toMatchObject({ state: "succeeded", intervals: { total: 2, done: 2, failed: 0 }, records: { fetched: truth.length, landed: truth.length } });
}, 120_000);

test("a Get answer that is no query fails the interval with the reason after its bounded attempts, instead of polling for ever", async () => {
  const lane = await f.backfillLane(1);
  const engine = lane.engine();
  const { from, to } = period();
  const started = await engine.backfill.jobs.start({ tenantId: lane.tenantId, from: from.toISOString(), to: to.toISOString() });
  const { job } = await runUntilFinished(f, lane, () => engine, started.id, 20);
  expect(job).toMatchObject({ state: "failed", intervals: { total: 2, done: 0, failed: 2 } });
  for (const e of job.errors) {
    expect(e.code).toBe("MalformedResponse");
    expect(e.message).toMatch(/not an audit log query \(no id or status\).*Gave up after 3 queries/);
  }
  // each malformed answer spent one query of the interval's three
  expect(f.cloud.graphAudit.truth.queries(lane.tenantId)).toHaveLength(6);
}, 120_000);

test("a search reaching past its interval's ends lands each record once: what lies outside [from, to) is dropped and counted", async () => {
  const lane = await f.backfillLane(2);
  const engine = lane.engine();
  const { from, to } = period();
  const truth = f.cloud.graphAudit.truth;
  const inside = new Set(truth.records(lane.tenantId, { from, to }).map((r) => r.id));
  // per one-day interval: what the widened search returns beyond the interval itself
  let beyond = 0;
  for (let start = from.getTime(); start < to.getTime(); start += DAY) {
    const day = { from: new Date(start), to: new Date(start + DAY) };
    beyond += truth.records(lane.tenantId, { from: new Date(start - SLACK), to: new Date(start + DAY + SLACK) }).length - truth.records(lane.tenantId, day).length;
  }
  expect(beyond).toBeGreaterThan(0);

  const started = await engine.backfill.jobs.start({ tenantId: lane.tenantId, from: from.toISOString(), to: to.toISOString() });
  const { job } = await runUntilFinished(f, lane, () => engine, started.id, 20);
  expect(job).toMatchObject({ state: "succeeded", records: { fetched: inside.size + beyond, landed: inside.size, outOfRange: beyond } });
  // the raw table, not only the _dedup view: no record twice, none from outside the period
  const landed = (await lane.rows(Tables.unifiedAudit)).filter((r) => String(r.ContentId).startsWith(`backfill:${job.id}:`)).map((r) => String(r.Id));
  expect(landed).toHaveLength(inside.size);
  expect(new Set(landed)).toEqual(inside);
}, 120_000);

test("list-records refusing $top is asked again without it: the job finishes with every record", async () => {
  const lane = await f.backfillLane(3);
  const engine = lane.engine();
  const { from, to } = period();
  const truth = f.cloud.graphAudit.truth.records(lane.tenantId, { from, to }).map((r) => r.id);
  const started = await engine.backfill.jobs.start({ tenantId: lane.tenantId, from: from.toISOString(), to: to.toISOString() });
  const { job } = await runUntilFinished(f, lane, () => engine, started.id, 20);
  expect(job).toMatchObject({ state: "succeeded", errors: [], records: { fetched: truth.length, landed: truth.length } });
}, 120_000);

test("a query that never leaves running is given up on after 12 hours and submitted again; after three such queries the interval fails", async () => {
  const lane = await f.backfillLane(4);
  const engine = lane.engine();
  const { from } = period();
  const started = await engine.backfill.jobs.start({ tenantId: lane.tenantId, from: from.toISOString(), to: new Date(from.getTime() + DAY).toISOString() });
  let job = await engine.backfill.jobs.get(started.id);
  let runs = 0;
  // an hour between timer runs, so twelve hours pass in a dozen runs
  for (; runs < 60 && (job.state === "queued" || job.state === "running"); runs++) {
    await engine.backfill.runner.run(lane.log);
    job = await engine.backfill.jobs.get(started.id);
    f.advance(HOUR);
  }
  expect(job).toMatchObject({ state: "failed", intervals: { total: 1, failed: 1 } });
  expect(job.errors).toEqual([expect.objectContaining({ code: "AuditLogQueryTimedOut", message: expect.stringMatching(/is still running 12 h after it was submitted\..*Gave up after 3 queries/) })]);
  expect(f.cloud.graphAudit.truth.queries(lane.tenantId)).toHaveLength(3);
  expect(runs).toBeLessThanOrEqual(3 * (MAX_QUERY_WAIT_MS / HOUR + 2));
}, 120_000);

test("a tenant Graph throttles without end: the interval fails after a bounded number of tries in a row, naming the throttling", async () => {
  const lane = await f.backfillLane(5);
  const engine = lane.engine();
  const { from } = period();
  const started = await engine.backfill.jobs.start({ tenantId: lane.tenantId, from: from.toISOString(), to: new Date(from.getTime() + DAY).toISOString() });
  const { job, runs } = await runUntilFinished(f, lane, () => engine, started.id, MAX_TRANSIENT_RETRIES + 5);
  expect(runs).toBe(MAX_TRANSIENT_RETRIES + 1);
  expect(job).toMatchObject({ state: "failed", intervals: { total: 1, failed: 1 } });
  expect(job.errors).toEqual([expect.objectContaining({ code: "TooManyRequests", message: expect.stringMatching(/still throttled \(429\).*Gave up after 31 tries in a row/) })]);
}, 180_000);
