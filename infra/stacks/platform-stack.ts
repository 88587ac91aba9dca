// The platform stack: everything the tenants share — identity, storage, monitoring, the ADX cluster, the Function App,
// Management API access (own tenant and the MSSP app), the tenants' new Sentinel workspaces and mail-access forwarding.
import { mailAccessStream } from "../../kql/sentinel-stream";
import { Construct, Fn, TerraformOutput, TerraformStack } from "../cdk";
import { engineSettings, forwardsMailAccess } from "../config/engine-settings";
import type { DeploymentConfig } from "../config/load";
import { clusterUri, platformNames, platformStackName, sentinelWorkspaceName } from "../config/naming";
import { AdxCluster } from "../constructs/adx-cluster";
import { PlatformAlerts } from "../constructs/alerts";
import { AppMonitoring } from "../constructs/app-monitoring";
import { AzureProviders } from "../constructs/azure-providers";
import { FunctionIdentity } from "../constructs/function-identity";
import { FunctionStorage } from "../constructs/function-storage";
import { IngestionApp } from "../constructs/ingestion-app";
import { OperatorSignIn } from "../constructs/operator-sign-in";
import { MailAccessForwarding } from "../constructs/mail-access-forwarding";
import { MsspFeedAccess } from "../constructs/mssp-feed-access";
import { OwnTenantFeedAccess } from "../constructs/own-tenant-feed-access";
import { OwnTenantBackfillAccess } from "../constructs/own-tenant-backfill-access";
import { PlatformResourceGroup } from "../constructs/resource-group";
import { SentinelWorkspace } from "../constructs/sentinel-workspace";
import { useStateBackend } from "../constructs/state-backend";

export class PlatformStack extends TerraformStack {
  constructor(scope: Construct, config: DeploymentConfig) {
    const { platform, tenants } = config;
    const name = platformStackName(platform);
    super(scope, name);
    useStateBackend(this, platform, name);
    new AzureProviders(this, "providers", { platform, entra: true });
    const names = platformNames(platform);
    const location = platform.location;

    const rg = new PlatformResourceGroup(this, "resource-group", { name: names.resourceGroup, location });
    const resourceGroupName = rg.group.name;
    const identity = new FunctionIdentity(this, "function-identity", { name: names.identity, resourceGroupName, location });
    const storage = new FunctionStorage(this, "function-storage", {
      name: names.storageAccount,
      resourceGroupName,
      location,
      deploymentContainer: names.deploymentContainer,
      principalId: identity.principalId,
    });
    const monitoring = new AppMonitoring(this, "monitoring", {
      workspaceName: names.logAnalytics,
      appInsightsName: names.appInsights,
      resourceGroupName,
      location,
      principalId: identity.principalId,
    });

    if ("new" in platform.adx.cluster) {
      const external = tenants.flatMap((t) => (t.analystsGroup?.tenantId && t.analystsGroup.tenantId !== platform.tenantId ? [t.analystsGroup.tenantId] : []));
      new AdxCluster(this, "adx", {
        name: names.cluster,
        resourceGroupName,
        location,
        sku: platform.adx.cluster.new.sku,
        capacity: platform.adx.cluster.new.capacity,
        trustedExternalTenants: [...new Set(external)],
      });
    }

    const dlp = (ts: typeof tenants) => ts.some((t) => t.contentTypes.includes("DLP.All"));
    const own = tenants.filter((t) => t.identity === "ownTenant");
    if (own.length) new OwnTenantFeedAccess(this, "own-tenant-feed-access", { principalId: identity.principalId, dlp: dlp(own) });
    if (tenants.some((t) => t.identity === "ownTenant" && t.backfill)) new OwnTenantBackfillAccess(this, "own-tenant-backfill-access", { principalId: identity.principalId });
    const clients = tenants.filter((t) => t.identity === "msspClient");
    const mssp = clients.length
      ? new MsspFeedAccess(this, "mssp-feed-access", {
          displayName: platform.msspAppName ?? `${platform.prefix} audit lake collector`,
          tenantId: platform.tenantId,
          azureCloud: platform.azureCloud,
          identityPrincipalId: identity.principalId,
          clients: clients.map((t) => ({ key: t.key, tenantId: t.tenantId })),
          backfill: clients.some((t) => t.backfill),
          dlp: dlp(clients),
        })
      : undefined;

    const workspaces = new Map<string, string>();
    for (const t of tenants) {
      if (t.sentinel.workspace !== "new") continue;
      const ws = new SentinelWorkspace(this, `sentinel-${t.key}`, {
        name: sentinelWorkspaceName(platform, t.key),
        resourceGroupName,
        location,
        retentionDays: t.sentinel.retentionDays,
      });
      workspaces.set(t.key, ws.workspace.id);
    }
    const forwarding = tenants.find(forwardsMailAccess);
    const forward = forwarding
      ? new MailAccessForwarding(this, "mail-access-forwarding", {
          endpointName: names.dataCollectionEndpoint,
          ruleName: names.dataCollectionRule,
          resourceGroupName,
          location: (forwarding.sentinel.workspace === "existing" && forwarding.sentinel.location) || location,
          workspaceId: forwarding.sentinel.workspace === "existing" ? forwarding.sentinel.workspaceId : workspaces.get(forwarding.key)!,
          stream: mailAccessStream(),
          principalId: identity.principalId,
        })
      : undefined;

    const operators = platform.operatorSignIn
      ? new OperatorSignIn(this, "operator-sign-in", { displayName: `${platform.prefix} audit lake operators`, tenantId: platform.tenantId, azureCloud: platform.azureCloud, tenantGroups: platform.operatorSignIn.tenantGroups })
      : undefined;
    const app = new IngestionApp(this, "ingestion-app", {
      name: names.functionApp,
      planName: names.servicePlan,
      resourceGroupName,
      resourceGroupId: rg.group.id,
      location,
      identity: { id: identity.id, clientId: identity.clientId },
      deploymentContainerUrl: storage.deploymentContainerUrl,
      instanceMemoryMb: platform.functionApp.instanceMemoryMb,
      maximumInstances: platform.functionApp.maximumInstances,
      after: storage.dataRoles.map((r) => r.assignment),
      appInsightsId: monitoring.appInsights.id,
      appSettings: {
        ...engineSettings(config, {
          storageEndpoints: { blob: storage.account.primaryBlobEndpoint, queue: storage.account.primaryQueueEndpoint, table: storage.account.primaryTableEndpoint },
          identityClientId: identity.clientId,
          msspAppClientId: mssp?.app.clientId,
          sentinel: forward ? { dceUri: forward.endpoint.logsIngestionEndpoint, dcrImmutableId: forward.rule.immutableId, streamName: mailAccessStream().streamName } : undefined,
        }),
        ...operators?.appSettings,
      },
    });
    if (operators) {
      // sign-in goes on once the site exists
      operators.protect({ name: names.functionApp, resourceGroupName, after: app.site });
      new TerraformOutput(this, "operator_app_scope", { value: operators.scope, description: "--app-scope for the CLI's admin commands (operators sign in with az login)." });
    }

    new PlatformAlerts(this, "alerts", {
      prefix: platform.prefix,
      resourceGroupName,
      location,
      azureCloud: platform.azureCloud,
      appInsightsId: monitoring.appInsights.id,
      // Flex host names can carry a suffix: the one the site deployment reports
      appHostName: Fn.lookupNested(Fn.jsondecode(app.site.outputContent), ["defaultHostName", "value"]),
      tenantNames: Object.fromEntries(tenants.map((t) => [t.tenantId, t.displayName])),
      config: config.alerts,
    });

    // What the operator CLI reads after apply to publish the code and print the next steps.
    new TerraformOutput(this, "resource_group", { value: resourceGroupName });
    new TerraformOutput(this, "function_app_name", { value: names.functionApp });
    new TerraformOutput(this, "function_app_id", { value: app.siteId });
    new TerraformOutput(this, "deployment_container_url", { value: storage.deploymentContainerUrl });
    new TerraformOutput(this, "function_identity_client_id", { value: identity.clientId });
    new TerraformOutput(this, "adx_cluster_uri", { value: clusterUri(platform) });
    if (mssp) {
      new TerraformOutput(this, "mssp_app_client_id", { value: mssp.app.clientId });
      for (const [key, url] of Object.entries(mssp.consentUrls)) {
        new TerraformOutput(this, `consent_url_${key}`, { value: url, description: `Send to ${key}'s Global Administrator: granting consent lets the platform read that tenant's audit feed.` });
      }
    }
    for (const [key, id] of workspaces) new TerraformOutput(this, `sentinel_workspace_id_${key}`, { value: id });
  }
}
