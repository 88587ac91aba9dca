// GET operator/tenants with back-fill enabled: besides the live feed's token and roles, the app asks Entra for a
// Microsoft Graph token and reads its audit-query roles. An MSSP client that consented before back-fill was enabled
// holds none: back-fill access says so with the consent URL, the live feed's `ready` is untouched, and once the
// admin consents again the next check shows it.
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { accessAdvice } from "../../cli/app/access-advice";
import type { TenantAccess } from "../../functions/src/admin/tenant-access";
import { startEmulatedCloud, type EmulatedCloud } from "../../local/cloud";
import { emulatedAppSettings } from "../../local/host/emulated-app";
import { startLocalFunctionsHost, type LocalFunctionsHost } from "../../local/host/functions-host";

let cloud: EmulatedCloud;
let host: LocalFunctionsHost;

beforeAll(async () => {
  // tenant 0: AuditLogsQuery.Read.All · 1: consented before back-fill was enabled (no Graph role) · 2: Exchange's role only
  cloud = await startEmulatedCloud({ tenants: 3, users: 3, graph: { grantedRoles: { 1: [], 2: ["AuditLogsQuery-Exchange.Read.All"] } } });
  host = await startLocalFunctionsHost({ settings: emulatedAppSettings(cloud, { backfill: true }), timerIntervalMs: 60 * 60_000 });
}, 120_000);
afterAll(async () => {
  await host?.close();
  await cloud?.close();
});

async function access(index: number): Promise<TenantAccess> {
  const res = await fetch(`${host.url}/api/operator/tenants?tenant=${cloud.tenants[index].tenantId}`, { headers: { "x-functions-key": host.functionKey } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { tenants: TenantAccess[] }).tenants[0];
}

/** The emulated admin consenting again, now to the app's Graph role too. */
function consentAgain(index: number, graphRoles: string[]): Promise<void> {
  const url = new URL(`${cloud.login}/_emulator/consent/${cloud.tenants[index].tenantId}`);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", ca: readFileSync(cloud.ca, "utf8"), headers: { "content-type": "application/json" } }, (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`consent control answered ${res.statusCode}`))));
    });
    req.on("error", reject);
    req.end(JSON.stringify({ consent: "granted", graphRoles }));
  });
}

test("a tenant consented to AuditLogsQuery.Read.All: back-fill access ready, its Graph token holding the role", async () => {
  const a = await access(0);
  expect(a.backfill).toEqual({ token: { ok: true, roles: ["AuditLogsQuery.Read.All"] }, missingRoles: [], workloadRoles: [], ready: true });
  expect(accessAdvice(a).map((f) => f.code)).not.toContain("MissingGraphRoles");
}, 60_000);

test("a tenant that consented before back-fill was enabled: a Graph token without roles, the role and the consent URL named, the live feed unaffected; consent again fixes it", async () => {
  const before = await access(1);
  // Entra leaves the roles claim out: the live feed's token still has its own roles
  expect(before.token).toEqual({ ok: true, roles: ["ActivityFeed.Read", "ActivityFeed.ReadDlp"] });
  expect(before.missingRoles).toEqual([]);
  expect(before.backfill).toEqual({ token: { ok: true, roles: [] }, missingRoles: ["AuditLogsQuery.Read.All"], workloadRoles: [], ready: false });
  expect(before.advice).toContainEqual(expect.stringMatching(/^Back-fill: the app's Graph token lacks AuditLogsQuery\.Read\.All/));
  const fix = accessAdvice(before).find((f) => f.code === "MissingGraphRoles")!;
  expect(fix.problem).toMatch(/no audit log query role/);
  expect(fix.fix).toMatch(/AuditLogsQuery\.Read\.All of Microsoft Graph .* consent again .*The live feed is not affected/);
  expect(fix.consentUrl).toBe(`https://login.microsoftonline.com/${cloud.tenants[1].tenantId}/adminconsent?client_id=${cloud.tenants[1].clientId}`);

  await consentAgain(1, ["AuditLogsQuery.Read.All"]);
  const after = await access(1);
  expect(after.backfill).toMatchObject({ token: { ok: true, roles: ["AuditLogsQuery.Read.All"] }, missingRoles: [], ready: true });
  expect(accessAdvice(after).map((f) => f.code)).not.toContain("MissingGraphRoles");
}, 60_000);

test("a tenant with a per-workload role only: back-fill access ready, the workload role listed", async () => {
  const a = await access(2);
  expect(a.backfill).toEqual({ token: { ok: true, roles: ["AuditLogsQuery-Exchange.Read.All"] }, missingRoles: [], workloadRoles: ["AuditLogsQuery-Exchange.Read.All"], ready: true });
}, 60_000);

test("a tenant without back-fill enabled: back-fill access null, the live feed checked as before", async () => {
  const off = await startLocalFunctionsHost({ settings: emulatedAppSettings(cloud, { backfill: false }), timerIntervalMs: 60 * 60_000 });
  try {
    const res = await fetch(`${off.url}/api/operator/tenants?tenant=${cloud.tenants[0].tenantId}`, { headers: { "x-functions-key": off.functionKey } });
    const a = ((await res.json()) as { tenants: TenantAccess[] }).tenants[0];
    expect(a.backfill).toBeNull();
    expect(a.token).toMatchObject({ ok: true });
  } finally {
    await off.close();
  }
}, 60_000);
