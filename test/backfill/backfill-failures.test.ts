// What a back-fill reports when Graph fails its queries or the app lacks the role, and what a bad request is told.
import { Tables } from "../../kql/tables";
import { BackfillRequestError } from "../../functions/src/backfill/backfill-request";
import { loadConfig } from "../../functions/src/config";
import { DAY, runUntilFinished, startBackfillFixture, type BackfillFixture } from "./backfill-fixture";

let f: BackfillFixture;

beforeAll(async () => {
  // every query Graph runs fails (the resource says only "failed"); tenant 1 consented without any audit query role
  f = await startBackfillFixture({ seed: 17, tenants: 3, users: 4, graph: { failedShare: 1, grantedRoles: { 1: [] } } });
}, 120_000);
afterAll(async () => {
  await f?.close();
});

test("a query Graph fails is submitted again up to three times, then its interval fails with the reason in the job and in ingestion_errors", async () => {
  const lane = await f.backfillLane(0);
  const engine = lane.engine();
  const to = f.now();
  const from = new Date(to.getTime() - 2 * DAY);
  const started = await engine.backfill.jobs.start({ tenantId: lane.tenantId, from: from.toISOString(), to: to.toISOString(), operations: ["MailItemsAccessed"] });
  const { job } = await runUntilFinished(f, lane, () => engine, started.id);

  expect(job).toMatchObject({ state: "failed", intervals: { total: 2, done: 0, failed: 2 }, records: { fetched: 0, landed: 0 } });
  expect(job.errors).toHaveLength(2);
  for (const e of job.errors) {
    expect(e.code).toBe("AuditLogQueryFailed");
    expect(e.message).toMatch(/ended failed; Graph gives no reason\. Gave up after 3 queries/);
    expect(e.interval).toMatch(/^\d{4}-\d\d-\d\dT.*Z\/\d{4}-\d\d-\d\dT.*Z$/);
  }
  expect(f.cloud.graphAudit.truth.queries(lane.tenantId)).toHaveLength(6);
  const errors = (await lane.rows(Tables.errors)).filter((r) => r.Stage === "backfill");
  expect(errors.map((r) => r.ContentId).sort()).toEqual([`backfill:${job.id}:0`, `backfill:${job.id}:1`]);
  expect(errors[0]).toMatchObject({ ErrorCode: "AuditLogQueryFailed", TenantId: lane.tenantId, Payload: expect.objectContaining({ jobId: job.id, attempts: 3 }) });
  expect(lane.logs.error.join("\n")).toMatch(/finished with 2 of 2 interval\(s\) failed/);
  // with the log's named fields, so one query finds every back-fill failure
  expect(lane.logs.error.filter((l) => l.includes('"stage":"backfill"') && l.includes('"code":"AuditLogQueryFailed"') && l.includes('"outcome":"failed"'))).toHaveLength(2);
}, 300_000);

test("an app without AuditLogsQuery.Read.All stops the job at the first query, naming the role to consent to", async () => {
  const lane = await f.backfillLane(1);
  const engine = lane.engine();
  const to = f.now();
  const started = await engine.backfill.jobs.start({ tenantId: lane.tenantId, from: new Date(to.getTime() - 3 * DAY).toISOString(), to: to.toISOString() });
  const { job, runs } = await runUntilFinished(f, lane, () => engine, started.id);
  expect(runs).toBe(1);
  expect(job.state).toBe("failed");
  expect(job.errors).toEqual([{ interval: "job", code: "MissingPermission", message: expect.stringMatching(/AuditLogsQuery\.Read\.All/) }]);
  expect(f.cloud.graphAudit.truth.queries(lane.tenantId)).toHaveLength(0);
}, 120_000);

test("a bad request is refused naming the field and what to send: unknown tenant 404, back-fill off, dates, record types 400", async () => {
  const lane = await f.lane(2); // back-fill not enabled for this tenant
  const engine = lane.engine();
  const now = f.now();
  const day = (n: number) => new Date(now.getTime() - n * DAY).toISOString();
  const refused = async (body: unknown) => engine.backfill.jobs.start(body).then(() => undefined, (e: unknown) => e as BackfillRequestError);

  expect(await refused({ tenantId: "11111111-2222-4333-8444-555555555555", from: day(9), to: day(8) })).toMatchObject({ status: 404, code: "UnknownTenant" });
  const off = await refused({ tenantId: lane.tenantId, from: day(9), to: day(8) });
  expect(off).toMatchObject({ status: 400, code: "BackfillDisabled", advice: expect.stringMatching(/"backfill": true.*AuditLogsQuery\.Read\.All/) });

  const on = await f.backfillLane(0);
  const onEngine = on.engine();
  const bad = (body: Record<string, unknown>) => onEngine.backfill.jobs.start({ tenantId: on.tenantId, ...body }).then(() => undefined, (e: unknown) => e as BackfillRequestError);
  expect(await bad({ from: "last tuesday", to: day(1) })).toMatchObject({ status: 400, message: expect.stringMatching(/^from: expected an ISO 8601/) });
  expect(await bad({ from: day(1), to: day(2) })).toMatchObject({ status: 400, message: expect.stringMatching(/^from: .* is not earlier than to/) });
  expect(await bad({ from: day(1), to: new Date(now.getTime() + DAY).toISOString() })).toMatchObject({ status: 400, message: expect.stringMatching(/^to: .* is in the future/) });
  expect(await bad({ from: day(3), to: day(1), recordTypes: ["mailItemsAccessed"] })).toMatchObject({ status: 400, message: expect.stringMatching(/^recordTypes: mailItemsAccessed is not/) });
  expect(await bad({ from: day(3), to: day(1), users: ["x"] })).toMatchObject({ status: 400, code: "InvalidRequest" });
  await expect(onEngine.backfill.jobs.get("nope")).rejects.toMatchObject({ status: 404, code: "UnknownBackfill" });
}, 120_000);

test("back-fill is refused in the settings for GCC High and DoD tenants, saying Graph's audit query API is global-only", () => {
  const settings = (cloud: string) => ({
    AzureWebJobsStorage: "UseDevelopmentStorage=true",
    ADX_INGEST_URI: "https://ingest-x.kusto.windows.net",
    AUDIT_LAKE_TENANTS: JSON.stringify([{ tenantId: "00000000-0000-4000-8000-000000000000", cloud, credential: { kind: "managedIdentity" }, database: "d", backfill: true }]),
  });
  expect(() => loadConfig(settings("GCCHigh"))).toThrow(/AUDIT_LAKE_TENANTS at \[0\]\.backfill: is not available for GCC High and DoD tenants: .*global cloud/);
  expect(() => loadConfig(settings("DoD"))).toThrow(/global cloud/);
  expect(loadConfig(settings("Enterprise")).graphAudit).toEqual({ baseUrl: "https://graph.microsoft.com/v1.0", pageSize: 999 });
  expect(() => loadConfig({ ...settings("Enterprise"), GRAPH_AUDIT_BASE_URL: "http://graph.microsoft.com/v1.0" })).toThrow(/GRAPH_AUDIT_BASE_URL: expected an https URL/);
});
