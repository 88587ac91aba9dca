// What one back-fill request may ask for: a span up to a year (longer only naming the tenant's retention), one running
// job per tenant (an identical or overlapping one is refused naming the running job), bounded filter lists, and every
// record type Graph documents.
import type { BackfillRequestError } from "../../functions/src/backfill/backfill-request";
import { DAY, runUntilFinished, startBackfillFixture, type BackfillFixture } from "./backfill-fixture";

let f: BackfillFixture;

beforeAll(async () => {
  f = await startBackfillFixture({ seed: 37, tenants: 4, users: 3, graph: { failedShare: 0 } });
}, 120_000);
afterAll(async () => {
  await f?.close();
});

const refusal = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as BackfillRequestError);

test("a back-fill spans at most a year unless the request names the tenant's longer retention; ten years then, never more", async () => {
  const lane = await f.backfillLane(0);
  const jobs = lane.engine().backfill.jobs;
  const to = f.now();
  const back = (days: number) => new Date(to.getTime() - days * DAY).toISOString();

  const tenYears = await refusal(jobs.start({ tenantId: lane.tenantId, from: back(3650), to: to.toISOString() }));
  expect(tenYears).toMatchObject({ status: 400, code: "SpanTooLong", message: expect.stringMatching(/^from: .* 3650 days, longer than 365 days/), advice: expect.stringContaining("tenantRetentionDays") });
  expect(await refusal(jobs.start({ tenantId: lane.tenantId, from: back(366), to: to.toISOString() }))).toMatchObject({ code: "SpanTooLong" });
  expect(await refusal(jobs.start({ tenantId: lane.tenantId, from: back(400), to: to.toISOString(), tenantRetentionDays: 399 }))).toMatchObject({ code: "SpanTooLong", message: expect.stringMatching(/tenantRetentionDays given/) });
  expect(await refusal(jobs.start({ tenantId: lane.tenantId, from: back(400), to: to.toISOString(), tenantRetentionDays: 3651 }))).toMatchObject({ status: 400, message: expect.stringMatching(/^tenantRetentionDays: /) });
  const long = await jobs.start({ tenantId: lane.tenantId, from: back(400), to: to.toISOString(), tenantRetentionDays: 730 });
  expect(long).toMatchObject({ state: "queued", intervals: { total: 400 } });
}, 120_000);

test("one back-fill runs per tenant: an identical, overlapping or any other job is refused naming the running one, of two racing starts one wins", async () => {
  const lane = await f.backfillLane(1);
  const other = await f.backfillLane(2);
  const jobs = lane.engine().backfill.jobs;
  const to = new Date(f.now().getTime() - 20 * DAY);
  const body = (fromDays: number, toDays: number) => ({ tenantId: lane.tenantId, from: new Date(to.getTime() - fromDays * DAY).toISOString(), to: new Date(to.getTime() - toDays * DAY).toISOString() });

  const [a, b] = await Promise.allSettled([jobs.start(body(2, 0)), lane.engine().backfill.jobs.start(body(2, 0))]);
  const won = [a, b].filter((r) => r.status === "fulfilled");
  expect(won).toHaveLength(1);
  const running = (won[0] as PromiseFulfilledResult<{ id: string }>).value;
  const lost = [a, b].find((r) => r.status === "rejected") as PromiseRejectedResult;
  expect(lost.reason).toMatchObject({ status: 409, code: "BackfillRunning" });

  for (const overlapping of [body(2, 0), body(3, 1), body(30, 20)]) {
    const refused = await refusal(jobs.start(overlapping));
    expect(refused).toMatchObject({ status: 409, code: "BackfillRunning", message: expect.stringContaining(running.id), advice: expect.stringContaining(`/api/operator/backfills/${running.id}`) });
  }
  // another tenant is not held up
  const elsewhere = await other.engine().backfill.jobs.start({ ...body(1, 0), tenantId: other.tenantId });
  expect(elsewhere.state).toBe("queued");
  expect((await jobs.list(lane.tenantId)).map((j) => j.id)).toEqual([running.id]);

  // once it finished, the tenant's next job is accepted
  await runUntilFinished(f, lane, () => lane.engine(), running.id, 20);
  expect((await jobs.start(body(3, 2))).state).toBe("queued");
}, 120_000);

test("filter lists are bounded: a huge operation name, too many operations or record types are refused naming the field; documented record types in any case are accepted", async () => {
  const lane = await f.backfillLane(0);
  const jobs = lane.engine().backfill.jobs;
  const to = f.now();
  const range = { tenantId: lane.tenantId, from: new Date(to.getTime() - DAY).toISOString(), to: to.toISOString() };
  expect(await refusal(jobs.start({ ...range, operations: ["x".repeat(10_000)] }))).toMatchObject({ status: 400, message: expect.stringMatching(/^operations\.0: is longer than 128 characters/) });
  expect(await refusal(jobs.start({ ...range, operations: Array.from({ length: 51 }, (_, i) => `Op${i}`) }))).toMatchObject({ status: 400, message: expect.stringMatching(/^operations: lists more than 50/) });
  expect(await refusal(jobs.start({ ...range, recordTypes: Array.from({ length: 300 }, () => "exchangeItem") }))).toMatchObject({ status: 400, message: expect.stringMatching(/^recordTypes: lists more than the 275/) });
  expect(await refusal(jobs.start({ ...range, tenantId: "x".repeat(1000) }))).toMatchObject({ status: 400, message: expect.stringMatching(/^tenantId: /) });
  const fresh = await f.backfillLane(3);
  const typed = await fresh.engine().backfill.jobs.start({ ...range, tenantId: fresh.tenantId, recordTypes: ["ThreatIntelligence", "exchangeItem", "ExchangeItem", "MDASH"] });
  expect(typed.recordTypes).toEqual(["threatIntelligence", "exchangeItem", "mdash"]);
}, 120_000);
