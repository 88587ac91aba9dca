// Secure by default, checked over everything both examples synthesize — the way a policy engine reads a plan.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { allResources, EXAMPLES, resourcesOf, synthesizeExample, type SynthesizedExample } from "./synthesized-stacks";

const examples: Array<[string, SynthesizedExample?]> = [["single-tenant.yaml"], ["mssp.yaml"]];

beforeAll(async () => {
  for (const e of examples) e[1] = await synthesizeExample(e[0]);
});
afterAll(() => examples.forEach(([, e]) => e?.remove()));

interface SiteTemplate {
  resources: Array<{ type: string; identity?: { type: string }; properties: Record<string, any> }>;
}

function site(example: SynthesizedExample) {
  const platform = example.json.get(example.result.stacks[0]!.name)!;
  const [deployment] = resourcesOf(platform, "azurerm_resource_group_template_deployment") as Array<{ template_content: string; parameters_content: string }>;
  const template = JSON.parse(deployment!.template_content) as SiteTemplate;
  const settings = JSON.parse(deployment!.parameters_content).appSettings.value as Array<{ name: string; value: string }>;
  return { template, settings, web: template.resources.find((r) => r.type === "Microsoft.Web/sites")! };
}

// Shapes of secrets that must never appear in config or synthesized output.
const SECRET_SHAPES: Array<[string, RegExp]> = [
  ["a storage account key", /AccountKey=[^;"\\]+/i],
  ["a SAS signature", /[?&;]sig=|SharedAccessSignature=/i],
  ["a client secret", /client_?secret/i],
  ["a password", /"password"|_password"/i],
  ["a private key", /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ["an instrumentation key literal", /InstrumentationKey=[0-9a-f-]{36}/i],
];

describe.each(examples.map(([name]) => [name]))("%s", (name) => {
  const example = () => examples.find(([n]) => n === name)![1]!;

  test("no secret value anywhere in the config or the synthesized output", () => {
    const texts = [readFileSync(join(EXAMPLES, name), "utf8"), ...example().text.values()];
    for (const text of texts) for (const [what, shape] of SECRET_SHAPES) expect({ what, found: shape.exec(text)?.[0] }).toEqual({ what, found: undefined });
    const types = new Set(allResources(example()).map((r) => r.type));
    for (const t of ["azuread_application_password", "azuread_service_principal_password", "azuread_application_certificate", "azurerm_key_vault_secret"]) expect(types.has(t)).toBe(false);
  });

  test("TLS 1.2 at least, and HTTPS only, on storage and on the site", () => {
    for (const a of resourcesOf(example().json.get(example().result.stacks[0]!.name)!, "azurerm_storage_account")) {
      expect(a).toMatchObject({ min_tls_version: "TLS1_2", https_traffic_only_enabled: true });
    }
    const { web } = site(example());
    expect(web.properties.httpsOnly).toBe(true);
    expect(web.properties.siteConfig).toMatchObject({ minTlsVersion: "1.2", scmMinTlsVersion: "1.2" });
  });

  test("no public blob access and shared keys off; local auth off on every workspace and on Application Insights", () => {
    const resources = allResources(example());
    const accounts = resources.filter((r) => r.type === "azurerm_storage_account");
    expect(accounts.length).toBeGreaterThan(0);
    for (const a of accounts) expect(a.body).toMatchObject({ allow_nested_items_to_be_public: false, shared_access_key_enabled: false, default_to_oauth_authentication: true });
    for (const c of resources.filter((r) => r.type === "azurerm_storage_container")) expect(c.body.container_access_type).toBe("private");
    for (const w of resources.filter((r) => r.type === "azurerm_log_analytics_workspace")) expect(w.body.local_authentication_enabled).toBe(false);
    for (const ai of resources.filter((r) => r.type === "azurerm_application_insights")) expect(ai.body.local_authentication_disabled).toBe(true);
    const providers = [...example().json.values()].map((j) => j.provider!.azurerm![0]!);
    for (const p of providers) expect(p.storage_use_azuread).toBe(true);
  });

  test("no AzureWebJobsStorage connection string on the site, and no provider function-app resource that would write one", () => {
    const { settings } = site(example());
    expect(settings.map((s) => s.name)).not.toContain("AzureWebJobsStorage");
    expect(settings.map((s) => s.name)).toEqual(expect.arrayContaining(["AzureWebJobsStorage__blobServiceUri", "AzureWebJobsStorage__queueServiceUri", "AzureWebJobsStorage__tableServiceUri", "AzureWebJobsStorage__credential", "AzureWebJobsStorage__clientId"]));
    for (const s of settings) expect(s.value).not.toMatch(/DefaultEndpointsProtocol|AccountKey/i);
    const types = new Set(allResources(example()).map((r) => r.type));
    for (const t of ["azurerm_function_app_flex_consumption", "azurerm_linux_function_app", "azurerm_windows_function_app"]) expect(types.has(t)).toBe(false);
  });

  test("managed identity only: the site runs as the user-assigned identity and every tenant reads with it or the federated app", () => {
    const { web, settings } = site(example());
    expect(web.identity!.type).toBe("UserAssigned");
    expect(web.properties.functionAppConfig.deployment.storage.authentication.type).toBe("UserAssignedIdentity");
    const tenants = JSON.parse(settings.find((s) => s.name === "AUDIT_LAKE_TENANTS")!.value) as Array<{ credential: { kind: string } }>;
    for (const t of tenants) expect(["managedIdentity", "federated"]).toContain(t.credential.kind);
  });

  test("every role assignment is scoped to one resource, for a service principal", () => {
    const assignments = allResources(example()).filter((r) => r.type === "azurerm_role_assignment");
    expect(assignments.length).toBeGreaterThan(0);
    for (const a of assignments) {
      const scope = String(a.body.scope);
      // A reference to one resource's id, or a full resource id below a provider — never a group or subscription.
      expect(scope).toMatch(/^\$\{azurerm_[a-z_]+\.[\w-]+\.id\}$|^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/.+/);
      expect(scope).not.toMatch(/azurerm_resource_group\.|^\/subscriptions\/[^/]+(\/resourceGroups\/[^/]+)?\/?$/);
      expect(a.body.principal_type).toBe("ServicePrincipal");
    }
  });

  test("no Admin role on any database, and no analysts group reaches another tenant's database", () => {
    const grants = allResources(example()).filter((r) => r.type === "azurerm_kusto_database_principal_assignment");
    expect(grants.map((g) => g.body.role)).not.toContain("Admin");
    expect(allResources(example()).filter((r) => r.type === "azurerm_kusto_cluster_principal_assignment")).toHaveLength(0);
    const groupStacks = new Map<string, Set<string>>();
    for (const g of grants.filter((g) => g.body.principal_type === "Group")) {
      expect(g.body.role).toBe("Viewer");
      groupStacks.set(String(g.body.principal_id), (groupStacks.get(String(g.body.principal_id)) ?? new Set()).add(g.stack));
    }
    for (const t of example().result.config.tenants.filter((t) => t.analystsGroup)) {
      expect([...(groupStacks.get(t.analystsGroup!.objectId) ?? [])]).toEqual([example().result.stacks.find((s) => s.tenant === t.key)!.name]);
    }
  });
});
