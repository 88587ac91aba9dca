// Each construct alone, synthesized the way a reviewer reads a plan: the secure defaults hold without any props.
import "cdktf/lib/testing/adapters/jest";
import { AppRoleAssignment } from "@cdktf/provider-azuread/lib/app-role-assignment";
import { Application } from "@cdktf/provider-azuread/lib/application";
import { ApplicationFederatedIdentityCredential } from "@cdktf/provider-azuread/lib/application-federated-identity-credential";
import { DataAzureadServicePrincipal } from "@cdktf/provider-azuread/lib/data-azuread-service-principal";
import { ApplicationInsights } from "@cdktf/provider-azurerm/lib/application-insights";
import { KustoCluster } from "@cdktf/provider-azurerm/lib/kusto-cluster";
import { KustoDatabase } from "@cdktf/provider-azurerm/lib/kusto-database";
import { KustoDatabasePrincipalAssignment } from "@cdktf/provider-azurerm/lib/kusto-database-principal-assignment";
import { KustoScript } from "@cdktf/provider-azurerm/lib/kusto-script";
import { LogAnalyticsSavedSearch } from "@cdktf/provider-azurerm/lib/log-analytics-saved-search";
import { LogAnalyticsWorkspaceTableCustomLog } from "@cdktf/provider-azurerm/lib/log-analytics-workspace-table-custom-log";
import { MonitorDataCollectionRule } from "@cdktf/provider-azurerm/lib/monitor-data-collection-rule";
import { ResourceGroupTemplateDeployment } from "@cdktf/provider-azurerm/lib/resource-group-template-deployment";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { SentinelLogAnalyticsWorkspaceOnboarding } from "@cdktf/provider-azurerm/lib/sentinel-log-analytics-workspace-onboarding";
import { ServicePlan } from "@cdktf/provider-azurerm/lib/service-plan";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { StorageContainer } from "@cdktf/provider-azurerm/lib/storage-container";
import { UserAssignedIdentity } from "@cdktf/provider-azurerm/lib/user-assigned-identity";
import { loadHuntingQueries } from "../../kql/hunting";
import { deploymentScript } from "../../kql/scripts";
import { mailAccessStream } from "../../kql/sentinel-stream";
import { Testing } from "../../infra/cdk";
import { AdxCluster } from "../../infra/constructs/adx-cluster";
import { AppMonitoring } from "../../infra/constructs/app-monitoring";
import { FunctionIdentity } from "../../infra/constructs/function-identity";
import { FunctionStorage, STORAGE_DATA_ROLES } from "../../infra/constructs/function-storage";
import { IngestionApp } from "../../infra/constructs/ingestion-app";
import { MailAccessForwarding } from "../../infra/constructs/mail-access-forwarding";
import { MANAGEMENT_API_APP_ID } from "../../infra/constructs/management-api-roles";
import { MsspFeedAccess } from "../../infra/constructs/mssp-feed-access";
import { OwnTenantFeedAccess } from "../../infra/constructs/own-tenant-feed-access";
import { SentinelContent } from "../../infra/constructs/sentinel-content";
import { SentinelWorkspace } from "../../infra/constructs/sentinel-workspace";
import { scriptHash, TenantDatabase } from "../../infra/constructs/tenant-database";

const at = { resourceGroupName: "rg", location: "westeurope" };
const PRINCIPAL = "${azurerm_user_assigned_identity.id.principal_id}";

test("FunctionIdentity: one user-assigned identity", () => {
  const out = Testing.synthScope((s) => new FunctionIdentity(s, "id", { name: "al-func-id", ...at }));
  expect(out).toHaveResourceWithProperties(UserAssignedIdentity, { name: "al-func-id", resource_group_name: "rg" });
});

test("FunctionStorage: https only, TLS 1.2, no public blobs, no shared keys, OAuth by default, data roles on the account only", () => {
  const out = Testing.synthScope((s) => new FunctionStorage(s, "st", { name: "alst123456", deploymentContainer: "app-package", principalId: PRINCIPAL, ...at }));
  expect(out).toHaveResourceWithProperties(StorageAccount, {
    https_traffic_only_enabled: true,
    min_tls_version: "TLS1_2",
    allow_nested_items_to_be_public: false,
    shared_access_key_enabled: false,
    default_to_oauth_authentication: true,
  });
  expect(out).toHaveResourceWithProperties(StorageContainer, { name: "app-package", container_access_type: "private" });
  for (const role of STORAGE_DATA_ROLES) {
    expect(out).toHaveResourceWithProperties(RoleAssignment, { role_definition_name: role, principal_id: PRINCIPAL, scope: expect.stringMatching(/^\$\{azurerm_storage_account\.st_account_\w+\.id\}$/) });
  }
});

test("AppMonitoring: workspace-based Application Insights with local auth off and the identity as publisher", () => {
  const out = Testing.synthScope((s) => new AppMonitoring(s, "mon", { workspaceName: "w", appInsightsName: "ai", principalId: PRINCIPAL, ...at }));
  expect(out).toHaveResourceWithProperties(ApplicationInsights, { local_authentication_disabled: true, application_type: "Node.JS" });
  expect(out).toHaveResourceWithProperties(RoleAssignment, { role_definition_name: "Monitoring Metrics Publisher", principal_id: PRINCIPAL });
});

test("IngestionApp: a Flex Consumption plan and a Node 22 site from an ARM template with HTTPS only and no basic-auth publishing", () => {
  const out = Testing.synthScope(
    (s) =>
      new IngestionApp(s, "app", {
        name: "al-func",
        planName: "al-plan",
        resourceGroupId: "/subscriptions/x/resourceGroups/rg",
        identity: { id: "/id", clientId: "cid" },
        deploymentContainerUrl: "https://a.blob.core.windows.net/app-package",
        appSettings: { AzureWebJobsStorage__accountName: "a" },
        ...at,
      }),
  );
  expect(out).toHaveResourceWithProperties(ServicePlan, { sku_name: "FC1", os_type: "Linux" });
  expect(out).toHaveResourceWithProperties(ResourceGroupTemplateDeployment, { deployment_mode: "Incremental" });
  const deployment = Object.values(JSON.parse(out).resource.azurerm_resource_group_template_deployment)[0] as { template_content: string };
  const template = JSON.parse(deployment.template_content);
  const site = template.resources.find((r: { type: string }) => r.type === "Microsoft.Web/sites");
  expect(site.properties.httpsOnly).toBe(true);
  expect(site.properties.siteConfig).toMatchObject({ minTlsVersion: "1.2" });
  // ARM refuses ftpsState on a Flex site (51021); FTP is off through the publishing policies.
  expect(site.properties.siteConfig).not.toHaveProperty("ftpsState");
  expect(site.properties.functionAppConfig.runtime).toEqual({ name: "node", version: "22" });
  expect(site.properties.functionAppConfig.deployment.storage.authentication.type).toBe("UserAssignedIdentity");
  expect(site.identity.type).toBe("UserAssigned");
  const policies = template.resources.filter((r: { type: string }) => r.type === "Microsoft.Web/sites/basicPublishingCredentialsPolicies");
  expect(policies.map((p: { properties: { allow: boolean } }) => p.properties.allow)).toEqual([false, false]);
});

test("AdxCluster: no identity it would not use, disk encryption, and only the trusted tenants given", () => {
  const out = Testing.synthScope((s) => new AdxCluster(s, "adx", { name: "aladx", sku: "Dev(No SLA)_Standard_E2a_v4", capacity: 1, trustedExternalTenants: ["t2"], ...at }));
  expect(Object.values(JSON.parse(out).resource.azurerm_kusto_cluster)[0]).not.toHaveProperty("identity");
  expect(out).toHaveResourceWithProperties(KustoCluster, { name: "aladx", sku: { name: "Dev(No SLA)_Standard_E2a_v4", capacity: 1 }, disk_encryption_enabled: true, trusted_external_tenants: ["t2"] });
});

test("TenantDatabase: retention, hot cache, one script with its hash, Ingestor for the app and Viewer for the analysts — no Admin", () => {
  const script = deploymentScript();
  const out = Testing.synthScope(
    (s) =>
      new TenantDatabase(s, "db", {
        name: "audit_contoso",
        clusterName: "aladx",
        retentionDays: 365,
        hotCacheDays: 31,
        script,
        ingestor: { clientId: "app-client-id", tenantId: "t1" },
        analysts: { objectId: "group-id", tenantId: "t1" },
        ...at,
      }),
  );
  expect(out).toHaveResourceWithProperties(KustoDatabase, { name: "audit_contoso", soft_delete_period: "P365D", hot_cache_period: "P31D" });
  expect(out).toHaveResourceWithProperties(KustoScript, { script_content: script, force_an_update_when_value_changed: scriptHash(script) });
  expect(out).toHaveResourceWithProperties(KustoDatabasePrincipalAssignment, { role: "Ingestor", principal_id: "app-client-id", principal_type: "App" });
  expect(out).toHaveResourceWithProperties(KustoDatabasePrincipalAssignment, { role: "Viewer", principal_id: "group-id", principal_type: "Group" });
  expect(out).not.toHaveResourceWithProperties(KustoDatabasePrincipalAssignment, { role: "Admin" });
});

test("OwnTenantFeedAccess: ActivityFeed.ReadDlp only for a tenant that collects DLP.All", () => {
  const out = Testing.synthScope((s) => new OwnTenantFeedAccess(s, "feed", { principalId: PRINCIPAL, dlp: false }));
  const roles = Object.values(JSON.parse(out).resource.azuread_app_role_assignment).map((r) => /app_role_ids\["([^"]+)"\]/.exec((r as { app_role_id: string }).app_role_id)?.[1]);
  expect(roles).toEqual(["ActivityFeed.Read"]);
  const mssp = Testing.synthScope((s) => new MsspFeedAccess(s, "mssp", { displayName: "x", tenantId: "t", azureCloud: "public", identityPrincipalId: PRINCIPAL, clients: [{ key: "a", tenantId: "a" }], dlp: false }));
  expect(mssp).toHaveResourceWithProperties(Application, { required_resource_access: [{ resource_app_id: MANAGEMENT_API_APP_ID, resource_access: [{ id: "594c1fb6-4f81-4475-ae41-0c394909246c", type: "Role" }] }] });
});

test("OwnTenantFeedAccess: ActivityFeed.Read and ActivityFeed.ReadDlp on the Management APIs principal, looked up by client id", () => {
  const out = Testing.synthScope((s) => new OwnTenantFeedAccess(s, "feed", { principalId: PRINCIPAL, dlp: true }));
  expect(out).toHaveDataSourceWithProperties(DataAzureadServicePrincipal, { client_id: MANAGEMENT_API_APP_ID });
  for (const role of ["ActivityFeed.Read", "ActivityFeed.ReadDlp"]) {
    expect(out).toHaveResourceWithProperties(AppRoleAssignment, { app_role_id: expect.stringMatching(new RegExp(`^\\$\\{data\\.azuread_service_principal\\.feed_management-api_\\w+\\.app_role_ids\\["${role}"\\]\\}$`)), principal_object_id: PRINCIPAL });
  }
});

test("MsspFeedAccess: a multi-tenant app with both application permissions, a federated credential trusting the identity, one consent URL per client", () => {
  let consent: Record<string, string> = {};
  const out = Testing.synthScope((s) => {
    consent = new MsspFeedAccess(s, "mssp", {
      displayName: "SOC collector",
      tenantId: "mssp-tenant",
      azureCloud: "public",
      identityPrincipalId: PRINCIPAL,
      clients: [{ key: "a", tenantId: "client-a" }, { key: "b", tenantId: "client-b" }],
      dlp: true,
    }).consentUrls;
  });
  expect(out).toHaveResourceWithProperties(Application, {
    sign_in_audience: "AzureADMultipleOrgs",
    required_resource_access: [
      { resource_app_id: MANAGEMENT_API_APP_ID, resource_access: [{ id: "594c1fb6-4f81-4475-ae41-0c394909246c", type: "Role" }, { id: "4807a72c-ad38-4250-94c9-4eabfe26cd55", type: "Role" }] },
    ],
  });
  expect(out).toHaveResourceWithProperties(ApplicationFederatedIdentityCredential, {
    issuer: "https://login.microsoftonline.com/mssp-tenant/v2.0",
    subject: PRINCIPAL,
    audiences: ["api://AzureADTokenExchange"],
  });
  expect(Object.keys(consent)).toEqual(["a", "b"]);
  expect(consent.a).toMatch(/^https:\/\/login\.microsoftonline\.com\/client-a\/adminconsent\?client_id=/);
  expect(out).not.toMatch(/"password"|client_secret/);
});

test("SentinelWorkspace: a workspace onboarded to Sentinel with local auth off", () => {
  const out = Testing.synthScope((s) => new SentinelWorkspace(s, "ws", { name: "al-contoso-sentinel", retentionDays: 90, ...at }));
  expect(out).toHaveResource(SentinelLogAnalyticsWorkspaceOnboarding);
  expect(out).toHaveResourceWithProperties(SentinelLogAnalyticsWorkspaceOnboarding, { workspace_id: expect.stringMatching(/^\$\{azurerm_log_analytics_workspace\.ws_workspace_\w+\.id\}$/) });
});

test("SentinelContent: every hunting query as a Hunting Queries saved search, and one function per ADX table and dedup view", () => {
  const queries = loadHuntingQueries();
  const out = Testing.synthScope(
    (s) => new SentinelContent(s, "content", { workspaceId: "/ws", huntingQueries: queries, clusterUri: "https://aladx.westeurope.kusto.windows.net", database: "audit_contoso" }),
  );
  for (const q of queries) {
    expect(out).toHaveResourceWithProperties(LogAnalyticsSavedSearch, { name: q.id, category: "Hunting Queries", query: q.query, display_name: q.name });
  }
  expect(out).toHaveResourceWithProperties(LogAnalyticsSavedSearch, {
    category: "Function",
    function_alias: "microsoft_unified_access_mail_dedup",
    query: "adx('https://aladx.westeurope.kusto.windows.net/audit_contoso').microsoft_unified_access_mail_dedup",
  });
});

test("MailAccessForwarding: the custom table, DCR stream and columns all come from kql/, with the identity as publisher on the rule", () => {
  const stream = mailAccessStream();
  const out = Testing.synthScope(
    (s) => new MailAccessForwarding(s, "fwd", { endpointName: "dce", ruleName: "dcr", workspaceId: "/ws", stream, principalId: PRINCIPAL, ...at }),
  );
  const columns = stream.columns.map((c) => ({ name: c.name, type: c.type }));
  expect(columns[0]).toEqual({ name: "TimeGenerated", type: "datetime" });
  // The table's API spells the type dateTime (case-sensitive); the DCR's stream declaration takes datetime.
  expect(out).toHaveResourceWithProperties(LogAnalyticsWorkspaceTableCustomLog, { name: stream.tableName, column: columns.map((c) => (c.type === "datetime" ? { ...c, type: "dateTime" } : c)) });
  expect(out).toHaveResourceWithProperties(MonitorDataCollectionRule, { stream_declaration: [{ stream_name: stream.streamName, column: columns }] });
  const rule = Object.values(JSON.parse(out).resource.azurerm_monitor_data_collection_rule)[0] as { data_flow: unknown[] };
  expect(rule.data_flow).toEqual([{ streams: [stream.streamName], destinations: ["sentinel"], output_stream: stream.streamName, transform_kql: "source" }]);
  expect(out).toHaveResourceWithProperties(RoleAssignment, { role_definition_name: "Monitoring Metrics Publisher", scope: expect.stringMatching(/^\$\{azurerm_monitor_data_collection_rule\.fwd_rule_\w+\.id\}$/) });
});
