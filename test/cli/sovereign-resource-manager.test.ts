// Publishing to a GCC High / DoD deployment: US Government Resource Manager refuses a management.azure.com token, so
// the endpoint and the token's audience follow the deployment config's platform.azureCloud, for every tenant cloud.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RESOURCE_MANAGER, ResourceManagerHttp, serviceError } from "../../cli/deploy/resource-manager-pipeline";
import { startResourceManagerEmulator, type ResourceManagerEmulator } from "../../local/resource-manager";
import { createLocalTls } from "../../local/tls";

const SUBSCRIPTION = "6f1c2a8e-0000-4000-8000-00000000a11c";
let dir: string;
let caPem: string;
let gov: ResourceManagerEmulator;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sovereign-rm-"));
  const tls = await createLocalTls(join(dir, "ca.pem"));
  caPem = tls.caPem;
  gov = await startResourceManagerEmulator({ tls, dataDir: dir, cloud: "usgovernment", sites: [{ subscriptionId: SUBSCRIPTION, resourceGroup: "rg", name: "agency-func" }] });
}, 60_000);
afterAll(async () => {
  await gov?.close();
  rmSync(dir, { recursive: true, force: true });
});

const sitePath = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Web/sites/agency-func?api-version=2024-04-01`;

test("each tenant cloud's deployment gets its own Resource Manager and token audience", () => {
  // platform.azureCloud: public serves Enterprise and GCC tenants, usgovernment GCC High and DoD (infra/config/schema.ts).
  const byTenantCloud = { Enterprise: "public", GCC: "public", GCCHigh: "usgovernment", DoD: "usgovernment" } as const;
  const seen = Object.fromEntries(Object.entries(byTenantCloud).map(([t, c]) => [t, RESOURCE_MANAGER[c]]));
  expect(seen).toEqual({
    Enterprise: { endpoint: "https://management.azure.com", scope: "https://management.azure.com/.default" },
    GCC: { endpoint: "https://management.azure.com", scope: "https://management.azure.com/.default" },
    GCCHigh: { endpoint: "https://management.usgovcloudapi.net", scope: "https://management.usgovcloudapi.net/.default" },
    DoD: { endpoint: "https://management.usgovcloudapi.net", scope: "https://management.usgovcloudapi.net/.default" },
  });
  expect(new ResourceManagerHttp({ credential: gov.credential(), cloud: "usgovernment" }).endpoint).toBe("https://management.usgovcloudapi.net");
});

test("US Government Resource Manager accepts the usgovcloudapi token and refuses a management.azure.com one", async () => {
  const asGov = new ResourceManagerHttp({ credential: gov.credential(), cloud: "usgovernment", endpoint: gov.url, caPem });
  expect((await asGov.send("GET", `${gov.url}${sitePath}`)).status).toBe(200);

  const asPublic = new ResourceManagerHttp({ credential: gov.credential(), endpoint: gov.url, caPem, maxRetries: 0 });
  const refused = await asPublic.send("GET", `${gov.url}${sitePath}`);
  expect(refused.status).toBe(401);
  expect(serviceError(refused).code).toBe("InvalidAuthenticationTokenAudience");
});
