// The deployment config refuses what cannot deploy, naming the file, the field and the fix; tenants given by primary
// domain are resolved through the OpenID discovery document (a local stand-in of Entra's here).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { stringify } from "yaml";
import { DeploymentConfigError, loadDeploymentConfig, parseDeploymentConfig } from "../../infra/config/load";
import { EXAMPLES } from "./synthesized-stacks";
import { join } from "node:path";

const FILE = "deploy/contoso.yaml";

const valid = () => ({
  platform: {
    tenantId: "11111111-1111-4111-8111-111111111111",
    subscriptionId: "22222222-2222-4222-8222-222222222222",
    location: "westeurope",
    prefix: "contosoal",
    adx: { cluster: { new: { sku: "Dev(No SLA)_Standard_E2a_v4", capacity: 1 } } },
  },
  tenants: [{ tenant: "11111111-1111-4111-8111-111111111111", key: "contoso", displayName: "Contoso", identity: "ownTenant" }] as Array<Record<string, unknown>>,
});

async function problemsOf(config: unknown, opts = {}): Promise<string[]> {
  try {
    await parseDeploymentConfig(typeof config === "string" ? config : stringify(config), FILE, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(DeploymentConfigError);
    expect((e as Error).message).toContain(FILE);
    return (e as DeploymentConfigError).problems;
  }
  throw new Error("the config was accepted");
}

const client = (i: number, extra: Record<string, unknown> = {}) => ({
  tenant: `c0c0c0c0-0000-4000-8000-${String(i).padStart(12, "0")}`,
  key: `client${i}`,
  displayName: `Client ${i}`,
  identity: "msspClient",
  ...extra,
});

test("both examples load, with the defaults filled in", async () => {
  const single = await loadDeploymentConfig(join(EXAMPLES, "single-tenant.yaml"));
  expect(single.tenants.map((t) => [t.key, t.database, t.contentTypes.length])).toEqual([["contoso", "audit_contoso", 5]]);
  expect(single.kqlParameters).toEqual({ retentionDays: 365, hotCacheDays: 31, dedupLookbackDays: 14 });
  const mssp = await loadDeploymentConfig(join(EXAMPLES, "mssp.yaml"));
  expect(mssp.tenants.map((t) => t.identity)).toEqual(["msspClient", "msspClient", "msspClient"]);
});

test("a missing field names the field and where to find its value", async () => {
  const config = valid();
  delete (config.platform as Partial<typeof config.platform>).subscriptionId;
  expect(await problemsOf(config)).toEqual([expect.stringMatching(/^platform\.subscriptionId: is required\. .*az account show/)]);
});

test("a tenant that is neither a GUID nor a domain, an unknown field and a bad key are all reported at once", async () => {
  const config = valid();
  config.tenants[0] = { ...config.tenants[0], tenant: "contoso", key: "Contoso!", colour: "blue" };
  const problems = await problemsOf(config);
  expect(problems).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^tenants\[0\]\.tenant: expected a tenant id \(GUID\) or a primary domain.*Give the tenant's id/),
      expect.stringMatching(/^tenants\[0\]\.key: expected 2-16 lower-case letters/),
      expect.stringMatching(/^tenants\[0\]: unknown field colour\./),
    ]),
  );
});

test("invalid YAML and an unreadable file say so", async () => {
  expect(await problemsOf("platform: [unclosed")).toEqual([expect.stringMatching(/^line \d+: not valid YAML .*Fix the YAML syntax/)]);
  await expect(loadDeploymentConfig("/nonexistent/deploy.yaml")).rejects.toThrow(/cannot read the file \(ENOENT\)\. Pass --config/);
});

test("one analysts group for two clients is refused: it would reach another client's database", async () => {
  const config = valid();
  config.tenants = [client(1, { analystsGroup: { objectId: "0a0a0a0a-0000-4000-8000-000000000001" } }), client(2, { analystsGroup: { objectId: "0A0A0A0A-0000-4000-8000-000000000001" } })];
  expect(await problemsOf(config)).toEqual([expect.stringMatching(/^tenants\.analystsGroup\.objectId: group 0a0a0a0a-.* is the analysts group of more than one tenant\. Give every tenant its own analysts group/)]);
});

test("more than 50 tenants on one cluster is refused with the alternative", async () => {
  const config = valid();
  config.tenants = Array.from({ length: 51 }, (_, i) => client(i + 1));
  expect(await problemsOf(config)).toEqual([
    expect.stringMatching(/^tenants: 51 tenants need 51 Kusto script resources on one cluster, ADX allows at most 50 per cluster\. Split the tenants over several configs.*\.execute database script/),
  ]);
  config.tenants = config.tenants.slice(0, 50);
  await expect(parseDeploymentConfig(stringify(config), FILE)).resolves.toBeDefined();
});

test("GCC High and DoD tenants need their own deployment in Azure Government", async () => {
  const config = valid();
  config.tenants.push(client(1, { cloud: "GCCHigh" }));
  expect(await problemsOf(config)).toEqual([expect.stringMatching(/^tenants\[1\]\.cloud: a GCCHigh tenant cannot be served from the public Azure cloud\. .*own deployment in Azure Government/)]);
});

test("ownTenant must be the platform's tenant, and only one tenant forwards mail access", async () => {
  const config = valid();
  config.tenants = [
    { ...config.tenants[0], tenant: "99999999-9999-4999-8999-999999999999", sentinel: { workspace: "new", forwardMailAccess: true } },
    client(1, { sentinel: { workspace: "new", forwardMailAccess: true } }),
  ];
  const problems = await problemsOf(config);
  expect(problems).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^tenants\[0\]\.identity: ownTenant but the tenant \(9999.*make this tenant msspClient/),
      expect.stringMatching(/^tenants\.sentinel\.forwardMailAccess: 2 tenants \(contoso, client1\) forward .*one Logs Ingestion destination/),
    ]),
  );
});

test("hot cache longer than retention is refused", async () => {
  const config = valid();
  Object.assign(config.platform.adx, { retentionDays: 30, hotCacheDays: 60 });
  expect(await problemsOf(config)).toEqual([expect.stringMatching(/^platform\.adx\.hotCacheDays: 60 exceeds retentionDays \(30\)/)]);
});

describe("tenants given by primary domain", () => {
  let server: Server;
  let authorityHost: string;
  beforeAll(async () => {
    // Entra's discovery answers: the issuer carries the tenant id; an unknown domain gets 400 with AADSTS90002.
    server = createServer((req, res) => {
      const m = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(req.url ?? "");
      if (m?.[1] === "contoso.onmicrosoft.com") {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ issuer: "https://login.microsoftonline.com/11111111-1111-4111-8111-111111111111/v2.0" }));
      } else {
        res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: "invalid_tenant", error_description: "AADSTS90002: Tenant not found." }));
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    authorityHost = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test("resolve to the tenant id from the discovery document", async () => {
    const config = valid();
    config.tenants[0]!.tenant = "contoso.onmicrosoft.com";
    const loaded = await parseDeploymentConfig(stringify(config), FILE, { discovery: { authorityHost } });
    expect(loaded.tenants[0]).toMatchObject({ tenantId: "11111111-1111-4111-8111-111111111111", domain: "contoso.onmicrosoft.com" });
  });

  test("an unknown domain is refused with Entra's code and the id as the way out", async () => {
    const config = valid();
    config.tenants[0]!.tenant = "nosuchtenant.example.com";
    expect(await problemsOf(config, { discovery: { authorityHost } })).toEqual([
      expect.stringMatching(/^tenants\[0\]\.tenant: cannot resolve nosuchtenant\.example\.com to a tenant id: .* answered 400 AADSTS90002 .*give the tenant id \(GUID\) instead/),
    ]);
  });
});
