// `rollout` end to end: an MSSP config with the platform's own tenant and two clients, one of whose admins has not
// consented. One deployment adds both clients to the local host; the consented tenants onboard and catch up, the
// unconsented one is reported with its consent URL without stopping the others, and the exit code is non-zero.
import { readFileSync } from "node:fs";
import { ExitCode } from "../../cli/output/exit-codes";
import { startOnboardFixture, type OnboardFixture } from "./onboard-fixture";

let f: OnboardFixture;
beforeAll(async () => {
  f = await startOnboardFixture();
}, 120_000);
afterAll(() => f?.close());

// one --timeout for every client: long enough for the consented ones to start their subscriptions on a loaded machine
const fast = ["--poll-interval", "0.2", "--timeout", "20", "--catch-up-timeout", "120"];

test("rollout across three tenants: two onboard and catch up with every enqueued blob landed once, the unconsented one is reported with its consent URL, exit 1 (--json table)", async () => {
  const config = f.writeConfig("mssp.yaml", true);
  const before = readFileSync(config);
  const [t0, t1, t2] = [f.tenant(0), f.tenant(1), f.tenant(2)];

  const r = await f.cli(["rollout", "--config", config, "--clients", `home,clientone,${t2.domain}`, "--parallel", "2", ...fast, "--json"]);
  expect(r.err).toBe("");
  expect(r.code).toBe(ExitCode.Failed);
  const doc = r.json;
  expect(doc).toMatchObject({ ok: false, dryRun: false, config, deployment: { where: "local", applied: [t1.tenantId, t2.tenantId] } });
  expect(doc.clients.map((c: { key: string; tenantId: string; ok: boolean }) => [c.key, c.tenantId, c.ok])).toEqual([
    ["home", t0.tenantId, true],
    ["clientone", t1.tenantId, true],
    ["clienttwo", t2.tenantId, false],
  ]);
  for (const [i, c] of [[0, doc.clients[0]], [1, doc.clients[1]]] as const) {
    expect(c).toMatchObject({ pending: 0, failed: 0 });
    expect(c.lagMinutes).toBeLessThanOrEqual(60);
    expect(c.error).toBeUndefined();
    // every blob the rollout's plan runs enqueued landed, once where people read, and each is one the API offers
    const lake = await f.lake(i);
    expect(c.enqueued).toBeGreaterThan(0);
    expect(lake.landed).toHaveLength(c.enqueued);
    expect(lake.landed.filter((id) => !lake.available.has(id))).toEqual([]);
  }
  const failed = doc.clients[2];
  const consentUrl = `https://login.microsoftonline.com/${t2.tenantId}/adminconsent?client_id=${t2.clientId}`;
  expect(failed.consentUrl).toBe(consentUrl);
  expect(failed.error).toMatchObject({ code: "AADSTS700016", exitCode: ExitCode.Timeout });
  expect(failed.error.next).toContain(consentUrl);
  // the rollout reads the config; it never writes it
  expect(readFileSync(config).equals(before)).toBe(true);

  // the human table of the same state: consent granted meanwhile, only the client that failed is named
  await f.grantConsent(2);
  const again = await f.cli(["rollout", "--config", config, "--clients", "clienttwo", ...fast]);
  expect(again.code).toBe(ExitCode.Success);
  expect(again.out).toMatch(/^Rollout of .*mssp\.yaml: 1 of 1 client\(s\) onboarded \(deployment: local\)\.\n {2}client +tenant +result +enqueued +pending +failed +lag min\n {2}clienttwo +\S+ +onboarded +\d+ +0 +0 +\d+\n?$/);
  expect(again.err).toContain("[clienttwo] ==> access");
}, 240_000);

test("rollout refuses an unknown client and a config without clients before deploying anything", async () => {
  const config = f.writeConfig("mssp-bad.yaml", true);
  const unknown = await f.cli(["rollout", "--config", config, "--clients", "clientone,nobody", "--json"]);
  expect(unknown.code).toBe(ExitCode.Usage);
  expect(unknown.json.error).toMatchObject({ code: "UnknownClient", message: expect.stringContaining("'nobody'"), next: expect.stringContaining("home, clientone, clienttwo") });

  const single = f.writeConfig("single.yaml");
  const none = await f.cli(["rollout", "--config", single, "--json"]);
  expect(none.code).toBe(ExitCode.Usage);
  expect(none.json.error.code).toBe("NoClients");
  expect(none.json.error.next).toMatch(/onboard --mssp/);

  const dry = await f.cli(["rollout", "--config", config, "--dry-run", "--json"]);
  expect(dry.code).toBe(ExitCode.Success);
  expect(dry.json.clients.map((c: { key: string }) => c.key)).toEqual(["clientone", "clienttwo"]);
  expect(dry.json.plan[0]).toMatch(/^add .* to the local Functions host's AUDIT_LAKE_TENANTS/);
});
