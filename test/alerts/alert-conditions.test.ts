// Each alert condition made to happen in the emulated cloud, one app (lane) per condition, with the emulator's clock
// pinned and advanced by the test as the 5-minute timer would: the app's own log lines, in the shape Application
// Insights keeps them in `traces`, make the rule's condition true (the TypeScript twin of kql/alerts/<rule>.kql, which
// kql:check proves reads the same fields), and the health report makes `status --check` name the same problem.
// A healthy run under the Management API's standard transient faults makes none fire.
import { ALERT_RULES, type AlertRuleId, type Firing, type TraceRow } from "../../kql/alerts";
import { Tables } from "../../kql/tables";
import { loadCatalog } from "../../kql/catalog";
import { checkProblems, DEFAULT_MAX_LAG_MINUTES } from "../../cli/status-check";
import type { StatusResult } from "../../cli/status";
import { MAX_DEQUEUE_COUNT_SETTING } from "../../functions/src/config";
import type { Engine } from "../../functions/src/use-cases/engine";
import { healthReport } from "../../functions/src/use-cases/health";
import { recordTraces } from "../../local/app-insights/traces";
import { extraAdxClusters } from "../cloud/extra-adx-clusters";
import { startFixture, type Fixture, type Lane } from "../engine/engine-fixture";

const MINUTE = 60_000;
let clockMs = Date.parse("2026-03-01T00:05:00Z");
const clock = () => new Date(clockMs);
let f: Fixture;
const clusters = extraAdxClusters(() => f.cloud, "alert-conditions-");

beforeAll(async () => {
  // 0 healthy · 1 consent revoked · 2 audit logging off · 3 worker stopped · 4 ADX without the audit mapping
  f = await startFixture({ seed: 21, tenants: 5, faults: "standard", consent: { 1: "none" }, auditLoggingDisabledTenants: [2], now: clock });
}, 60_000);
afterAll(async () => {
  await clusters.close();
  await f?.close();
});

interface App {
  lane: Lane;
  engine: Engine;
  traces: TraceRow[];
  /** The function the host would name (operation_Name) for the lines that follow. */
  running(functionName: string): void;
}

async function app(tenant: number, settings: Record<string, string> = {}, config: Record<string, unknown> = {}): Promise<App> {
  // the production default (the fixture's 3 makes a transient fault on three deliveries a quarantine)
  const lane = await f.lane(tenant, { [MAX_DEQUEUE_COUNT_SETTING]: "5", ...settings }, config);
  let operation = "plan";
  const traces = recordTraces(lane.log, clock, () => operation);
  const engine = lane.engine();
  return { lane, engine, traces, running: (name) => void (operation = name) };
}

/** One timer period of the app: plan, then (unless the worker is stopped) drain the queue and settle ADX's reports. */
async function period(a: App, o: { worker?: boolean } = {}): Promise<void> {
  a.running("plan");
  await a.engine.planner.run(a.lane.log);
  if (o.worker !== false) {
    a.running("ingest-content");
    await a.lane.drain(a.engine);
    await f.cloud.adxStore.idle();
    a.running("settle-adx-failures");
    await a.engine.adxFailures.run(a.lane.log);
  }
  clockMs += 5 * MINUTE;
}

function fired(traces: readonly TraceRow[], at: Date): Firing[] {
  return ALERT_RULES.flatMap((r) => r.evaluate(traces, r.threshold, at));
}

const rules = (firings: Firing[]) => [...new Set(firings.map((x) => x.rule))].sort();

async function checkAt(a: App, at: Date) {
  const health = await healthReport({ tenants: a.engine.config.tenants, checkpoints: a.engine.checkpoints, ledger: a.engine.ledger }, at);
  // the tenant's access is the admin API's (status-requeue.test.ts); here the app could read it, so no access fix
  const status = { app: "local", checkedAt: at.toISOString(), health: health.status, tenants: [{ tenantId: a.lane.tenantId, ready: true, access: {} as never, fixes: [], contentTypes: health.tenants }], backfills: null, activity: null } as StatusResult;
  return { health, problems: checkProblems(status, { maxLagMinutes: DEFAULT_MAX_LAG_MINUTES }) };
}

test("a healthy run under the standard faults: no rule fires after any timer period and status --check finds nothing; 3 h without a plan run, the lag rule fires", async () => {
  const a = await app(0);
  for (let i = 0; i < 3; i++) {
    await period(a);
    // every rule evaluated after each timer period, as Azure Monitor would: none fires
    expect(fired(a.traces, clock())).toEqual([]);
  }
  expect(a.traces.filter((t) => /"outcome":"ingested"/.test(t.message)).length).toBeGreaterThan(10);
  // the faults did happen: Microsoft's expired-at-fetch blobs are even logged at error level, and still page no one
  expect(a.traces.filter((t) => t.severityLevel === 3 && /"outcome":"expired"/.test(t.message)).length).toBeGreaterThan(0);
  const now = await checkAt(a, clock());
  expect(now.problems).toEqual([]);
  // Microsoft's own expired-at-fetch blobs (the "expired" fault) make health degraded, never unhealthy, and page no one
  expect(now.health.status).not.toBe("unhealthy");
  expect(now.health.tenants.flatMap((t) => t.problems).filter((p) => !/blob\(s\) expired before they could be fetched$/.test(p))).toEqual([]);

  const later = new Date(clockMs + 3 * 60 * MINUTE);
  const lag = fired(a.traces, later);
  expect(rules(lag)).toEqual(["ingestion-lag"]);
  expect(lag.map((x) => x.contentType).sort()).toEqual([...a.engine.config.tenants[0].contentTypes].sort());
  expect(lag.every((x) => x.tenant === a.lane.tenantId && x.value > DEFAULT_MAX_LAG_MINUTES)).toBe(true);
  const stale = await checkAt(a, later);
  expect(stale.problems.map((p) => p.code)).toEqual(a.engine.config.tenants[0].contentTypes.map(() => "ingestion-lag"));
}, 240_000);

test.each([
  [1, "consent revoked", /^(AADSTS\d+|AuthenticationFailed)$/],
  [2, "audit logging off", /^AuditLoggingDisabled$/],
] as const)("tenant %i (%s): the tenant-access rule fires with its code, the planner rule does not", async (tenant, _what, code) => {
  const a = await app(tenant, {}, { contentTypes: ["Audit.Exchange", "Audit.General"] });
  // the app's own identity is not the tenant's in Azure: only the planner is about the tenant's access
  for (let i = 0; i < 3; i++) await period(a, { worker: false });
  const failedCodes = a.traces.filter((t) => /"outcome":"failed"/.test(t.message)).map((t) => /"code":"([^"]+)"/.exec(t.message)![1]);
  expect(failedCodes.filter((c) => !code.test(c))).toEqual([]);
  const firings = fired(a.traces, clock());
  expect(rules(firings)).toEqual(["tenant-access-lost"]);
  // the plan runs of the rule's last 15 minutes, both content types
  expect(firings[0]).toMatchObject({ tenant: a.lane.tenantId, value: 4 });
  const { health, problems } = await checkAt(a, clock());
  expect(health.status).toBe("unhealthy");
  expect(problems.map((p) => p.code)).toEqual(["not-planned", "not-planned"]);
}, 120_000);

test("the worker stopped: blobs listed near their 7-day expiry page as expiring, and status --check names them", async () => {
  const a = await app(3, {}, { contentTypes: ["Audit.Exchange"] });
  await period(a, { worker: false });
  // the worker stays stopped for 10 hours: the week's oldest blobs (6 d 15 h old at the first run) come within a day
  // of expiry, unlanded
  clockMs += 10 * 60 * MINUTE;
  await period(a, { worker: false });
  const firings = fired(a.traces, clock());
  expect(rules(firings)).toEqual(["blobs-expiring"]);
  expect(firings[0]).toMatchObject({ tenant: a.lane.tenantId, contentType: "Audit.Exchange" });
  expect(firings[0].value).toBeGreaterThan(0);
  const { problems } = await checkAt(a, clock());
  expect(problems.map((p) => p.code)).toEqual(["blobs-expiring"]);
}, 120_000);

test("ADX refuses the mapping after a bad deploy: the failed-blobs rule fires with ADX's code, and status --check names it", async () => {
  const catalog = loadCatalog();
  catalog.get(Tables.unifiedAudit)!.mappings = {};
  const adx = await clusters.start("nomapping", { catalog });
  const a = await app(4, { ADX_INGEST_URI: adx.url }, { contentTypes: ["Audit.General"] });
  await period(a);
  await adx.store.idle();
  await a.engine.adxFailures.run(a.lane.log);
  const firings = fired(a.traces, clock());
  expect(rules(firings)).toEqual(["blobs-failed"]);
  expect(firings[0]).toMatchObject({ tenant: a.lane.tenantId, contentType: "Audit.General" });
  expect(a.traces.some((t) => t.severityLevel === 3 && t.message.includes('"code":"BadRequest_MappingReferenceWasNotFound"'))).toBe(true);
  const { problems } = await checkAt(a, clock());
  expect(problems.map((p) => p.code)).toEqual(["blobs-failed"]);
  expect(problems[0].problem).toContain("BadRequest_MappingReferenceWasNotFound");
}, 120_000);

test("the planner failing for another reason (the API unreachable) three runs in a row fires the planner rule, not the access rule", async () => {
  const a = await app(0, {}, { contentTypes: ["Audit.SharePoint"], managementApiUrl: "http://127.0.0.1:9" });
  for (let i = 0; i < 2; i++) await period(a, { worker: false });
  expect(rules(fired(a.traces, clock()))).toEqual([]); // two failures are not yet "repeatedly"
  await period(a, { worker: false });
  const firings = fired(a.traces, clock());
  expect(rules(firings)).toEqual(["planner-failing" satisfies AlertRuleId]);
  expect(firings[0]).toMatchObject({ tenant: a.lane.tenantId, contentType: "Audit.SharePoint", value: 3 });
}, 120_000);
