// One stack per tenant: its ADX database with the kql/ assets and grants, and its Sentinel content. It finds the
// platform's identity and cluster by name, so each tenant deploys (and is removed) on its own.
import { loadHuntingQueries } from "../../kql/hunting";
import { deploymentScript } from "../../kql/scripts";
import { Construct, TerraformOutput, TerraformStack } from "../cdk";
import type { DeploymentConfig, Tenant } from "../config/load";
import { clusterUri, platformNames, sentinelWorkspaceName, tenantStackName } from "../config/naming";
import { SentinelGapRule } from "../constructs/alerts-sentinel";
import { AzureProviders } from "../constructs/azure-providers";
import { PlatformLookup } from "../constructs/platform-lookup";
import { SentinelContent } from "../constructs/sentinel-content";
import { useStateBackend } from "../constructs/state-backend";
import { scriptHash, TenantDatabase } from "../constructs/tenant-database";

export class TenantStack extends TerraformStack {
  constructor(scope: Construct, config: DeploymentConfig, tenant: Tenant) {
    const { platform } = config;
    const name = tenantStackName(platform, tenant.key);
    super(scope, name);
    useStateBackend(this, platform, name);
    const names = platformNames(platform);
    const providers = new AzureProviders(this, "providers", { platform, clusterSubscriptionId: names.clusterSubscriptionId });
    const lookup = new PlatformLookup(this, "platform", {
      identityName: names.identity,
      resourceGroupName: names.resourceGroup,
      clusterName: names.cluster,
      clusterResourceGroupName: names.clusterResourceGroup,
      clusterProvider: providers.cluster,
    });

    const script = deploymentScript({ parameters: config.kqlParameters });
    new TenantDatabase(this, "adx-database", {
      name: tenant.database,
      clusterName: names.cluster,
      resourceGroupName: names.clusterResourceGroup,
      location: lookup.cluster.location,
      retentionDays: config.kqlParameters.retentionDays,
      hotCacheDays: config.kqlParameters.hotCacheDays,
      script,
      ingestor: { clientId: lookup.identity.clientId, tenantId: platform.tenantId },
      analysts: tenant.analystsGroup ? { objectId: tenant.analystsGroup.objectId, tenantId: tenant.analystsGroup.tenantId ?? platform.tenantId } : undefined,
      provider: providers.cluster,
    });

    if (tenant.sentinel.workspace !== "none") {
      const workspaceId =
        tenant.sentinel.workspace === "existing"
          ? tenant.sentinel.workspaceId
          : `/subscriptions/${platform.subscriptionId}/resourceGroups/${names.resourceGroup}/providers/Microsoft.OperationalInsights/workspaces/${sentinelWorkspaceName(platform, tenant.key)}`;
      new SentinelContent(this, "sentinel", { workspaceId, huntingQueries: loadHuntingQueries(), clusterUri: clusterUri(platform), database: tenant.database });
      if (config.alerts.sentinel.enabled) {
        new SentinelGapRule(this, "sentinel-alerts", {
          workspaceId,
          tenantId: tenant.tenantId,
          tenantName: tenant.displayName,
          contentTypes: tenant.contentTypes,
          platformWorkspaceId: `/subscriptions/${platform.subscriptionId}/resourceGroups/${names.resourceGroup}/providers/Microsoft.OperationalInsights/workspaces/${names.logAnalytics}`,
          gapMinutes: config.alerts.sentinel.gapMinutes,
          severity: config.alerts.sentinel.severity,
        });
      }
    }

    new TerraformOutput(this, "tenant_id", { value: tenant.tenantId });
    new TerraformOutput(this, "database", { value: tenant.database });
    new TerraformOutput(this, "kql_script_sha256", { value: scriptHash(script) });
  }
}
