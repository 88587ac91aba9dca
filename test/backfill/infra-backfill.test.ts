// The infra app with back-fill on: the own tenant's managed identity gets Graph's AuditLogsQuery.Read.All, the MSSP
// app asks for it (so each client's consent covers it), the engine's tenant entry says backfill; off by default.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { DeploymentConfigError, loadDeploymentConfig } from "../../infra/config/load";
import { EXAMPLES, resourcesOf, synthesizeExample, type SynthesizedExample, type TerraformJson } from "../infra/synthesized-stacks";

const GRAPH = "00000003-0000-0000-c000-000000000000";
let dir: string;
const synthesized: SynthesizedExample[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "audit-lake-backfill-infra-"));
});
afterAll(() => {
  for (const s of synthesized) s.remove();
  rmSync(dir, { recursive: true, force: true });
});

/** An example with `backfill` set on its tenants (all, or the given indexes). */
function variant(example: string, backfill: boolean | number[], cloud?: string): string {
  const config = parse(readFileSync(join(EXAMPLES, example), "utf8")) as { tenants: Array<Record<string, unknown>> };
  config.tenants.forEach((t, i) => {
    if (backfill === true || (Array.isArray(backfill) && backfill.includes(i))) t.backfill = true;
    if (cloud) t.cloud = cloud;
  });
  const file = join(dir, `${example}-${JSON.stringify(backfill)}-${cloud ?? ""}.yaml`);
  writeFileSync(file, stringify(config));
  return file;
}

async function synth(file: string): Promise<Map<string, TerraformJson>> {
  const s = await synthesizeExample(file);
  synthesized.push(s);
  return s.json;
}

const platformOf = (json: Map<string, TerraformJson>) => [...json].find(([name]) => name.endsWith("platform"))![1];
const graphRoleAssignments = (platform: TerraformJson) =>
  resourcesOf(platform, "azuread_app_role_assignment").filter((r) => /app_role_ids\["AuditLogsQuery\.Read\.All"\]/.test(String(r.app_role_id)));
const graphLookups = (platform: TerraformJson) => Object.values(platform.data?.azuread_service_principal ?? {}).filter((d) => d.client_id === GRAPH);
const tenantsSetting = (platform: TerraformJson) => {
  const [deployment] = resourcesOf(platform, "azurerm_resource_group_template_deployment") as Array<{ parameters_content: string }>;
  const settings = JSON.parse(deployment!.parameters_content).appSettings.value as Array<{ name: string; value: string }>;
  return JSON.parse(settings.find((s) => s.name === "AUDIT_LAKE_TENANTS")!.value) as Array<Record<string, unknown>>;
};

test("own tenant with backfill: the managed identity gets AuditLogsQuery.Read.All on Microsoft Graph, and the engine's tenant entry enables back-fill", async () => {
  const platform = platformOf(await synth(variant("single-tenant.yaml", true)));
  const [assignment] = graphRoleAssignments(platform);
  expect(assignment).toBeDefined();
  expect(String(assignment.resource_object_id)).toMatch(/data\.azuread_service_principal\..*microsoft-graph.*\.object_id/);
  expect(graphLookups(platform)).toHaveLength(1);
  expect(tenantsSetting(platform)[0]).toMatchObject({ backfill: true });
}, 120_000);

test("back-fill is off by default: no Graph role, no Graph lookup, no backfill in the engine's settings", async () => {
  const platform = platformOf(await synth(join(EXAMPLES, "single-tenant.yaml")));
  expect(graphRoleAssignments(platform)).toHaveLength(0);
  expect(graphLookups(platform)).toHaveLength(0);
  expect(tenantsSetting(platform)[0].backfill).toBeUndefined();
}, 120_000);

test("MSSP with a back-filling client: the app registration asks for Graph's role too, so the client's one admin consent covers it", async () => {
  const platform = platformOf(await synth(variant("mssp.yaml", [1])));
  const [app] = resourcesOf(platform, "azuread_application") as Array<{ required_resource_access: Array<{ resource_app_id: string; resource_access: Array<{ id: string; type: string }> }> }>;
  const graph = app.required_resource_access.find((r) => r.resource_app_id === GRAPH);
  expect(graph?.resource_access).toEqual([{ id: expect.stringMatching(/app_role_ids\["AuditLogsQuery\.Read\.All"\]/), type: "Role" }]);
  expect(tenantsSetting(platform).map((t) => t.backfill ?? false)).toEqual([false, true, false]);
  // no managed-identity assignment: the clients' consent grants the role to the app in their tenants
  expect(graphRoleAssignments(platform)).toHaveLength(0);
}, 120_000);

test("back-fill for a GCC High tenant is refused in the config, naming the field and why", async () => {
  const file = variant("single-tenant.yaml", true, "GCCHigh");
  const error = await loadDeploymentConfig(file).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DeploymentConfigError);
  expect((error as DeploymentConfigError).problems.join("\n")).toMatch(/tenants\[0\]\.backfill.*global cloud/);
});
