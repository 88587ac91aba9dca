// The paths the examples do not take: an existing ADX cluster, Azure Government, and a tenant given by domain.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { resourcesOf, synthesizeExample, type SynthesizedExample, type TerraformJson } from "./synthesized-stacks";

const GOV_TENANT = "0d0d0d0d-0000-4000-8000-00000000000d";
let dir: string;
let server: Server;
let gov: SynthesizedExample;

beforeAll(async () => {
  // A stand-in of Entra's discovery endpoint in Azure Government.
  server = createServer((req, res) => {
    if (req.url === "/agency.onmicrosoft.us/v2.0/.well-known/openid-configuration") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ issuer: `https://login.microsoftonline.us/${GOV_TENANT}/v2.0` }));
    } else res.writeHead(400).end("AADSTS90002");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  dir = mkdtempSync(join(tmpdir(), "audit-lake-variants-"));
  const file = join(dir, "gov.yaml");
  writeFileSync(
    file,
    stringify({
      platform: {
        tenantId: "0e0e0e0e-0000-4000-8000-00000000000e",
        subscriptionId: "0f0f0f0f-0000-4000-8000-00000000000f",
        azureCloud: "usgovernment",
        location: "usgovvirginia",
        prefix: "agencyal",
        adx: {
          cluster: {
            existing: {
              // A shared cluster in another subscription than the platform's.
              id: "/subscriptions/0c0c0c0c-0000-4000-8000-00000000000c/resourceGroups/shared-adx/providers/Microsoft.Kusto/clusters/sharedadx",
              uri: "https://sharedadx.usgovvirginia.kusto.usgovcloudapi.net",
            },
          },
        },
      },
      tenants: [{ tenant: "agency.onmicrosoft.us", key: "agency", displayName: "Agency", cloud: "GCCHigh", identity: "msspClient" }],
    }),
  );
  const authorityHost = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  gov = await synthesizeExample(file, { discovery: { authorityHost } });
});
afterAll(async () => {
  gov?.remove();
  rmSync(dir, { recursive: true, force: true });
  await new Promise<void>((r) => server.close(() => r()));
});

const stack = (kind: "platform" | "tenant"): TerraformJson => gov.json.get(gov.result.stacks.find((s) => s.kind === kind)!.name)!;

test("a tenant given by domain is deployed under the id Entra's discovery document names", () => {
  expect(gov.result.config.tenants[0]).toMatchObject({ tenantId: GOV_TENANT, domain: "agency.onmicrosoft.us" });
  expect(stack("platform").output![`consent_url_agency`]!.value).toMatch(new RegExp(`^https://login\\.microsoftonline\\.us/${GOV_TENANT}/adminconsent\\?client_id=`));
});

test("Azure Government: providers, the Entra provider and the federated credential all use the US Government cloud", () => {
  expect(stack("platform").provider!.azurerm![0]).toMatchObject({ environment: "usgovernment" });
  expect(stack("platform").provider!.azuread![0]).toMatchObject({ environment: "usgovernment" });
  const [fic] = resourcesOf(stack("platform"), "azuread_application_federated_identity_credential");
  expect(fic).toMatchObject({ issuer: "https://login.microsoftonline.us/0e0e0e0e-0000-4000-8000-00000000000e/v2.0", audiences: ["api://AzureADTokenExchangeUSGov"] });
});

test("Azure Government: host storage through the account's own endpoints, never __accountName (valid in public cloud only)", () => {
  const [deployment] = resourcesOf(stack("platform"), "azurerm_resource_group_template_deployment") as Array<{ parameters_content: string }>;
  const settings = Object.fromEntries((JSON.parse(deployment!.parameters_content).appSettings.value as Array<{ name: string; value: string }>).map((s) => [s.name, s.value]));
  expect(settings).not.toHaveProperty("AzureWebJobsStorage__accountName");
  for (const service of ["blob", "queue", "table"]) {
    const name = `AzureWebJobsStorage__${service}ServiceUri`;
    expect({ name, value: settings[name] }).toEqual({ name, value: expect.stringMatching(new RegExp(`^\\$\\{azurerm_storage_account\\.[\\w-]+\\.primary_${service}_endpoint\\}$`)) });
  }
  expect(gov.result.outputs.azureCloud).toBe("usgovernment");
});

test("an existing cluster in another subscription is found and written to there, through a provider for its subscription", () => {
  const tenant = stack("tenant");
  const cluster = tenant.provider!.azurerm!.find((p) => p.alias === "cluster");
  expect(cluster).toMatchObject({ subscription_id: "0c0c0c0c-0000-4000-8000-00000000000c", environment: "usgovernment" });
  expect(tenant.provider!.azurerm!.find((p) => !p.alias)).toMatchObject({ subscription_id: "0f0f0f0f-0000-4000-8000-00000000000f" });
  expect(Object.values(tenant.data!.azurerm_kusto_cluster!)[0]).toMatchObject({ provider: "azurerm.cluster" });
  for (const type of ["azurerm_kusto_database", "azurerm_kusto_script", "azurerm_kusto_database_principal_assignment"]) {
    const found = resourcesOf(tenant, type);
    expect(found.length).toBeGreaterThan(0);
    for (const r of found) expect({ type, provider: r.provider }).toEqual({ type, provider: "azurerm.cluster" });
  }
  // The identity stays in the platform's subscription.
  expect(Object.values(tenant.data!.azurerm_user_assigned_identity!)[0]).not.toHaveProperty("provider");
});

test("an existing cluster is not created; the tenant's database goes on it, found by the name and group in its id", () => {
  expect(resourcesOf(stack("platform"), "azurerm_kusto_cluster")).toHaveLength(0);
  const [db] = resourcesOf(stack("tenant"), "azurerm_kusto_database");
  expect(db).toMatchObject({ name: "audit_agency", cluster_name: "sharedadx", resource_group_name: "shared-adx" });
  expect(Object.values(stack("tenant").data!.azurerm_kusto_cluster!)[0]).toMatchObject({ name: "sharedadx", resource_group_name: "shared-adx" });
  const [deployment] = resourcesOf(stack("platform"), "azurerm_resource_group_template_deployment") as Array<{ parameters_content: string }>;
  const settings = JSON.parse(deployment!.parameters_content).appSettings.value as Array<{ name: string; value: string }>;
  expect(settings.find((s) => s.name === "ADX_INGEST_URI")!.value).toBe("https://ingest-sharedadx.usgovvirginia.kusto.usgovcloudapi.net");
  expect(JSON.parse(settings.find((s) => s.name === "AUDIT_LAKE_TENANTS")!.value)[0]).toMatchObject({ tenantId: GOV_TENANT, cloud: "GCCHigh" });
});
