// Operator sign-in as a reviewer reads the plan: the operator API's app registration with its two app roles, sign-in
// limited to assigned users, groups and applications, and App Service authentication on the site that lets only the
// webhook through unauthenticated.
import "cdktf/lib/testing/adapters/jest";
import { Application } from "@cdktf/provider-azuread/lib/application";
import { ApplicationPreAuthorized } from "@cdktf/provider-azuread/lib/application-pre-authorized";
import { ServicePrincipal } from "@cdktf/provider-azuread/lib/service-principal";
import { ResourceGroupTemplateDeployment } from "@cdktf/provider-azurerm/lib/resource-group-template-deployment";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { Testing } from "../../infra/cdk";
import { AZURE_CLI_APP_ID, OperatorSignIn } from "../../infra/constructs/operator-sign-in";
import { EXAMPLES, resourcesOf, synthesizeExample } from "./synthesized-stacks";

const GROUP = "5d7c1c0e-0000-4000-8000-0000000000a1";
const CLIENT = "0cd7e06e-276d-4327-a507-5d1cff1eb8bb";

function synth() {
  let settings: Record<string, string> = {};
  let scope = "";
  const json = Testing.synthScope((s) => {
    const ops = new OperatorSignIn(s, "operators", { displayName: "lake operators", tenantId: "11111111-1111-4111-8111-111111111111", azureCloud: "public", tenantGroups: { [GROUP]: [CLIENT] } });
    ops.protect({ name: "func-lake", resourceGroupName: "rg", after: ops.app });
    settings = ops.appSettings;
    scope = ops.scope;
  });
  return { json, settings, scope, parsed: JSON.parse(json) };
}

test("the operator API has the two app roles, carries group ids, and only assigned users and groups may sign in", () => {
  const { json, parsed } = synth();
  expect(json).toHaveResourceWithProperties(Application, { sign_in_audience: "AzureADMyOrg", group_membership_claims: ["SecurityGroup"] });
  const app = Object.values(parsed.resource.azuread_application)[0] as { app_role: Array<{ value: string; allowed_member_types: string[] }> };
  expect(app.app_role.map((r) => r.value).sort()).toEqual(["Operator.All", "Operator.Tenant"]);
  for (const r of app.app_role) expect(r.allowed_member_types).toEqual(["User", "Application"]);
  expect(json).toHaveResourceWithProperties(ServicePrincipal, { app_role_assignment_required: true });
  expect(json).toHaveResourceWithProperties(ApplicationPreAuthorized, { authorized_client_id: AZURE_CLI_APP_ID });
});

test("App Service authentication requires a token everywhere but the webhook, and the app learns the groups' tenants", () => {
  const { json, parsed, settings, scope } = synth();
  expect(json).toHaveResource(ResourceGroupTemplateDeployment);
  const deployment = Object.values(parsed.resource.azurerm_resource_group_template_deployment)[0] as { template_content: string };
  const config = JSON.parse(deployment.template_content).resources[0];
  expect(config.type).toBe("Microsoft.Web/sites/config");
  expect(config.name).toMatch(/authsettingsV2/);
  expect(config.properties.globalValidation).toEqual({ requireAuthentication: true, unauthenticatedClientAction: "Return401", excludedPaths: ["/api/webhook", "/api/health/probe"] });
  expect(config.properties.identityProviders.azureActiveDirectory.enabled).toBe(true);
  expect(settings).toEqual({ OPERATOR_SIGN_IN: "entra", OPERATOR_TENANT_GROUPS: JSON.stringify({ [GROUP]: [CLIENT] }) });
  expect(scope).toMatch(/^api:\/\/.+\/\.default$/);
});

test("in the platform stack: the site's settings turn scoping on, sign-in is deployed after the site, and the CLI's scope is an output", async () => {
  const dir = mkdtempSync(join(tmpdir(), "audit-lake-operators-"));
  const config = parse(readFileSync(join(EXAMPLES, "mssp.yaml"), "utf8"));
  config.platform.operatorSignIn = { tenantGroups: { [GROUP]: [config.tenants[0].tenantId ?? CLIENT] } };
  const file = join(dir, "mssp-operators.yaml");
  writeFileSync(file, stringify(config));
  const synth = await synthesizeExample(file);
  try {
    const platform = [...synth.json.values()].find((j) => resourcesOf(j, "azurerm_service_plan").length > 0)!;
    const deployments = resourcesOf(platform, "azurerm_resource_group_template_deployment") as Array<{ name: string; parameters_content: string; template_content: string; depends_on?: string[] }>;
    const site = deployments.find((d) => JSON.parse(d.template_content).resources.some((r: { type: string }) => r.type === "Microsoft.Web/sites"))!;
    const settings = JSON.parse(site.parameters_content).appSettings.value as Array<{ name: string; value: string }>;
    expect(settings).toContainEqual({ name: "OPERATOR_SIGN_IN", value: "entra" });
    const signIn = deployments.find((d) => /operator-sign-in/.test(d.name))!;
    expect(signIn.depends_on?.some((d) => /ingestion-app/.test(d))).toBe(true);
    expect(platform.output?.operator_app_scope).toBeDefined();
  } finally {
    synth.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
