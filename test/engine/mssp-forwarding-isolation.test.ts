// MSSP isolation of mail-access forwarding, end to end: the MSSP example's config → AUDIT_LAKE_TENANTS (as the platform
// stack writes it) → the worker, against the emulated cloud. Only Tailspin forwards, to its own workspace: no row of
// Northwind or Woodgrove may reach that stream.
import { join } from "node:path";
import { Tables } from "../../kql/tables";
import { engineTenants } from "../../infra/config/engine-settings";
import { loadDeploymentConfig } from "../../infra/config/load";
import { EXAMPLES } from "../infra/synthesized-stacks";
import { startFixture, tenantEntry, type Fixture } from "./engine-fixture";

let f: Fixture;

beforeAll(async () => {
  f = await startFixture({ seed: 23, tenants: 3 });
}, 120_000);
afterAll(async () => {
  await f?.close();
});

test("with mssp.yaml, the Sentinel stream holds every mail-access row of the forwarding client and none of the others'", async () => {
  const config = await loadDeploymentConfig(join(EXAMPLES, "mssp.yaml"));
  const entries = engineTenants(config, { identityClientId: "44444444-4444-4444-8444-444444444444", msspAppClientId: "55555555-5555-4555-8555-555555555555" });
  expect(config.tenants.map((t) => t.key)).toEqual(["northwind", "tailspin", "woodgrove"]);
  expect(entries.map((e) => e.forwardMailAccess ?? false)).toEqual([false, true, false]);

  // Client k of the example is emulated tenant k: its credentials are the emulator's, its forwarding flag the example's.
  const lane = await f.lane(0, {
    SENTINEL_DCE_URI: f.cloud.logsIngestion,
    SENTINEL_DCR_ID: f.cloud.sentinel.dcrImmutableId,
    SENTINEL_STREAM: f.cloud.sentinel.streamName,
    SENTINEL_CA_FILE: f.cloud.ca,
  });
  const tenants = [0, 1, 2].map((k) => ({
    ...tenantEntry(f.cloud, k),
    contentTypes: ["Audit.Exchange"],
    ...(entries[k]!.forwardMailAccess ? { forwardMailAccess: true } : {}),
  }));
  const engine = lane.engine({ settings: { AUDIT_LAKE_TENANTS: JSON.stringify(tenants) } });
  await lane.planUntilQuiet(engine);
  const stats = await lane.drain(engine);
  expect(stats.failedAttempts).toBe(0);

  await f.cloud.adxStore.idle();
  const key = (r: Record<string, unknown>) => `${r.RecordId}|${r.InternetMessageId}|${r.FolderPath}`;
  const byClient = f.cloud.tenants.slice(0, 3).map((t) => (f.cloud.adxStore.rows(t.database, Tables.accessMail) as Record<string, unknown>[]).map(key));
  for (const rows of byClient) expect(rows.length).toBeGreaterThan(0);
  const inSentinel = (f.cloud.logsStore.rows(f.cloud.sentinel.streamName) as Record<string, unknown>[]).map(key);

  expect(inSentinel.sort()).toEqual([...byClient[1]!].sort());
  const sentinel = new Set(inSentinel);
  expect({ northwind: byClient[0]!.filter((k) => sentinel.has(k)), woodgrove: byClient[2]!.filter((k) => sentinel.has(k)) }).toEqual({ northwind: [], woodgrove: [] });
}, 240_000);
