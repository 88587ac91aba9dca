// The site the infra app's template writes, put to the emulated Resource Manager, which refuses what ARM refuses for a
// Flex Consumption site (siteConfig properties, error 51021 in App Service's error shape): the local path meets the
// same wall as a real deployment.
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startResourceManagerEmulator, type ResourceManagerEmulator } from "../../local/resource-manager";
import { createLocalTls } from "../../local/tls";
import { resourcesOf, synthesizeExample } from "./synthesized-stacks";

const SUBSCRIPTION = "22222222-2222-4222-8222-222222222222";
let dir: string;
let caPem: string;
let arm: ResourceManagerEmulator;
let site: { properties: { siteConfig: Record<string, unknown>; functionAppConfig: unknown } };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "flex-site-arm-"));
  const tls = await createLocalTls(join(dir, "ca.pem"));
  caPem = tls.caPem;
  arm = await startResourceManagerEmulator({ tls, dataDir: dir, sites: [{ subscriptionId: SUBSCRIPTION, resourceGroup: "contosoal-rg", name: "contosoal-func" }] });
  const example = await synthesizeExample("single-tenant.yaml");
  const platform = example.json.get(example.result.stacks[0]!.name)!;
  const [deployment] = resourcesOf(platform, "azurerm_resource_group_template_deployment") as Array<{ template_content: string; parameters_content: string }>;
  const template = JSON.parse(deployment!.template_content);
  const parameters = JSON.parse(deployment!.parameters_content) as Record<string, { value: unknown }>;
  // ARM substitutes [parameters('x')] before it checks the resource; the emulator is given the substituted site.
  const substitute = (v: unknown): unknown =>
    typeof v === "string" ? (/^\[parameters\('(\w+)'\)\]$/.exec(v) ? parameters[/^\[parameters\('(\w+)'\)\]$/.exec(v)![1]!]!.value : v) : Array.isArray(v) ? v.map(substitute) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(x)])) : v;
  site = substitute(template.resources.find((r: { type: string }) => r.type === "Microsoft.Web/sites")) as typeof site;
  // The settings are concat()-ed with the connection string ARM reads from the component: stand that part in.
  expect(site.properties.siteConfig.appSettings).toMatch(/^\[concat\(parameters\('appSettings'\), /);
  site.properties.siteConfig.appSettings = [...(parameters.appSettings!.value as unknown[]), { name: "APPLICATIONINSIGHTS_CONNECTION_STRING", value: "InstrumentationKey=00000000-0000-0000-0000-000000000000" }];
  example.remove();
}, 60_000);
afterAll(async () => {
  await arm?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function putSite(body: unknown): Promise<{ status: number; body: Record<string, any> }> {
  const token = (await arm.credential().getToken("https://management.azure.com/.default"))!.token;
  const url = new URL(`${arm.url}/subscriptions/${SUBSCRIPTION}/resourceGroups/contosoal-rg/providers/Microsoft.Web/sites/contosoal-func?api-version=2024-04-01`);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "PUT", ca: caPem, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } }, (res) => {
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || "{}") }));
    });
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

test("the template's Flex site is accepted, and its app settings become the site's", async () => {
  const answer = await putSite(site);
  expect(answer.status).toBe(200);
  expect(Object.keys(arm.site("contosoal-func").options.appSettings ?? {})).toContain("AUDIT_LAKE_TENANTS");
});

test("a Flex site with ftpsState (as the template once wrote it) is refused with ARM's 51021", async () => {
  const answer = await putSite({ ...site, properties: { ...site.properties, siteConfig: { ...site.properties.siteConfig, ftpsState: "Disabled" } } });
  expect(answer.status).toBe(400);
  expect(answer.body.Code).toBe("BadRequest");
  expect(answer.body.Message).toBe("The following site configuration property (Site.SiteConfig.FtpsState) for Flex Consumption sites is invalid.  Please remove or rename it before retrying.");
  expect(answer.body.Details[2].ErrorEntity).toMatchObject({ ExtendedCode: "51021", MessageTemplate: "{0} is invalid.  {1}" });
});

test("several refused properties are listed together, as ARM lists them", async () => {
  const siteConfig = { ...site.properties.siteConfig, ftpsState: "Disabled", use32BitWorkerProcess: false, alwaysOn: true };
  const answer = await putSite({ ...site, properties: { ...site.properties, siteConfig } });
  expect(answer.body.Message).toMatch(/^The following list of 3 site configuration properties \(Site\.SiteConfig\.FtpsState, Site\.SiteConfig\.Use32BitWorkerProcess, Site\.SiteConfig\.AlwaysOn\) for Flex Consumption sites is invalid\./);
});
