// `onboard` end to end against the emulated cloud and the local Functions host: a consented client tenant named by its
// domain reaches ready and caught up with every blob it enqueued landed once; a client whose admin has not consented
// times out with the consent URL, then onboards once consent is granted.
import { readFileSync } from "node:fs";
import { CONTENT_TYPES } from "../../functions/src/management-api";
import { ExitCode } from "../../cli/output/exit-codes";
import { startOnboardFixture, type OnboardFixture } from "./onboard-fixture";

let f: OnboardFixture;
beforeAll(async () => {
  f = await startOnboardFixture();
}, 120_000);
afterAll(() => f?.close());

const fast = ["--poll-interval", "0.2", "--catch-up-timeout", "120"];
const consentUrl = (i: 1 | 2) => `https://login.microsoftonline.com/${f.tenant(i).tenantId}/adminconsent?client_id=${f.tenant(i).clientId}`;
const servedTenants = () => (JSON.parse(f.host.settings.AUDIT_LAKE_TENANTS) as Array<{ tenantId: string; database: string }>).map((t) => t.tenantId);

test("a consented client named by its domain is added to the config, deployed to the host and followed until caught up, every blob it enqueued landed once", async () => {
  const config = f.writeConfig("one.yaml");
  const before = readFileSync(config, "utf8");
  const t1 = f.tenant(1);

  const r = await f.cli(["onboard", "--tenant", t1.domain, "--mssp", "--name", "Client One", "--config", config, "--timeout", "30", ...fast, "--json"]);
  expect(r.err).toBe("");
  expect(r.code).toBe(ExitCode.Success);
  const doc = r.json;
  expect(doc).toMatchObject({ ok: true, dryRun: false, tenantId: t1.tenantId, domain: t1.domain, identity: "msspClient", config: { file: config, changed: true }, deployment: { where: "local", applied: [t1.tenantId] } });
  expect(doc.consentUrl).toBeUndefined(); // consented already: nothing to ask the admin

  // the config: every byte the author wrote as it was (comments and their alignment too), the tenant appended
  const after = readFileSync(config, "utf8");
  expect(after).toBe(`${before}  - tenant: ${t1.tenantId} # ${t1.domain}\n    key: ${doc.key}\n    displayName: Client One\n    identity: msspClient\n`);
  expect(servedTenants()).toEqual([f.tenant(0).tenantId, t1.tenantId]);

  // ready, one plan run that enqueued every blob the API offers, then health caught up
  expect(doc.onboarding.access).toMatchObject({ tenantId: t1.tenantId, ready: true, missingRoles: [] });
  expect(doc.onboarding.access.subscriptions.map((s: { status: string }) => s.status)).toEqual(CONTENT_TYPES.map(() => "enabled"));
  expect(doc.onboarding.health).toHaveLength(CONTENT_TYPES.length);
  for (const row of doc.onboarding.health) {
    expect(row).toMatchObject({ tenantId: t1.tenantId, pending: 0, failed: 0 });
    expect(row.lagMinutes).toBeLessThanOrEqual(60);
  }
  // every blob the runs onboarding asked for enqueued landed, once where people read, and each is one the API offers
  const lake = await f.lake(1);
  expect(doc.onboarding.enqueued).toBeGreaterThan(0);
  expect(lake.landed).toHaveLength(doc.onboarding.enqueued);
  expect(new Set(lake.landed).size).toBe(lake.landed.length);
  expect(lake.landed.filter((id) => !lake.available.has(id))).toEqual([]);

  // again: nothing to add, nothing to deploy, the file byte for byte as it was, still caught up
  const again = await f.cli(["onboard", "--tenant", t1.tenantId, "--mssp", "--config", config, "--timeout", "30", ...fast, "--json"]);
  expect(again.code).toBe(ExitCode.Success);
  expect(again.json).toMatchObject({ ok: true, config: { changed: false }, deployment: { where: "local", applied: [] } });
  expect(readFileSync(config, "utf8")).toBe(after);
}, 180_000);

test("a client whose admin has not consented times out with exit 7, AADSTS700016 and the consent URL, and onboards once consent is granted", async () => {
  const config = f.writeConfig("two.yaml");
  const t2 = f.tenant(2);

  const human = await f.cli(["onboard", "--tenant", t2.tenantId, "--mssp", "--config", config, "--timeout", "1.5", ...fast]);
  expect(human.code).toBe(ExitCode.Timeout);
  expect(human.err).toContain(`must consent to the app once, at:\n    ${consentUrl(2)}\n`);
  expect(human.err).toMatch(/^error \[AADSTS700016\]: Tenant .* is not ready after 2 s: the app gets no token \(AADSTS700016/m);
  expect(human.err).toMatch(/next: .*Admin-consent URL: https:\/\/login\.microsoftonline\.com\//);

  const json = await f.cli(["onboard", "--tenant", t2.tenantId, "--mssp", "--config", config, "--timeout", "1", ...fast, "--json"]);
  expect(json.code).toBe(ExitCode.Timeout);
  expect(json.json).toMatchObject({ ok: false, error: { code: "AADSTS700016", exitCode: ExitCode.Timeout } });
  expect(json.json.error.next).toContain(consentUrl(2));
  expect(json.json.error.details).toContain(`admin-consent URL: ${consentUrl(2)}`);

  await f.grantConsent(2);
  const done = await f.cli(["onboard", "--tenant", t2.tenantId, "--mssp", "--config", config, "--timeout", "30", ...fast, "--json"]);
  expect(done.code).toBe(ExitCode.Success);
  expect(done.json).toMatchObject({ ok: true, config: { changed: false }, onboarding: { access: { ready: true } } });
  for (const row of done.json.onboarding.health) expect(row).toMatchObject({ pending: 0, failed: 0 });
}, 180_000);

test("against a host started on its own, onboard cannot change its settings: a tenant it serves onboards, one it does not is exit 5 with the way out", async () => {
  const config = f.writeConfig("detached.yaml");
  const served = await f.cli(["onboard", "--tenant", f.tenant(0).tenantId, "--config", config, "--timeout", "30", ...fast, "--json"], { detached: true });
  expect(served.code).toBe(ExitCode.Success);
  expect(served.json).toMatchObject({ ok: true, identity: "ownTenant", config: { changed: false }, deployment: { where: "local", applied: [] }, onboarding: { access: { ready: true } } });

  const unserved = f.writeConfig("detached-client.yaml");
  const before = readFileSync(unserved, "utf8");
  const settings = f.host.settings.AUDIT_LAKE_TENANTS;
  // a fourth id no emulated host serves
  const stranger = "5e5e5e5e-0000-4000-8000-00000000005e";
  const r = await f.cli(["onboard", "--tenant", stranger, "--mssp", "--config", unserved, "--timeout", "5", ...fast, "--json"], { detached: true });
  expect(r.code).toBe(ExitCode.Prerequisite);
  expect(r.json.error).toMatchObject({ code: "TenantNotServedLocally", message: expect.stringContaining(stranger), next: expect.stringContaining("npm run host -- --tenants") });
  expect(f.host.settings.AUDIT_LAKE_TENANTS).toBe(settings);
  // the tenant is in the config (the deployment's input), so the next run after restarting the host picks up there
  expect(readFileSync(unserved, "utf8")).toContain(`- tenant: ${stranger}`);
  expect(readFileSync(unserved, "utf8").startsWith(before)).toBe(true);
}, 120_000);
