// The same conditions through the local Functions host (what `npm run host` runs): a tenant whose consent is gone and
// one with audit logging off, beside a healthy one, under the Management API's standard faults. The host's own log
// stream, read as Application Insights `traces`, fires the access rule for exactly the two broken tenants; the health
// probe answers 503; `status --check` names both with their fixes and exits 1. The healthy tenant fires nothing.
// The rules are evaluated at the time of the host's last line, so the test reads no wall clock of its own.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../cli/main";
import { ExitCode } from "../../cli/output/exit-codes";
import { ALERT_RULES } from "../../kql/alerts";
import { tracesFromHostLog } from "../../local/app-insights/traces";
import { startEmulatedCloud, type EmulatedCloud } from "../../local/cloud";
import { emulatedAppSettings } from "../../local/host/emulated-app";
import { startLocalFunctionsHost, type LocalFunctionsHost } from "../../local/host/functions-host";
import { InvocationLog } from "../../local/runner/invocation-log";
import { eventually } from "../host/host-fixture";

let dir: string;
let cloud: EmulatedCloud;
let host: LocalFunctionsHost;
let log: InvocationLog;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "host-alerts-"));
  cloud = await startEmulatedCloud({ tenants: 3, users: 3, consent: { 1: "none" }, auditLoggingDisabledTenants: [2], faults: "standard" });
  log = new InvocationLog({ file: join(dir, "host.log") });
  // timers an hour apart: the plan runs the test asks for are the only ones
  host = await startLocalFunctionsHost({ settings: emulatedAppSettings(cloud), timerIntervalMs: 60 * 60_000, log });
}, 120_000);
afterAll(async () => {
  await host?.close();
  await cloud?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${host.url}/api/${path}`, { method, headers: { "x-functions-key": host.functionKey, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

test("consent revoked and audit logging off: the access rule fires for those two tenants only, the probe says 503, status --check names both", async () => {
  const [healthy, revoked, auditOff] = cloud.tenants.map((t) => t.tenantId);
  for (let run = 0; run < 2; run++) for (const t of cloud.tenants) expect((await call("POST", "operator/plan", { tenantId: t.tenantId })).status).toBe(200);
  await eventually(async () => {
    const h = await call("GET", "health");
    const rows = h.body.tenants.filter((t: { tenantId: string }) => t.tenantId === healthy);
    return rows.every((t: { pending: number; lagMinutes: number | null }) => t.pending === 0 && t.lagMinutes !== null) ? true : undefined;
  }, "the healthy tenant to catch up");
  await cloud.adxStore.idle();
  await log.close();

  const traces = tracesFromHostLog(readFileSync(join(dir, "host.log"), "utf8"));
  expect(traces.some((t) => t.operation_Name === "ingest-content" && /"outcome":"ingested"/.test(t.message))).toBe(true);
  const now = new Date(Math.max(...traces.map((t) => Date.parse(t.timestamp))));
  const fired = ALERT_RULES.flatMap((r) => r.evaluate(traces, r.threshold, now));
  expect(fired.map((f) => `${f.rule} ${f.tenant}`).sort()).toEqual([`tenant-access-lost ${auditOff}`, `tenant-access-lost ${revoked}`].sort());

  const probe = await fetch(`${host.url}/api/health/probe`);
  expect(probe.status).toBe(503);

  const io = { out: "", err: "", interactive: false, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  const code = await runCli(["status", "--check", "--app-url", host.url, "--function-key", host.functionKey], { io, env: {} });
  expect(code).toBe(ExitCode.Failed);
  const lines = io.out.trim().split("\n");
  expect(lines.filter((l) => l.startsWith(revoked!))).toEqual([expect.stringMatching(/\[AADSTS700016\] .* — fix: .*adminconsent/)]);
  expect(lines.filter((l) => l.startsWith(auditOff!))).toEqual([expect.stringMatching(/\[(AF20011|AuditLoggingDisabled|AF20023)\] .* — fix: Turn auditing on/)]);
  expect(lines.some((l) => l.startsWith(healthy!))).toBe(false);
}, 240_000);
