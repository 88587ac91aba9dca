// The admin API through the local Functions host, against the emulated cloud: the function key, tenant access for
// each consent state, a plan run now, requeue.
import { CONTENT_TYPES } from "../../functions/src/management-api";
import { Tables } from "../../kql/tables";
import { twiceInView, viewRows } from "../../local/runner/views";
import { eventually, startHostFixture, type HostFixture } from "./host-fixture";

let f: HostFixture;
beforeAll(async () => {
  f = await startHostFixture();
}, 120_000);
afterAll(() => f?.close());

test("the admin routes and health refuse a caller without the function key or with a wrong one; ?code= is accepted", async () => {
  for (const [method, path] of [["GET", "operator/tenants"], ["POST", "operator/plan"], ["POST", "operator/requeue"], ["GET", "health"]]) {
    expect((await f.call(method, path, { key: null })).status).toBe(401);
    expect((await f.call(method, path, { key: "not-the-key" })).status).toBe(401);
  }
  const res = await fetch(`${f.host.url}/api/operator/tenants?tenant=${f.tenant(0)}&code=${encodeURIComponent(f.host.functionKey)}`);
  expect(res.status).toBe(200);
  // the webhook is anonymous at the host: its own Webhook-AuthID check answers, with a body saying why
  const hook = await f.call("POST", "webhook", { key: null, body: {} });
  expect(hook).toEqual({ status: 401, body: { error: "Webhook-AuthID missing or wrong" } });
  expect((await f.call("GET", "admin/tenants")).status).toBe(404);
});

test("a tenant without consent: no token, AADSTS700016, not ready", async () => {
  const { status, body } = await f.call("GET", `operator/tenants?tenant=${f.tenant(1)}`);
  expect(status).toBe(200);
  expect(body.tenants).toHaveLength(1);
  const access = body.tenants[0];
  expect(access).toMatchObject({ tenantId: f.tenant(1), cloud: "Enterprise", ready: false, token: { ok: false, code: "AADSTS700016" } });
  // Entra's sentence alone: no MSAL wrapping, trace or correlation ids
  expect(access.token.message).toMatch(/^Application with identifier '.+' was not found in the directory '.+'\..*wrong tenant\.$/);
  expect(access.subscriptions.every((s: { status: string }) => s.status === "unknown")).toBe(true);
  expect(access.clientId).toBe(f.cloud.tenants[1].clientId);
});

test("a tenant consented without the app role: a token without roles, both roles missing, the API answers AF10001", async () => {
  const { body } = await f.call("GET", `operator/tenants?tenant=${f.tenant(2)}`);
  const access = body.tenants[0];
  expect(access.token).toEqual({ ok: true, roles: [] });
  expect(access.missingRoles).toEqual(["ActivityFeed.Read", "ActivityFeed.ReadDlp"]);
  expect(access.subscriptions[0]).toMatchObject({ status: "unknown", error: { code: "AF10001" } });
  expect(access.ready).toBe(false);
});

test("plan now for the consented tenant starts its subscriptions and enqueues its week; health then shows it caught up and the tenant ready", async () => {
  const before = await f.call("GET", `operator/tenants?tenant=${f.tenant(0)}`);
  expect(before.body.tenants[0]).toMatchObject({ token: { ok: true, roles: ["ActivityFeed.Read", "ActivityFeed.ReadDlp"] }, missingRoles: [], ready: false });
  expect(before.body.tenants[0].subscriptions.map((s: { status: string }) => s.status)).toEqual(["none", "none", "none", "none", "none"]);

  const plan = await f.call("POST", "operator/plan", { body: { tenantId: f.tenant(0) } });
  expect(plan.status).toBe(200);
  expect(plan.body.results).toHaveLength(5);
  expect(plan.body.results.every((r: { tenantId: string; error?: unknown }) => r.tenantId === f.tenant(0) && !r.error)).toBe(true);
  const enqueued = plan.body.results.reduce((n: number, r: { enqueued: number }) => n + r.enqueued, 0);
  const available = CONTENT_TYPES.reduce((n, ct) => n + f.cloud.truth.availableBlobs(f.tenant(0), ct).length, 0);
  expect(enqueued).toBeGreaterThan(0);
  expect(enqueued).toBe(available);

  const health = await eventually(async () => {
    const h = await f.call("GET", "health");
    const rows = h.body.tenants.filter((t: { tenantId: string }) => t.tenantId === f.tenant(0));
    return rows.every((t: { pending: number; lagMinutes: number | null }) => t.pending === 0 && t.lagMinutes !== null && t.lagMinutes < 60) ? rows : undefined;
  }, "tenant 0 to catch up");
  expect(health).toHaveLength(5);
  const after = await f.call("GET", `operator/tenants?tenant=${f.tenant(0)}`);
  expect(after.body.tenants[0]).toMatchObject({ ready: true, lastPlanError: null, advice: [] });
}, 120_000);

test("requeue re-admits a failed blob once however many requeues race, and it lands once in the views", async () => {
  await f.cloud.adxStore.idle();
  const db = f.cloud.tenants[0].database;
  const landed = f.cloud.adxStore.rows(db, Tables.ledger);
  const blob = landed.find((r) => r.TenantId === f.tenant(0))!;
  const { ContentLedger, LEDGER_TABLE } = await import("../../functions/src/state/content-ledger");
  const { TableClient } = await import("@azure/data-tables");
  const ledger = new ContentLedger(TableClient.fromConnectionString(f.cloud.storage.connectionString, LEDGER_TABLE, { allowInsecureConnection: true }));
  const entry = (await ledger.get({ tenantId: f.tenant(0), contentType: String(blob.ContentType), contentId: String(blob.ContentId), contentCreated: new Date(String(blob.ContentCreated)).toISOString() }))!;
  expect(entry.state).toBe("ingested");
  // what the worker's quarantine writes when a blob fails for good
  await ledger.markFailed(entry, "ReplayTest", "quarantined to exercise requeue", 5);

  const dry = await f.call("POST", "operator/requeue", { body: { tenantId: f.tenant(0), select: "failed", dryRun: true } });
  expect(dry.body).toEqual({ requeued: 1, skipped: [], dryRun: true });
  const racing = await Promise.all([1, 2, 3].map(() => f.call("POST", "operator/requeue", { body: { tenantId: f.tenant(0), select: "failed" } })));
  expect(racing.map((r) => r.status)).toEqual([200, 200, 200]);
  expect(racing.reduce((n, r) => n + r.body.requeued, 0)).toBe(1);

  await eventually(async () => ((await ledger.get(entry))?.state === "ingested" ? true : undefined), "the requeued blob to be ingested again");
  await f.cloud.adxStore.idle();
  const ledgerRows = f.cloud.adxStore.rows(db, Tables.ledger).filter((r) => r.ContentId === blob.ContentId);
  expect(ledgerRows.length).toBe(2); // landed again...
  expect(viewRows(Tables.ledger, ledgerRows)).toHaveLength(1); // ...and once where people read
  for (const table of [Tables.unifiedAudit, Tables.accessMail]) expect(twiceInView(table, f.cloud.adxStore.rows(db, table))).toBe(0);
}, 120_000);

test("bad input is refused with the field named; an unknown tenant is 404", async () => {
  const unknown = await f.call("POST", "operator/requeue", { body: { tenantId: "00000000-0000-4000-8000-000000000999", select: "failed" } });
  expect(unknown.status).toBe(404);
  expect(unknown.body.error).toMatchObject({ code: "UnknownTenant", message: expect.stringContaining("00000000-0000-4000-8000-000000000999"), advice: expect.any(String) });
  // the answer lists none of the app's tenants: whoever asks learns only that this id is not theirs
  for (const i of [0, 1, 2] as const) expect(JSON.stringify(unknown.body)).not.toContain(f.tenant(i));
  expect((await f.call("GET", "operator/tenants?tenant=nobody")).status).toBe(404);

  const badDate = await f.call("POST", "operator/requeue", { body: { tenantId: f.tenant(0), select: "failed", from: "yesterday" } });
  expect(badDate.status).toBe(400);
  expect(badDate.body.error).toMatchObject({ code: "BadRequest", message: expect.stringMatching(/^from: /) });
  const backwards = await f.call("POST", "operator/requeue", { body: { tenantId: f.tenant(0), select: "failed", from: "2026-11-28T00:00:00Z", to: "2026-11-27T00:00:00Z" } });
  expect(backwards.body.error.message).toMatch(/^to: must be after from/);
  const badSelect = await f.call("POST", "operator/requeue", { body: { tenantId: f.tenant(0), select: "everything" } });
  expect(badSelect.body.error.message).toMatch(/^select: /);
  const notJson = await fetch(`${f.host.url}/api/operator/plan`, { method: "POST", headers: { "x-functions-key": f.host.functionKey }, body: "{" });
  expect(notJson.status).toBe(400);
});

test("the CLI reaches a plain-http host on loopback (the local host) with the key from the environment", async () => {
  const { runCli } = await import("../../cli/main");
  let out = "";
  const io = { interactive: false, stdout: (t: string) => void (out += t), stderr: () => undefined };
  const code = await runCli(["status", "--tenant", f.tenant(1), "--json"], { io, env: { M365_AUDIT_LAKE_APP_URL: f.host.url, M365_AUDIT_LAKE_FUNCTION_KEY: f.host.functionKey } });
  expect(code).toBe(1); // the tenant without consent is not ready
  expect(JSON.parse(out).tenants[0]).toMatchObject({ tenantId: f.tenant(1), ready: false, fixes: [expect.objectContaining({ code: "AADSTS700016" })] });
});

test("changing the running host's app settings (a deploy) changes the tenants the app serves, from the next call on", async () => {
  const all = f.host.settings.AUDIT_LAKE_TENANTS;
  const tenants = JSON.parse(all) as Array<{ tenantId: string }>;
  try {
    f.host.updateSettings({ AUDIT_LAKE_TENANTS: JSON.stringify(tenants.filter((t) => t.tenantId !== f.tenant(2))) });
    const { body } = await f.call("GET", "operator/tenants");
    expect(body.tenants.map((t: { tenantId: string }) => t.tenantId).sort()).toEqual([f.tenant(0), f.tenant(1)].sort());
    expect((await f.call("GET", `operator/tenants?tenant=${f.tenant(2)}`)).status).toBe(404);
  } finally {
    f.host.updateSettings({ AUDIT_LAKE_TENANTS: all });
  }
  expect((await f.call("GET", `operator/tenants?tenant=${f.tenant(2)}`)).status).toBe(200);
});

test("requeue leaves a failed blob whose contentExpiration has passed: the API no longer serves it, so it is counted as skipped", async () => {
  const { ContentLedger, LEDGER_TABLE } = await import("../../functions/src/state/content-ledger");
  const { TableClient } = await import("@azure/data-tables");
  const ledger = new ContentLedger(TableClient.fromConnectionString(f.cloud.storage.connectionString, LEDGER_TABLE, { allowInsecureConnection: true }));
  const now = Date.now();
  const gone = {
    tenantId: f.tenant(0),
    contentType: "Audit.General",
    contentId: "20261124000000000000000000000000$expired-for-requeue",
    contentUri: `${f.cloud.managementApi}/api/v1.0/${f.tenant(0)}/activity/feed/audit/expired-for-requeue`,
    contentCreated: new Date(now - 7 * 24 * 3600_000 + 3600_000).toISOString(),
    contentExpiration: new Date(now - 60_000).toISOString(),
  };
  await ledger.markFailed(gone, "ReplayTest", "quarantined, then expired", 5);
  const { body } = await f.call("POST", "operator/requeue", { body: { tenantId: f.tenant(0), select: "failed" } });
  expect(body).toEqual({ requeued: 0, skipped: [{ reason: expect.stringMatching(/^contentExpiration passed/), count: 1 }], dryRun: false });
  expect((await ledger.get(gone))!.state).toBe("failed");
});
