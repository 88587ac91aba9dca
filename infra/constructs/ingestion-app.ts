// The ingestion Function App on Flex Consumption (Node 22), created through an ARM template deployment of the site:
// azurerm 4.55's Flex resource always writes an AzureWebJobsStorage connection string with an empty AccountKey (and
// re-adds it on every update, provider issues #29693/#30732/#33211), which breaks the host; the template writes only
// the settings given here. The code is not deployed by terraform (zip_deploy_file is broken for Flex, #29630): the
// operator CLI publishes the bundle to the deployment container after apply.
import { ResourceGroupTemplateDeployment } from "@cdktf/provider-azurerm/lib/resource-group-template-deployment";
import { ServicePlan } from "@cdktf/provider-azurerm/lib/service-plan";
import { Construct, type ITerraformDependable } from "../cdk";

/** The Functions runtime the bundle is built and tested for (Node 20 reached end of life in April 2026). */
export const NODE_RUNTIME_VERSION = "22";
const WEB_API_VERSION = "2024-04-01";

export interface IngestionAppProps {
  name: string;
  planName: string;
  resourceGroupName: string;
  resourceGroupId: string;
  location: string;
  identity: { id: string; clientId: string };
  /** Blob container URL the Flex host reads the package from (with the identity). */
  deploymentContainerUrl: string;
  appSettings: Record<string, string>;
  /** The Application Insights component: the template reads its connection string, so no plan ever has to hide it. */
  appInsightsId?: string;
  instanceMemoryMb?: 512 | 2048 | 4096;
  maximumInstances?: number;
  /** What must exist before the site starts (its storage roles). */
  after?: ITerraformDependable[];
}

export class IngestionApp extends Construct {
  readonly plan: ServicePlan;
  readonly site: ResourceGroupTemplateDeployment;
  /** The site's resource id (what the CLI publishes to). */
  readonly siteId: string;

  constructor(scope: Construct, id: string, props: IngestionAppProps) {
    super(scope, id);
    this.plan = new ServicePlan(this, "plan", {
      name: props.planName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      osType: "Linux",
      skuName: "FC1",
    });
    this.siteId = `${props.resourceGroupId}/providers/Microsoft.Web/sites/${props.name}`;
    this.site = new ResourceGroupTemplateDeployment(this, "site", {
      name: `${props.name}-site`,
      resourceGroupName: props.resourceGroupName,
      deploymentMode: "Incremental",
      dependsOn: props.after,
      templateContent: JSON.stringify(siteTemplate(props.appInsightsId !== undefined), null, 2),
      // ARM evaluates expressions in template content only; parameter values (JSON app settings included) stay literal.
      parametersContent: JSON.stringify(
        {
          siteName: { value: props.name },
          location: { value: props.location },
          planId: { value: this.plan.id },
          identityId: { value: props.identity.id },
          deploymentContainerUrl: { value: props.deploymentContainerUrl },
          instanceMemoryMB: { value: props.instanceMemoryMb ?? 2048 },
          maximumInstanceCount: { value: props.maximumInstances ?? 40 },
          appSettings: { value: Object.entries(props.appSettings).map(([name, value]) => ({ name, value })) },
          ...(props.appInsightsId !== undefined ? { appInsightsId: { value: props.appInsightsId } } : {}),
        },
        null,
        2,
      ),
    });
  }
}

/** The component's API version whose properties carry ConnectionString. */
const INSIGHTS_API_VERSION = "2020-02-02";

function siteTemplate(appInsights: boolean) {
  const p = (name: string) => `[parameters('${name}')]`;
  // The connection string is read at deployment, inside ARM: it never passes through terraform, where the provider marks
  // it sensitive and would redact the whole parameters_content (every app setting) in each plan.
  const appSettings = appInsights
    ? `[concat(parameters('appSettings'), createArray(createObject('name', 'APPLICATIONINSIGHTS_CONNECTION_STRING', 'value', reference(parameters('appInsightsId'), '${INSIGHTS_API_VERSION}').ConnectionString)))]`
    : p("appSettings");
  return {
    $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    contentVersion: "1.0.0.0",
    parameters: {
      siteName: { type: "string" },
      location: { type: "string" },
      planId: { type: "string" },
      identityId: { type: "string" },
      deploymentContainerUrl: { type: "string" },
      instanceMemoryMB: { type: "int" },
      maximumInstanceCount: { type: "int" },
      appSettings: { type: "array" },
      ...(appInsights ? { appInsightsId: { type: "string" } } : {}),
    },
    resources: [
      {
        type: "Microsoft.Web/sites",
        apiVersion: WEB_API_VERSION,
        name: p("siteName"),
        location: p("location"),
        kind: "functionapp,linux",
        identity: { type: "UserAssigned", userAssignedIdentities: { [p("identityId")]: {} } },
        properties: {
          serverFarmId: p("planId"),
          httpsOnly: true,
          clientCertEnabled: false,
          // Only properties Flex accepts: ARM refuses ftpsState and the other properties of test/infra/provider-rules.ts with
          // 51021. Flex has no FTP; basic publishing is off through basicPublishingCredentialsPolicies below.
          siteConfig: {
            minTlsVersion: "1.2",
            scmMinTlsVersion: "1.2",
            http20Enabled: true,
            appSettings,
          },
          functionAppConfig: {
            deployment: {
              storage: {
                type: "blobContainer",
                value: p("deploymentContainerUrl"),
                authentication: { type: "UserAssignedIdentity", userAssignedIdentityResourceId: p("identityId") },
              },
            },
            scaleAndConcurrency: { instanceMemoryMB: p("instanceMemoryMB"), maximumInstanceCount: p("maximumInstanceCount") },
            runtime: { name: "node", version: NODE_RUNTIME_VERSION },
          },
        },
      },
      // Publishing with basic auth (user/password) off for both endpoints: deployments use Entra tokens.
      ...["scm", "ftp"].map((kind) => ({
        type: "Microsoft.Web/sites/basicPublishingCredentialsPolicies",
        apiVersion: WEB_API_VERSION,
        name: `[format('{0}/${kind}', parameters('siteName'))]`,
        dependsOn: ["[resourceId('Microsoft.Web/sites', parameters('siteName'))]"],
        properties: { allow: false },
      })),
    ],
    outputs: {
      siteId: { type: "string", value: "[resourceId('Microsoft.Web/sites', parameters('siteName'))]" },
      defaultHostName: { type: "string", value: "[reference(resourceId('Microsoft.Web/sites', parameters('siteName')), '2024-04-01').defaultHostName]" },
    },
  };
}
