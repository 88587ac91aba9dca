// Both documented examples synthesize offline into one platform stack and one stack per tenant, and what they
// deploy is exactly what kql/ and the engine define.
import { loadConfig } from "../../functions/src/config";
import { loadHuntingQueries } from "../../kql/hunting";
import { deploymentCommands, deploymentScript } from "../../kql/scripts";
import { MAX_TAG_VALUE_BYTES } from "../../infra/constructs/sentinel-content";
import { scriptHash } from "../../infra/constructs/tenant-database";
import { resourcesOf, synthesizeExample, type SynthesizedExample, type TerraformJson } from "./synthesized-stacks";

let single: SynthesizedExample;
let mssp: SynthesizedExample;

beforeAll(async () => {
  single = await synthesizeExample("single-tenant.yaml");
  mssp = await synthesizeExample("mssp.yaml");
  // A figure, not an assertion: the target is < 10 s per example on the project's 2-core machine.
  console.log(`synth: single-tenant.yaml ${single.seconds.toFixed(2)} s, mssp.yaml ${mssp.seconds.toFixed(2)} s`);
});
afterAll(() => {
  single?.remove();
  mssp?.remove();
});

const stackOf = (example: SynthesizedExample, kind: "platform" | "tenant", tenant?: string): TerraformJson =>
  example.json.get(example.result.stacks.find((s) => s.kind === kind && (tenant === undefined || s.tenant === tenant))!.name)!;

/** The site's app settings, as the ARM template deployment passes them. */
export function siteAppSettings(platform: TerraformJson): Record<string, string> {
  const [deployment] = resourcesOf(platform, "azurerm_resource_group_template_deployment") as Array<{ parameters_content: string }>;
  const settings = JSON.parse(deployment!.parameters_content).appSettings.value as Array<{ name: string; value: string }>;
  return Object.fromEntries(settings.map((s) => [s.name, s.value]));
}

// Stand-ins for values terraform knows only after apply, shaped like the real ones.
function applied(value: string): string {
  return value
    .replace(/\$\{azurerm_storage_account\.[\w-]+\.primary_(blob|queue|table)_endpoint\}/g, "https://contosoalst1a2b3c.$1.core.windows.net/")
    .replace(/\$\{[\w.-]+\.client_id\}/g, "44444444-4444-4444-8444-444444444444")
    .replace(/\$\{[\w.-]+\.connection_string\}/g, "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/")
    .replace(/\$\{[\w.-]+\.logs_ingestion_endpoint\}/g, "https://contosoal-dce-abcd.westeurope-1.ingest.monitor.azure.com")
    .replace(/\$\{[\w.-]+\.immutable_id\}/g, "dcr-0123456789abcdef0123456789abcdef");
}

describe("the single-tenant example", () => {
  test("the App Insights connection string stays out of terraform: the site template reads it, so the plan shows every app setting", () => {
    const [deployment] = resourcesOf(stackOf(single, "platform"), "azurerm_resource_group_template_deployment") as Array<{ parameters_content: string; template_content: string }>;
    expect(deployment!.parameters_content).not.toMatch(/connection_string/);
    expect(JSON.parse(deployment!.parameters_content).appInsightsId.value).toMatch(/^\$\{azurerm_application_insights\.[\w-]+\.id\}$/);
    const web = JSON.parse(deployment!.template_content).resources.find((r: { type: string }) => r.type === "Microsoft.Web/sites");
    expect(web.properties.siteConfig.appSettings).toMatch(/APPLICATIONINSIGHTS_CONNECTION_STRING', 'value', reference\(parameters\('appInsightsId'\), '2020-02-02'\)\.ConnectionString/);
  });

  test("synthesizes a platform stack and one tenant stack, each with its own local state", () => {
    expect(single.result.stacks.map((s) => [s.kind, s.name])).toEqual([
      ["platform", "contosoal-platform"],
      ["tenant", "contosoal-tenant-contoso"],
    ]);
    for (const j of single.json.values()) expect(Object.keys(j.terraform!.backend!)).toEqual(["local"]);
  });

  test("the Function App's settings are accepted by the engine's own settings loader", () => {
    const settings = siteAppSettings(stackOf(single, "platform"));
    const env = Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, applied(v)]));
    const config = loadConfig(env);
    expect(config.storage).toEqual({
      kind: "managedIdentity",
      queueServiceUri: "https://contosoalst1a2b3c.queue.core.windows.net",
      tableServiceUri: "https://contosoalst1a2b3c.table.core.windows.net",
      clientId: "44444444-4444-4444-8444-444444444444",
    });
    expect(config.tenants).toEqual([
      expect.objectContaining({ tenantId: "11111111-1111-4111-8111-111111111111", database: "audit_contoso", credential: { kind: "managedIdentity", clientId: "44444444-4444-4444-8444-444444444444" } }),
    ]);
    expect(config.adx.ingestUri).toMatch(/^https:\/\/ingest-contosoaladx[0-9a-f]{6}\.westeurope\.kusto\.windows\.net$/);
    expect(config.sentinel).toEqual({ endpoint: "https://contosoal-dce-abcd.westeurope-1.ingest.monitor.azure.com", dcrImmutableId: "dcr-0123456789abcdef0123456789abcdef", streamName: "Custom-M365MailItemsAccessed_CL", caFile: undefined });
  });

  test("the site is created after the identity's storage data roles, so the host never starts without its storage", () => {
    const [deployment] = resourcesOf(stackOf(single, "platform"), "azurerm_resource_group_template_deployment") as Array<{ depends_on: string[] }>;
    expect(deployment!.depends_on).toHaveLength(3);
    for (const d of deployment!.depends_on) expect(d).toMatch(/^azurerm_role_assignment\.function-storage_data-role-\d_assignment_\w+$/);
  });

  test("the own tenant's managed identity gets ActivityFeed.Read and ActivityFeed.ReadDlp, and no app registration exists", () => {
    const platform = stackOf(single, "platform");
    const roles = resourcesOf(platform, "azuread_app_role_assignment").map((r) => String(r.app_role_id));
    expect(roles.map((r) => /app_role_ids\["([^"]+)"\]/.exec(r)?.[1]).sort()).toEqual(["ActivityFeed.Read", "ActivityFeed.ReadDlp"]);
    expect(resourcesOf(platform, "azuread_application")).toHaveLength(0);
  });

  test("the Kusto script is the rendered kql/ deployment script, once per database, with its content hash", () => {
    const { config } = single.result;
    const expected = deploymentScript({ parameters: config.kqlParameters });
    const [script] = resourcesOf(stackOf(single, "tenant", "contoso"), "azurerm_kusto_script");
    expect(script!.script_content).toBe(expected);
    expect(script!.force_an_update_when_value_changed).toBe(scriptHash(expected));
    // A KustoScript may only hold .create / .create-or-alter / .create-merge / .alter / .alter-merge / .add commands.
    for (const command of deploymentCommands({ parameters: config.kqlParameters })) expect(command).toMatch(/^\.(create|create-or-alter|create-merge|alter|alter-merge|add)\s/);
  });

  test("the saved searches equal the hunting YAML, with tactics and techniques as tags of at most 256 characters", () => {
    const searches = resourcesOf(stackOf(single, "tenant", "contoso"), "azurerm_log_analytics_saved_search").filter((s) => s.category === "Hunting Queries");
    const queries = loadHuntingQueries();
    expect(searches).toHaveLength(queries.length);
    for (const q of queries) {
      const s = searches.find((x) => x.name === q.id) as { display_name: string; query: string; tags: Record<string, string> } | undefined;
      expect(s).toBeDefined();
      expect(s!.display_name).toBe(q.name);
      expect(s!.query).toBe(q.query);
      expect(s!.tags.tactics).toBe(q.tactics.join(","));
      expect(s!.tags.techniques).toBe(q.relevantTechniques.join(","));
      // Bytes, as the provider counts them (Go len): "…" and "—" are three each.
      for (const value of Object.values(s!.tags)) expect(Buffer.byteLength(value, "utf8")).toBeLessThanOrEqual(MAX_TAG_VALUE_BYTES);
    }
  });

  test("mail-access forwarding goes to the tenant's new Sentinel workspace", () => {
    const platform = stackOf(single, "platform");
    const [rule] = resourcesOf(platform, "azurerm_monitor_data_collection_rule") as Array<{ destinations: { log_analytics: Array<{ workspace_resource_id: string }> } }>;
    expect(rule!.destinations.log_analytics[0]!.workspace_resource_id).toMatch(/^\$\{azurerm_log_analytics_workspace\.sentinel-contoso_workspace_\w+\.id\}$/);
    expect(resourcesOf(platform, "azurerm_sentinel_log_analytics_workspace_onboarding")).toHaveLength(1);
  });
});

describe("the MSSP example", () => {
  const clients = ["northwind", "tailspin", "woodgrove"];

  test("synthesizes one platform stack and three client stacks, each with its own state key", () => {
    expect(mssp.result.stacks.map((s) => s.tenant ?? s.kind)).toEqual(["platform", ...clients]);
    const keys = [...mssp.json.values()].map((j) => j.terraform!.backend!.azurerm!.key);
    expect(new Set(keys).size).toBe(4);
  });

  test("yields three databases, one per client stack", () => {
    const databases = clients.map((c) => resourcesOf(stackOf(mssp, "tenant", c), "azurerm_kusto_database").map((d) => d.name));
    expect(databases).toEqual([["audit_northwind"], ["audit_tailspin"], ["audit_woodgrove"]]);
    expect(resourcesOf(stackOf(mssp, "platform"), "azurerm_kusto_database")).toHaveLength(0);
  });

  test("outputs three admin-consent URLs, each for its client tenant and the MSSP app", () => {
    const outputs = stackOf(mssp, "platform").output!;
    const consent = Object.keys(outputs).filter((k) => k.startsWith("consent_url_")).sort();
    expect(consent).toEqual(clients.map((c) => `consent_url_${c}`));
    expect(mssp.result.outputs.consentUrlOutputs).toEqual(Object.fromEntries(clients.map((c) => [c, `consent_url_${c}`])));
    const tenants = mssp.result.config.tenants;
    for (const t of tenants) {
      expect(outputs[`consent_url_${t.key}`]!.value).toMatch(
        new RegExp(`^https://login\\.microsoftonline\\.com/${t.tenantId}/adminconsent\\?client_id=\\$\\{azuread_application\\.mssp-feed-access_app_\\w+\\.client_id\\}$`),
      );
    }
  });

  test("every client reads through the federated app, publisher id the MSSP's tenant", () => {
    const env = Object.fromEntries(Object.entries(siteAppSettings(stackOf(mssp, "platform"))).map(([k, v]) => [k, applied(v)]));
    const config = loadConfig(env);
    expect(config.tenants.map((t) => [t.database, t.credential.kind, t.publisherId])).toEqual(clients.map((c) => [`audit_${c}`, "federated", "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"]));
    expect(config.tenants[1]!.contentTypes).toEqual(["Audit.Exchange", "Audit.AzureActiveDirectory"]);
    expect(resourcesOf(stackOf(mssp, "platform"), "azuread_app_role_assignment")).toHaveLength(0);
  });

  test("each client's analysts group is Viewer on that client's database only", () => {
    const groups = Object.fromEntries(mssp.result.config.tenants.map((t) => [t.key, t.analystsGroup!.objectId]));
    for (const c of clients) {
      const viewers = resourcesOf(stackOf(mssp, "tenant", c), "azurerm_kusto_database_principal_assignment").filter((a) => a.role === "Viewer");
      expect(viewers.map((v) => [v.principal_id, v.database_name])).toEqual([[groups[c], expect.stringMatching(/\$\{azurerm_kusto_database\.adx-database_\w+\.name\}/)]]);
    }
    // woodgrove's own analysts live in woodgrove's tenant: the cluster trusts that tenant, and only it.
    const [cluster] = resourcesOf(stackOf(mssp, "platform"), "azurerm_kusto_cluster");
    expect(cluster!.trusted_external_tenants).toEqual(["c3c3c3c3-0000-4000-8000-000000000003"]);
  });

  test("Sentinel content lands per client: new, existing, none", () => {
    const searches = (c: string) => resourcesOf(stackOf(mssp, "tenant", c), "azurerm_log_analytics_saved_search");
    expect(searches("northwind").length).toBeGreaterThan(0);
    expect(new Set(searches("tailspin").map((s) => s.log_analytics_workspace_id))).toEqual(
      new Set(["/subscriptions/bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb/resourceGroups/tailspin-sec/providers/Microsoft.OperationalInsights/workspaces/tailspin-sentinel"]),
    );
    expect(searches("woodgrove")).toHaveLength(0);
    // tailspin forwards mail access: its rule and endpoint sit in its workspace's region, not the platform's.
    const [rule] = resourcesOf(stackOf(mssp, "platform"), "azurerm_monitor_data_collection_rule");
    expect(rule).toMatchObject({ location: "westeurope", destinations: { log_analytics: [{ workspace_resource_id: expect.stringContaining("/workspaces/tailspin-sentinel") }] } });
    expect(resourcesOf(stackOf(mssp, "platform"), "azurerm_monitor_data_collection_endpoint")[0]).toMatchObject({ location: "westeurope" });
    const fn = searches("northwind").find((s) => s.function_alias === "microsoft_unified_access_mail_dedup");
    expect(fn!.query).toMatch(/^adx\('https:\/\/fabrikamsocadx[0-9a-f]{6}\.northeurope\.kusto\.windows\.net\/audit_northwind'\)\.microsoft_unified_access_mail_dedup$/);
  });
});
