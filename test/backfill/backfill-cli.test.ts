// The admin API's back-fill routes through the local Functions host, and the `backfill` command following a job to
// its end. The Graph emulator's query delays are cut to seconds here (45 s + minutes by default): the host's timers
// run on real time, and what is under test is the route, the command and the follow loop, not Graph's pace. Graph
// throttles a tenth of the requests (429 + Retry-After) and fails one in twenty (500/503/504): the job lands all anyway.
import { Tables } from "../../kql/tables";
import { runCli } from "../../cli/main";
import { ExitCode } from "../../cli/output/exit-codes";
import { startEmulatedCloud, type EmulatedCloud } from "../../local/cloud";
import { emulatedAppSettings } from "../../local/host/emulated-app";
import { startLocalFunctionsHost, type LocalFunctionsHost } from "../../local/host/functions-host";
import { twiceInView, viewRows } from "../../local/runner/views";

const DAY = 86_400_000;
let cloud: EmulatedCloud;
let host: LocalFunctionsHost;

beforeAll(async () => {
  cloud = await startEmulatedCloud({ tenants: 2, users: 4, seed: 5, graph: { queryTiming: { queuedMs: 200, baseRunMs: 500, runMsPerDay: 50 }, failedShare: 0, throttleShare: 0.1, serverErrorShare: 0.05, injectedRetryAfterSeconds: 1 } });
  const settings = emulatedAppSettings(cloud);
  // back-fill on for tenant 0 only, as a deployment config would set it
  const tenants = JSON.parse(settings.AUDIT_LAKE_TENANTS) as Array<Record<string, unknown>>;
  tenants[1].backfill = false;
  host = await startLocalFunctionsHost({ settings: { ...settings, AUDIT_LAKE_TENANTS: JSON.stringify(tenants) }, timerIntervalMs: 1000 });
}, 120_000);
afterAll(async () => {
  await host?.close();
  await cloud?.close();
});

const call = async (method: string, path: string, body?: unknown, key: string | null = host.functionKey) => {
  const res = await fetch(`${host.url}/api/${path}`, { method, headers: { ...(key ? { "x-functions-key": key } : {}), "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
};

const capture = () => {
  const io = { out: "", err: "", interactive: false, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
};

test("the back-fill routes need the function key, answer 202 with the queued job, list and read it, and refuse bad input with the contract's error", async () => {
  const tenantId = cloud.tenants[0].tenantId;
  const to = new Date();
  const from = new Date(to.getTime() - 2 * DAY);
  expect((await call("POST", "operator/backfills", { tenantId, from: from.toISOString(), to: to.toISOString() }, null)).status).toBe(401);

  const started = await call("POST", "operator/backfills", { tenantId, from: from.toISOString(), to: to.toISOString(), operations: ["MailItemsAccessed"] });
  expect(started.status).toBe(202);
  expect(started.body.job).toMatchObject({ tenantId, state: "queued", operations: ["MailItemsAccessed"], recordTypes: [], intervals: { total: 2, done: 0, failed: 0 } });
  const listed = await call("GET", `operator/backfills?tenant=${tenantId}`);
  expect(listed.body.jobs.map((j: { id: string }) => j.id)).toContain(started.body.job.id);
  expect((await call("GET", `operator/backfills/${started.body.job.id}`)).body.job.id).toBe(started.body.job.id);

  expect(await call("GET", "operator/backfills/no-such-job")).toEqual({ status: 404, body: { error: { code: "UnknownBackfill", message: "No back-fill job no-such-job.", advice: expect.any(String) } } });
  const off = await call("POST", "operator/backfills", { tenantId: cloud.tenants[1].tenantId, from: from.toISOString(), to: to.toISOString() });
  expect(off).toMatchObject({ status: 400, body: { error: { code: "BackfillDisabled", message: expect.stringMatching(/^tenantId: /) } } });
  const bad = await call("POST", "operator/backfills", { tenantId, from: "yesterday", to: to.toISOString() });
  expect(bad).toMatchObject({ status: 400, body: { error: { code: "InvalidRequest", message: expect.stringMatching(/^from: /), advice: expect.any(String) } } });

  // one back-fill per tenant: the same request again is refused naming the running job, until that job finished
  const again = await call("POST", "operator/backfills", { tenantId, from: from.toISOString(), to: to.toISOString(), operations: ["MailItemsAccessed"] });
  expect(again).toMatchObject({ status: 409, body: { error: { code: "BackfillRunning", message: expect.stringContaining(started.body.job.id) } } });
  for (let state = started.body.job.state; state === "queued" || state === "running"; ) {
    await new Promise((r) => setTimeout(r, 500));
    state = (await call("GET", `operator/backfills/${started.body.job.id}`)).body.job.state;
  }
}, 120_000);

test("`backfill` starts a job through the admin endpoint, follows it to the end and prints it; the records are in the tables", async () => {
  const tenantId = cloud.tenants[0].tenantId;
  const to = new Date(Math.floor(Date.now() / DAY) * DAY - 10 * DAY);
  const from = new Date(to.getTime() - 3 * DAY);
  const io = capture();
  const args = ["backfill", "--tenant", tenantId, "--from", from.toISOString().slice(0, 10), "--to", to.toISOString(), "--app-url", host.url, "--function-key", host.functionKey, "--poll-seconds", "1", "--json"];
  const code = await runCli(args, { io });
  expect(io.err).toBe("");
  expect(code).toBe(ExitCode.Success);
  const doc = JSON.parse(io.out);
  expect(doc).toMatchObject({ ok: true, job: { tenantId, state: "succeeded", intervals: { total: 3, done: 3, failed: 0 } } });

  const truth = new Set(cloud.graphAudit.truth.records(tenantId, { from, to }).map((r) => r.id));
  expect(doc.job.records.landed).toBe(truth.size);
  await cloud.adxStore.idle();
  const audit = (cloud.adxStore.rows(cloud.tenants[0].database, Tables.unifiedAudit) as Record<string, unknown>[]).filter((r) => String(r.ContentId).startsWith(`backfill:${doc.job.id}:`));
  expect(new Set(viewRows(Tables.unifiedAudit, audit).map((r) => String(r.Id)))).toEqual(truth);
  expect(twiceInView(Tables.unifiedAudit, audit)).toBe(0);
  const requests = cloud.graphAudit.truth.requests(tenantId);
  expect((requests.throttled ?? 0) + (requests.faulted ?? 0)).toBeGreaterThan(0);

  // --no-wait returns with the queued job
  const quick = capture();
  const period = ["--from", new Date(to.getTime() - 30 * DAY).toISOString(), "--to", new Date(to.getTime() - 28 * DAY).toISOString()];
  expect(await runCli(["backfill", "--tenant", tenantId, ...period, "--no-wait", "--json", "--app-url", host.url, "--function-key", host.functionKey], { io: quick })).toBe(ExitCode.Success);
  expect(JSON.parse(quick.out)).toMatchObject({ ok: true, job: { tenantId, state: "queued", intervals: { total: 2, done: 0 } } });

  // --dry-run sends nothing and says what would run
  const dry = capture();
  expect(await runCli([...args.filter((a) => a !== "--json"), "--dry-run"], { io: dry })).toBe(ExitCode.Success);
  expect(dry.out).toMatch(/Would start a back-fill of tenant .*, 3 Graph queries of 24 h\./);
  // bad input: the flag named, exit 2, nothing sent
  const wrong = capture();
  expect(await runCli(["backfill", "--tenant", tenantId, "--from", "last week", "--app-url", host.url, "--function-key", host.functionKey], { io: wrong })).toBe(ExitCode.Usage);
  expect(wrong.err).toMatch(/error \[BadOption\]: --from: "last week" is not a date/);

  // a span over a year needs the tenant's retention named; every documented record type is known to the CLI
  const app = ["--tenant", tenantId, "--to", to.toISOString(), "--app-url", host.url, "--function-key", host.functionKey];
  const longAgo = new Date(to.getTime() - 400 * DAY).toISOString();
  const tooLong = capture();
  expect(await runCli(["backfill", ...app, "--from", longAgo, "--dry-run"], { io: tooLong })).toBe(ExitCode.Usage);
  expect(tooLong.err).toMatch(/--from: the period is 400 days, longer than 365 .*--tenant-retention-days/);
  const retained = capture();
  expect(await runCli(["backfill", ...app, "--from", longAgo, "--tenant-retention-days", "730", "--record-types", "ThreatIntelligence,exchangeItem", "--dry-run"], { io: retained })).toBe(ExitCode.Success);
  expect(retained.out).toMatch(/400 Graph queries of 24 h, record types threatIntelligence, exchangeItem\./);
  const notAType = capture();
  expect(await runCli(["backfill", ...app, "--from", new Date(to.getTime() - DAY).toISOString(), "--record-types", "mailItemsAccessed", "--dry-run"], { io: notAType })).toBe(ExitCode.Usage);
  expect(notAType.err).toMatch(/--record-types: mailItemsAccessed is not among the 275 auditLogRecordType members/);
}, 180_000);
