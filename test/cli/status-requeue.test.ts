// `status` and `requeue` against the local Functions host (HTTPS, per-run CA) over the emulated cloud's three tenants:
// consented, without consent, consented without the app role. The app is found both ways: --app-url/--function-key,
// and as in Azure through Resource Manager (defaultHostName + listkeys).
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, type CliEnvironment } from "../../cli/main";
import type { CommandIo } from "../../cli/output/command-io";
import { ExitCode } from "../../cli/output/exit-codes";
import { ContentLedger, LEDGER_TABLE } from "../../functions/src/state/content-ledger";
import { TableClient } from "@azure/data-tables";
import { startResourceManagerEmulator, type ResourceManagerEmulator } from "../../local/resource-manager";
import { createLocalTls, type LocalTls } from "../../local/tls";
import { eventually, startHostFixture, type HostFixture } from "../host/host-fixture";

function capture(): CommandIo & { out: string; err: string } {
  const io = { out: "", err: "", interactive: false, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

const SUBSCRIPTION = "6f1c2a8e-0000-4000-8000-00000000a11c";
let dir: string;
let tls: LocalTls;
let f: HostFixture;
let rm: ResourceManagerEmulator;
let app: string[];
let foreign: Server;
let foreignConnections = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cli-status-"));
  tls = await createLocalTls(join(dir, "ca.pem"));
  f = await startHostFixture({ tls });
  foreign = createServer((socket) => {
    foreignConnections++;
    socket.destroy();
  });
  await new Promise<void>((r) => foreign.listen(0, "127.0.0.2", r));
  const foreignHost = `127.0.0.2:${(foreign.address() as { port: number }).port}`;
  rm = await startResourceManagerEmulator({
    tls,
    dataDir: dir,
    sites: [
      { subscriptionId: SUBSCRIPTION, resourceGroup: "rg-audit-lake", name: "func-audit-lake", app: { host: f.host.host, functionKey: f.host.functionKey } },
      // a tampered site: its defaultHostName is a host outside the cloud
      { subscriptionId: SUBSCRIPTION, resourceGroup: "rg-audit-lake", name: "func-tampered", app: { host: f.host.host, functionKey: f.host.functionKey }, names: { defaultHost: foreignHost } },
    ],
  });
  app = ["--app-url", f.host.url, "--function-key", f.host.functionKey, "--ca-file", tls.caPath];
}, 120_000);
afterAll(async () => {
  await rm?.close();
  await new Promise((r) => foreign?.close(r));
  await f?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[], env: Partial<CliEnvironment> = {}): Promise<{ code: number; doc: any; out: string; err: string }> {
  const io = capture();
  const code = await runCli(args, { io, env: {}, ...env });
  let doc: unknown = null;
  try {
    doc = JSON.parse(io.out);
  } catch {
    // human output
  }
  return { code, doc, out: io.out, err: io.err };
}

test("status --json before any plan run: each tenant's access problem with its fix, none ready, exit 1", async () => {
  const { code, doc } = await cli(["status", "--json", ...app]);
  expect(code).toBe(ExitCode.Failed);
  expect(doc.ok).toBe(true);
  expect(doc.backfills).toEqual([]); // the app has the back-fill route and no job yet
  expect(doc.activity).toBeNull();
  const byId = Object.fromEntries(doc.tenants.map((t: { tenantId: string }) => [t.tenantId, t]));
  expect(Object.keys(byId).sort()).toEqual([f.tenant(0), f.tenant(1), f.tenant(2)].sort());

  const noConsent = byId[f.tenant(1)];
  expect(noConsent).toMatchObject({ ready: false, access: { token: { ok: false, code: "AADSTS700016" } } });
  expect(noConsent.fixes).toEqual([
    expect.objectContaining({ code: "AADSTS700016", consentUrl: `https://login.microsoftonline.com/${f.tenant(1)}/adminconsent?client_id=${f.cloud.tenants[1].clientId}` }),
  ]);

  const noRole = byId[f.tenant(2)];
  expect(noRole.access.missingRoles).toEqual(["ActivityFeed.Read", "ActivityFeed.ReadDlp"]);
  expect(noRole.fixes).toHaveLength(1);
  expect(noRole.fixes[0]).toMatchObject({ code: "MissingRoles", fix: expect.stringContaining("ActivityFeed.Read and ActivityFeed.ReadDlp") });

  const notPlanned = byId[f.tenant(0)];
  expect(notPlanned.ready).toBe(false);
  expect(notPlanned.fixes.map((x: { code: string }) => x.code)).toEqual(["AF20022"]);
  expect(notPlanned.contentTypes).toHaveLength(5);
  expect(notPlanned.contentTypes.every((c: { lagMinutes: unknown }) => c.lagMinutes === null)).toBe(true);
});

test("the human status names the consent URL and the role to grant", async () => {
  const { code, out } = await cli(["status", ...app]);
  expect(code).toBe(ExitCode.Failed);
  expect(out).toContain(`tenant ${f.tenant(1)} (Enterprise): NOT READY`);
  expect(out).toContain(`admin consent: https://login.microsoftonline.com/${f.tenant(1)}/adminconsent?client_id=${f.cloud.tenants[1].clientId}`);
  expect(out).toMatch(/fix \[MissingRoles\].*\n.*Add the application permission\(s\) ActivityFeed\.Read and ActivityFeed\.ReadDlp/);
  expect(out).toContain("back-fills   none running");
});

test("after a plan run the consented tenant is ready, caught up, and status counts the last day's records per operation from the lake", async () => {
  const before = await cli(["requeue", "--tenant", f.tenant(0), "--dry-run", "--json", ...app]);
  expect(before.doc).toMatchObject({ ok: true, requeued: 0, dryRun: true });

  // the host is HTTPS here: the plan run goes through the CLI's admin client, as onboarding's would
  const { AdminClient } = await import("../../cli/app/admin-client");
  const client = new AdminClient({ url: f.host.url, functionKey: f.host.functionKey, caPem: tls.caPem });
  const planned = await client.plan(f.tenant(0));
  expect(planned.results.filter((r) => r.error)).toEqual([]);
  await eventually(async () => {
    const h = await client.health();
    return h.tenants.filter((t) => t.tenantId === f.tenant(0)).every((t) => t.pending === 0 && t.lagMinutes !== null) ? true : undefined;
  }, "tenant 0 to catch up");
  await f.cloud.adxStore.idle();

  const db = f.cloud.tenants[0].database;
  const { code, doc } = await cli(["status", "--tenant", f.tenant(0), "--json", "--local", f.cloud.dataDir, "--database", db, ...app]);
  expect(code).toBe(ExitCode.Success);
  expect(doc.tenants).toHaveLength(1);
  expect(doc.tenants[0]).toMatchObject({ tenantId: f.tenant(0), ready: true, fixes: [] });
  expect(doc.tenants[0].contentTypes.every((c: { pending: number; failed: number; lagMinutes: number }) => c.pending === 0 && c.failed === 0 && c.lagMinutes < 60)).toBe(true);
  expect(doc.activity.where).toContain(db);
  const ops = doc.activity.operations as Array<{ workload: string; operation: string; records: number }>;
  expect(ops.find((o) => o.workload === "Exchange" && o.operation === "MailItemsAccessed")?.records).toBeGreaterThan(0);
  // only the last day: fewer records than the week that landed
  const landedAudit = new Set(f.cloud.adxStore.rows(db, "microsoft_unified_audit").map((r) => r.Id)).size;
  const counted = ops.reduce((n, o) => n + o.records, 0);
  expect(counted).toBeGreaterThan(0);
  expect(counted).toBeLessThan(landedAudit);
}, 180_000);

test("status --check before the other tenants are fixed: one line per problem with its fix, exit 1; --json lists them", async () => {
  const human = await cli(["status", "--check", ...app]);
  expect(human.code).toBe(ExitCode.Failed);
  const lines = human.out.trim().split("\n");
  expect(lines).toEqual(
    expect.arrayContaining([
      expect.stringMatching(new RegExp(`^${f.tenant(1)} \\[AADSTS700016\\] .* — fix: .*Admin consent: https://login\\.microsoftonline\\.com/${f.tenant(1)}/adminconsent`)),
      expect.stringMatching(new RegExp(`^${f.tenant(2)} \\[MissingRoles\\] .* — fix: Add the application permission`)),
    ]),
  );
  // a tenant the app cannot read is one line, not one per content type
  expect(lines.filter((l) => l.startsWith(f.tenant(1)))).toHaveLength(1);
  expect(lines.every((l) => l.includes(" — fix: "))).toBe(true);

  const json = await cli(["status", "--check", "--json", ...app]);
  expect(json.code).toBe(ExitCode.Failed);
  expect(json.doc.problems.map((p: { tenantId: string; code: string }) => `${p.tenantId} ${p.code}`)).toEqual(
    expect.arrayContaining([`${f.tenant(1)} AADSTS700016`, `${f.tenant(2)} MissingRoles`]),
  );
  expect(json.doc.problems.some((p: { tenantId: string }) => p.tenantId === f.tenant(0))).toBe(false); // caught up above

  const healthy = await cli(["status", "--check", "--tenant", f.tenant(0), ...app]);
  expect(healthy.code).toBe(ExitCode.Success);
  expect(healthy.out.trim()).toBe(`OK ${f.host.url}: no problem found.`);

  const badLag = await cli(["status", "--check", "--max-lag", "soon", "--json", ...app]);
  expect(badLag.code).toBe(ExitCode.Usage);
  expect(badLag.doc.error.message).toMatch(/^--max-lag: /);
});

test("requeue --failed re-admits a quarantined blob once: --dry-run counts it, the run requeues it, a second run finds nothing", async () => {
  const ledger = new ContentLedger(TableClient.fromConnectionString(f.cloud.storage.connectionString, LEDGER_TABLE, { allowInsecureConnection: true }));
  const row = f.cloud.adxStore.rows(f.cloud.tenants[0].database, "ingestion_ledger")[0];
  const entry = (await ledger.get({ tenantId: f.tenant(0), contentType: String(row.ContentType), contentId: String(row.ContentId), contentCreated: new Date(String(row.ContentCreated)).toISOString() }))!;
  await ledger.markFailed(entry, "ReplayTest", "quarantined to exercise requeue", 5);

  const dry = await cli(["requeue", "--tenant", f.tenant(0), "--failed", "--dry-run", "--json", ...app]);
  expect(dry.code).toBe(ExitCode.Success);
  expect(dry.doc).toMatchObject({ ok: true, tenantId: f.tenant(0), select: "failed", requeued: 1, dryRun: true });
  expect((await ledger.get(entry))!.state).toBe("failed"); // the dry run changed nothing

  const run = await cli(["requeue", "--tenant", f.tenant(0), "--failed", ...app]);
  expect(run.code).toBe(ExitCode.Success);
  expect(run.out).toContain(`${f.tenant(0)}: requeued 1 failed blob(s).`);
  const again = await cli(["requeue", "--tenant", f.tenant(0), "--json", ...app]);
  expect(again.doc.requeued).toBe(0);
  // nothing of a freshly landed week is near expiry; the spelling selects the same
  for (const flag of ["--expiring", "--expired-soon"]) {
    const expiring = await cli(["requeue", "--tenant", f.tenant(0), flag, "--dry-run", "--json", ...app]);
    expect(expiring.doc).toMatchObject({ ok: true, select: "expiring", requeued: 0, dryRun: true });
  }
  await eventually(async () => ((await ledger.get(entry))?.state === "ingested" ? true : undefined), "the requeued blob to land");
}, 120_000);

test("in Azure's way: the app's URL from the site's defaultHostName and its key from listkeys", async () => {
  const azure = { credential: () => rm.credential(), resourceManager: rm.url, caPem: tls.caPem };
  const { code, doc } = await cli(["status", "--tenant", f.tenant(0), "--json", "--subscription", SUBSCRIPTION, "--resource-group", "rg-audit-lake", "--site", "func-audit-lake"], { azure });
  expect(code).toBe(ExitCode.Success);
  expect(doc.app).toBe(`https://${f.host.host}`);
  expect(rm.requests).toEqual(expect.arrayContaining([expect.stringMatching(/^POST .*\/sites\/func-audit-lake\/host\/default\/listkeys 200$/)]));
  const missing = await cli(["status", "--json", "--subscription", SUBSCRIPTION, "--resource-group", "rg-audit-lake", "--site", "no-such-app"], { azure });
  expect(missing.code).toBe(ExitCode.NotFound);
});

test("the function key goes to no host outside the cloud: a site whose defaultHostName is foreign is refused before its keys are read", async () => {
  const azure = { credential: () => rm.credential(), resourceManager: rm.url, caPem: tls.caPem };
  const before = rm.requests.length;
  const { code, doc } = await cli(["status", "--json", "--subscription", SUBSCRIPTION, "--resource-group", "rg-audit-lake", "--site", "func-tampered"], { azure });
  expect(code).toBe(ExitCode.Failed);
  expect(doc.error.code).toBe("HostNotAllowed");
  expect(doc.error.message).toMatch(/defaultHostName/);
  expect(foreignConnections).toBe(0);
  expect(rm.requests.slice(before).filter((r) => /listkeys/.test(r))).toEqual([]);
});

test("bad input exits 2 naming the flag; a wrong key exits 3", async () => {
  const unknown = await cli(["status", "--tenant", "00000000-0000-4000-8000-000000000999", "--json", ...app]);
  expect(unknown.code).toBe(ExitCode.Usage);
  expect(unknown.doc.error.message).toMatch(/^--tenant 00000000-0000-4000-8000-000000000999: /);
  const unknownRequeue = await cli(["requeue", "--tenant", "00000000-0000-4000-8000-000000000999", "--json", ...app]);
  expect(unknownRequeue.code).toBe(ExitCode.Usage);

  const badDate = await cli(["requeue", "--tenant", f.tenant(0), "--from", "yesterday", "--json", ...app]);
  expect(badDate.code).toBe(ExitCode.Usage);
  expect(badDate.doc.error.message).toMatch(/^--from: "yesterday" is not a time/);
  const backwards = await cli(["requeue", "--tenant", f.tenant(0), "--from", "2026-11-28T00:00:00Z", "--to", "2026-11-27T00:00:00Z", "--json", ...app]);
  expect(backwards.doc.error.message).toMatch(/^--to: /);
  expect((await cli(["requeue", "--tenant", f.tenant(0), "--failed", "--expiring", "--json", ...app])).code).toBe(ExitCode.Usage);
  expect((await cli(["requeue", "--tenant", "not a tenant", "--json", ...app])).code).toBe(ExitCode.Usage);

  const noApp = await cli(["status", "--json"]);
  expect(noApp.code).toBe(ExitCode.Usage);
  expect(noApp.doc.error.message).toMatch(/^--app-url: /);
  const noKey = await cli(["status", "--json", "--app-url", f.host.url]);
  expect(noKey.doc.error.message).toMatch(/^--function-key: /);
  const fromEnv = await cli(["status", "--tenant", f.tenant(0), "--json", "--ca-file", tls.caPath], { env: { M365_AUDIT_LAKE_APP_URL: f.host.url, M365_AUDIT_LAKE_FUNCTION_KEY: f.host.functionKey } });
  expect(fromEnv.code).toBe(ExitCode.Success);

  const wrongKey = await cli(["status", "--json", "--app-url", f.host.url, "--function-key", "wrong", "--ca-file", tls.caPath]);
  expect(wrongKey.code).toBe(ExitCode.Auth);
  expect(wrongKey.doc.error.code).toBe("FunctionKeyRefused");
});

test("--help of status and requeue documents every option and the exit codes", async () => {
  for (const [command, options] of [
    ["status", ["--tenant <id|domain>", "--check", "--max-lag <minutes>", "--local <data dir>", "--cluster <url>", "--database <name>", "--app-url <url>", "--function-key <key>", "--subscription <id>", "--resource-group <name>", "--site <name>", "--ca-file <pem>", "--json"]],
    ["requeue", ["--tenant <id|domain>", "--failed", "--expiring", "--from <time>", "--to <time>", "--app-url <url>", "--function-key <key>", "--dry-run", "--json"]],
  ] as const) {
    const { code, out } = await cli([command, "--help"]);
    expect(code).toBe(ExitCode.Success);
    for (const option of options) expect(out).toContain(option);
    expect(out).toMatch(/Examples:\n  m365-audit-lake /);
    expect(out).toMatch(/Exit codes: 0 /);
  }
  const root = await cli(["--help"]);
  for (const command of ["status", "requeue"]) expect(root.out).toMatch(new RegExp(`^  ${command}\\b`, "m"));
});
