// The rules the providers (azurerm 4.55.0, azuread 3.7.0) and Resource Manager apply to what the infra app writes, as
// data: each with where it was read. The typed bindings encode only the providers' schemas; these are their validation
// functions and ARM's own checks, which otherwise meet the app for the first time at `terraform plan` or `apply`.
import { FLEX_REFUSED_SITE_CONFIG } from "../../local/resource-manager/flex-site-config";
import { ADX_SKUS } from "../../infra/config/adx-skus";
import type { TerraformJson } from "./synthesized-stacks";
import { ALERT_RULES } from "./provider-rules-alerts";
import { OPERATOR_SIGN_IN_RULES } from "./provider-rules-operator-sign-in";
import { all, AZUREAD, AZURERM, boolean, intBetween, matches, maxBytes, notEmpty, oneOf, resourceId, uuid, whitespaceOnly, type ProviderRule } from "./provider-rule-checks";

export type { ProviderRule };

export { FLEX_REFUSED_SITE_CONFIG };

/** What azurerm's own Flex Consumption resource sends in siteConfig (ExpandSiteConfigFunctionFlexConsumptionApp), less the refused. */
export const FLEX_ACCEPTED_SITE_CONFIG = [
  "acrUseManagedIdentityCreds", "apiDefinition", "apiManagementConfig", "appCommandLine", "appSettings", "cors", "defaultDocuments",
  "http20Enabled", "healthCheckPath", "ipSecurityRestrictions", "ipSecurityRestrictionsDefaultAction", "loadBalancing",
  "managedPipelineMode", "minTlsVersion", "minimumElasticInstanceCount", "numberOfWorkers", "remoteDebuggingEnabled",
  "remoteDebuggingVersion", "scmIpSecurityRestrictions", "scmIpSecurityRestrictionsDefaultAction", "scmIpSecurityRestrictionsUseMain",
  "scmMinTlsVersion", "vnetRouteAllEnabled", "webSocketsEnabled",
] as const;

/** The siteConfig problems ARM reports for a Flex Consumption site (the emulated Resource Manager applies the same rule). */
export function flexSiteConfigProblem(templateContent: unknown): string | undefined {
  if (typeof templateContent !== "string") return undefined;
  const template = JSON.parse(templateContent) as { resources?: Array<{ type: string; properties?: { functionAppConfig?: unknown; siteConfig?: Record<string, unknown> } }> };
  for (const r of template.resources ?? []) {
    if (r.type !== "Microsoft.Web/sites" || !r.properties?.functionAppConfig) continue;
    const keys = Object.keys(r.properties.siteConfig ?? {});
    const refused = keys.filter((k) => (FLEX_REFUSED_SITE_CONFIG as readonly string[]).includes(k));
    if (refused.length) return `Flex Consumption site sets ${refused.join(", ")}: ARM refuses it with 51021`;
    const unknown = keys.filter((k) => !(FLEX_ACCEPTED_SITE_CONFIG as readonly string[]).includes(k));
    if (unknown.length) return `Flex Consumption site sets ${unknown.join(", ")}, which no Flex source shows accepted: check it against ARM first`;
  }
  return undefined;
}

const KUSTO_CLUSTER_NAME = all(matches(/^[a-z][a-z0-9-]+$/, "lower-case letter first, then lower-case letters, digits, dashes", 4, 22));
const KUSTO_DATABASE_NAME = all(whitespaceOnly, matches(/^[a-zA-Z0-9\s._-]+$/, "letters, digits, whitespace, dash, underscore, dot", 0, 260));
const KUSTO_NAME_SOURCE = `${AZURERM} internal/services/kusto/validate/name.go`;

export const PROVIDER_RULES: ProviderRule[] = [
  // Kusto
  { resource: "azurerm_kusto_cluster", attribute: "name", rule: "^[a-z][a-z0-9-]+$, 4-22", source: `${KUSTO_NAME_SOURCE} (ClusterName)`, check: KUSTO_CLUSTER_NAME },
  { resource: "azurerm_kusto_cluster", attribute: "sku.name", rule: "one of the provider's AzureSkuName values (case-sensitive)", source: `${AZURERM} kusto_cluster_resource.go + vendored kusto/2024-04-13/clusters/constants.go (infra/config/adx-skus.ts)`, check: oneOf(ADX_SKUS) },
  { resource: "azurerm_kusto_cluster", attribute: "sku.capacity", rule: "1-1000", source: `${AZURERM} internal/services/kusto/kusto_cluster_resource.go`, check: intBetween(1, 1000) },
  { resource: "azurerm_kusto_database", attribute: "hot_cache_period", rule: "an ISO 8601 duration", source: `${AZURERM} kusto_database_resource.go (validate.ISO8601Duration)`, check: matches(/^P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?$/, "ISO 8601 duration such as P31D") },
  { resource: "azurerm_kusto_database", attribute: "soft_delete_period", rule: "an ISO 8601 duration", source: `${AZURERM} kusto_database_resource.go (validate.ISO8601Duration)`, check: matches(/^P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?$/, "ISO 8601 duration such as P365D") },
  { resource: "azurerm_kusto_script", attribute: "script_content", rule: "not empty", source: `${AZURERM} internal/services/kusto/kusto_script_resource.go`, check: notEmpty },
  { resource: "data.azurerm_kusto_cluster", attribute: "name", rule: "^[a-z][a-z0-9-]+$, 4-22", source: `${AZURERM} internal/services/kusto/kusto_cluster_data_source.go → ClusterName`, check: KUSTO_CLUSTER_NAME },
  { resource: "azurerm_kusto_database", attribute: "name", rule: "^[a-zA-Z0-9\\s._-]+$, ≤ 260, not whitespace only", source: `${KUSTO_NAME_SOURCE} (DatabaseName)`, check: KUSTO_DATABASE_NAME },
  { resource: "azurerm_kusto_database", attribute: "cluster_name", rule: "ClusterName", source: `${AZURERM} internal/services/kusto/kusto_database_resource.go`, check: KUSTO_CLUSTER_NAME },
  {
    resource: "azurerm_kusto_database_principal_assignment",
    attribute: "name",
    rule: "^[a-zA-Z0-9\\s.-]+$ (no underscore), ≤ 260, not whitespace only",
    source: `${KUSTO_NAME_SOURCE} (DatabasePrincipalAssignmentName)`,
    check: all(whitespaceOnly, matches(/^[a-zA-Z0-9\s.-]+$/, "letters, digits, whitespace, dash, dot — no underscore", 0, 260)),
  },
  { resource: "azurerm_kusto_database_principal_assignment", attribute: "cluster_name", rule: "ClusterName", source: `${AZURERM} internal/services/kusto/kusto_database_principal_assignment_resource.go`, check: KUSTO_CLUSTER_NAME },
  { resource: "azurerm_kusto_database_principal_assignment", attribute: "database_name", rule: "DatabaseName", source: `${AZURERM} internal/services/kusto/kusto_database_principal_assignment_resource.go`, check: KUSTO_DATABASE_NAME },
  { resource: "azurerm_kusto_database_principal_assignment", attribute: "role", rule: "Admin, Ingestor, Monitor, User, UnrestrictedViewer, Viewer", source: `${AZURERM} kusto_database_principal_assignment_resource.go (databaseprincipalassignments.PossibleValuesForDatabasePrincipalRole)`, check: oneOf(["Admin", "Ingestor", "Monitor", "User", "UnrestrictedViewer", "Viewer"]) },
  { resource: "azurerm_kusto_database_principal_assignment", attribute: "principal_type", rule: "App, Group, User", source: `${AZURERM} kusto_database_principal_assignment_resource.go`, check: oneOf(["App", "Group", "User"]) },
  { resource: "azurerm_kusto_script", attribute: "name", rule: "required (no pattern)", source: `${AZURERM} internal/services/kusto/kusto_script_resource.go`, check: notEmpty },

  // Log Analytics, Sentinel content, Logs Ingestion
  {
    resource: "azurerm_log_analytics_workspace",
    attribute: "name",
    rule: "^[A-Za-z0-9][A-Za-z0-9-]+[A-Za-z0-9]$, 4-63",
    source: `${AZURERM} internal/services/loganalytics/validate/log_analytics_workspace_name.go`,
    check: matches(/^[A-Za-z0-9][A-Za-z0-9-]+[A-Za-z0-9]$/, "letters, digits, dashes; no dash first or last", 4, 63),
  },
  { resource: "azurerm_log_analytics_workspace", attribute: "retention_in_days", rule: "30-730", source: `${AZURERM} internal/services/loganalytics/log_analytics_workspace_resource.go`, check: intBetween(30, 730) },
  { resource: "azurerm_log_analytics_workspace", attribute: "sku", rule: "PerGB2018, PerNode, Premium, Standalone, Standard, CapacityReservation, LACluster (creation: PerGB2018)", source: `${AZURERM} internal/services/loganalytics/log_analytics_workspace_resource.go`, check: oneOf(["PerGB2018", "PerNode", "Premium", "Standalone", "Standard", "CapacityReservation", "LACluster"]) },
  { resource: "azurerm_log_analytics_workspace_table_custom_log", attribute: "plan", rule: "Analytics or Basic", source: `${AZURERM} vendored operationalinsights/2022-10-01/tables/constants.go (PossibleValuesForTablePlanEnum)`, check: oneOf(["Analytics", "Basic"]) },
  { resource: "azurerm_log_analytics_saved_search", attribute: "query", rule: "not empty", source: `${AZURERM} internal/services/loganalytics/log_analytics_saved_search_resource.go`, check: notEmpty },
  { resource: "azurerm_monitor_data_collection_rule", attribute: "stream_declaration[].stream_name", rule: "not empty", source: `${AZURERM} internal/services/monitor/monitor_data_collection_rule_resource.go`, check: notEmpty },
  { resource: "azurerm_monitor_data_collection_rule", attribute: "data_flow[].streams[]", rule: "not empty", source: `${AZURERM} internal/services/monitor/monitor_data_collection_rule_resource.go`, check: notEmpty },
  { resource: "azurerm_monitor_data_collection_rule", attribute: "data_flow[].output_stream", rule: "not empty", source: `${AZURERM} internal/services/monitor/monitor_data_collection_rule_resource.go`, check: notEmpty },
  { resource: "azurerm_monitor_data_collection_rule", attribute: "data_flow[].transform_kql", rule: "not empty", source: `${AZURERM} internal/services/monitor/monitor_data_collection_rule_resource.go`, check: notEmpty },
  { resource: "azurerm_log_analytics_workspace_table_custom_log", attribute: "name", rule: "ends with _CL", source: `${AZURERM} internal/services/loganalytics/log_analytics_workspace_table_custom_log_resource.go`, check: matches(/_CL$/, "ends with _CL") },
  {
    resource: "azurerm_log_analytics_workspace_table_custom_log",
    attribute: "column[].type",
    rule: "case-sensitive enum boolean, dateTime, dynamic, guid, int, long, real, string",
    source: `${AZURERM} internal/services/loganalytics/log_analytics_workspace_table.go + vendored operationalinsights/2022-10-01/tables/constants.go`,
    check: oneOf(["boolean", "dateTime", "dynamic", "guid", "int", "long", "real", "string"]),
  },
  {
    resource: "azurerm_monitor_data_collection_rule",
    attribute: "stream_declaration[].column[].type",
    rule: "case-sensitive enum boolean, datetime, dynamic, int, long, real, string (no guid)",
    source: `${AZURERM} internal/services/monitor/monitor_data_collection_rule_resource.go + vendored insights/2023-03-11/datacollectionrules/constants.go`,
    check: oneOf(["boolean", "datetime", "dynamic", "int", "long", "real", "string"]),
  },
  { resource: "azurerm_monitor_data_collection_rule", attribute: "destinations.log_analytics[].name", rule: "1-32 characters", source: `${AZURERM} internal/services/monitor/monitor_data_collection_rule_resource.go`, check: matches(/^/, "any", 1, 32) },
  { resource: "azurerm_monitor_data_collection_rule", attribute: "name", rule: "not empty", source: `${AZURERM} internal/services/monitor/monitor_data_collection_rule_resource.go`, check: notEmpty },
  { resource: "azurerm_monitor_data_collection_endpoint", attribute: "name", rule: "not empty", source: `${AZURERM} internal/services/monitor/monitor_data_collection_endpoint_resource.go`, check: notEmpty },
  { resource: "azurerm_log_analytics_saved_search", attribute: "category", rule: "not empty", source: `${AZURERM} internal/services/loganalytics/log_analytics_saved_search_resource.go`, check: notEmpty },
  { resource: "azurerm_log_analytics_saved_search", attribute: "display_name", rule: "not empty", source: `${AZURERM} internal/services/loganalytics/log_analytics_saved_search_resource.go`, check: notEmpty },
  { resource: "azurerm_log_analytics_saved_search", attribute: "function_alias", rule: "not empty when set", source: `${AZURERM} internal/services/loganalytics/log_analytics_saved_search_resource.go`, check: notEmpty },

  // Tags, on every resource
  { resource: "*", attribute: "tags.*", rule: "value ≤ 256 bytes (Go len)", source: `${AZURERM} vendored go-azure-helpers resourcemanager/tags/validate.go`, check: maxBytes(256) },
  { resource: "*", attribute: "tags.#", rule: "key ≤ 512 bytes (Go len)", source: `${AZURERM} vendored go-azure-helpers resourcemanager/tags/validate.go`, check: maxBytes(512) },
  { resource: "*", attribute: "tags", rule: "at most 50 tags", source: `${AZURERM} vendored go-azure-helpers resourcemanager/tags/validate.go`, check: (v) => (v && typeof v === "object" && Object.keys(v).length > 50 ? `has ${Object.keys(v).length} tags, at most 50` : undefined) },

  // Resource groups, storage, identity, plan, site
  {
    resource: "*",
    attribute: "resource_group_name",
    rule: "^[-\\w._()]+$, ≤ 90, not ending in a period",
    source: `${AZURERM} vendored go-azure-helpers resourcemanager/resourcegroups/validate.go`,
    check: all(matches(/^[-\w._()]+$/, "letters, digits, - _ . ( )", 1, 90), (v) => (typeof v === "string" && v.endsWith(".") ? "ends with a period" : undefined)),
  },
  {
    resource: "azurerm_resource_group",
    attribute: "name",
    rule: "^[-\\w._()]+$, ≤ 90, not ending in a period",
    source: `${AZURERM} vendored go-azure-helpers resourcemanager/resourcegroups/validate.go`,
    check: all(matches(/^[-\w._()]+$/, "letters, digits, - _ . ( )", 1, 90), (v) => (typeof v === "string" && v.endsWith(".") ? "ends with a period" : undefined)),
  },
  { resource: "azurerm_storage_account", attribute: "name", rule: "^[a-z0-9]{3,24}$", source: `${AZURERM} internal/services/storage/validate/storage_account_name.go`, check: matches(/^[a-z0-9]{3,24}$/, "3-24 lower-case letters and digits") },
  {
    resource: "azurerm_storage_container",
    attribute: "name",
    rule: "^[a-z0-9-]{3,63}$, letter or digit first, no double dash",
    source: "Learn, Naming and referencing containers, blobs and metadata (the provider's StorageContainerName applies the same)",
    check: matches(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, "3-63 lower-case letters, digits, single dashes", 3, 63),
  },
  {
    resource: "azurerm_user_assigned_identity",
    attribute: "name",
    rule: "3-128, letters, digits, dash, underscore; letter or digit first",
    source: "Learn, Resource naming rules (Microsoft.ManagedIdentity/userAssignedIdentities); azurerm 4.55.0 validates none",
    check: matches(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, "letters, digits, dash, underscore", 3, 128),
  },
  { resource: "azurerm_service_plan", attribute: "name", rule: "^[0-9a-zA-Z-_]{1,60}$", source: `${AZURERM} internal/services/appservice/validate/service_plan_name.go`, check: matches(/^[0-9a-zA-Z_-]{1,60}$/, "letters, digits, dash, underscore, ≤ 60") },
  { resource: "azurerm_storage_account", attribute: "account_kind", rule: "BlobStorage, BlockBlobStorage, FileStorage, Storage, StorageV2", source: `${AZURERM} storage_account_resource.go (storageaccounts.PossibleValuesForKind)`, check: oneOf(["BlobStorage", "BlockBlobStorage", "FileStorage", "Storage", "StorageV2"]) },
  { resource: "azurerm_storage_account", attribute: "account_tier", rule: "Premium or Standard", source: `${AZURERM} storage_account_resource.go (storageaccounts.PossibleValuesForSkuTier)`, check: oneOf(["Premium", "Standard"]) },
  { resource: "azurerm_storage_account", attribute: "account_replication_type", rule: "LRS, ZRS, GRS, RAGRS, GZRS, RAGZRS", source: `${AZURERM} internal/services/storage/storage_account_resource.go`, check: oneOf(["LRS", "ZRS", "GRS", "RAGRS", "GZRS", "RAGZRS"]) },
  { resource: "azurerm_storage_account", attribute: "min_tls_version", rule: "TLS1_2 only (4.x)", source: `${AZURERM} internal/services/storage/storage_account_resource.go`, check: oneOf(["TLS1_2"]) },
  { resource: "azurerm_storage_container", attribute: "container_access_type", rule: "blob, container, private", source: `${AZURERM} internal/services/storage/storage_container_resource.go`, check: oneOf(["blob", "container", "private"]) },
  { resource: "azurerm_service_plan", attribute: "os_type", rule: "Linux, Windows, WindowsContainer", source: `${AZURERM} internal/services/appservice/service_plan_resource.go`, check: oneOf(["Linux", "Windows", "WindowsContainer"]) },
  { resource: "azurerm_role_assignment", attribute: "role_definition_name", rule: "not empty", source: `${AZURERM} internal/services/authorization/role_assignment_resource.go`, check: notEmpty },
  { resource: "azurerm_service_plan", attribute: "sku_name", rule: "FC1 is Flex Consumption", source: `${AZURERM} internal/services/appservice/service_plan_resource.go (PossibleValuesForSkuName)`, check: oneOf(["FC1"]) },
  {
    resource: "azurerm_resource_group_template_deployment",
    attribute: "name",
    rule: "^([a-zA-Z0-9-._()])+$ (provider), 1-64 (ARM)",
    source: `${AZURERM} internal/services/resource/validate/template_deployment_name.go; Learn, Resource naming rules (Microsoft.Resources/deployments)`,
    check: matches(/^[a-zA-Z0-9-._()]+$/, "letters, digits, - . _ ( )", 1, 64),
  },
  {
    resource: "azurerm_resource_group_template_deployment",
    attribute: "template_content",
    rule: "a Flex Consumption site's siteConfig holds no property ARM refuses (51021) and only ones a Flex source shows accepted",
    source: "ARM error 51021 (microsoft/azure-pipelines-tasks#21032, Azure/terraform-azurerm-avm-res-web-site#283/#345); accepted: azurerm v4.55.0 helpers/function_app_schema.go ExpandSiteConfigFunctionFlexConsumptionApp",
    check: flexSiteConfigProblem,
  },
  { resource: "azurerm_resource_group_template_deployment", attribute: "deployment_mode", rule: "Complete or Incremental", source: `${AZURERM} internal/services/resource/resource_group_template_deployment_resource.go`, check: oneOf(["Complete", "Incremental"]) },

  // Types whose attributes the providers check by schema only (listed so every written type is accounted for)
  { resource: "azurerm_application_insights", attribute: "application_type", rule: "enum incl. web, other", source: `${AZURERM} internal/services/applicationinsights/application_insights_resource.go`, check: oneOf(["ios", "java", "MobileCenter", "Node.JS", "other", "phone", "store", "web"]) },
  { resource: "azurerm_role_assignment", attribute: "principal_type", rule: "User, Group, ServicePrincipal", source: `${AZURERM} internal/services/authorization/role_assignment_resource.go`, check: oneOf(["User", "Group", "ServicePrincipal", "ForeignGroup", "Device"]) },
  { resource: "azurerm_sentinel_log_analytics_workspace_onboarding", attribute: "workspace_id", rule: "a workspace id (checked at plan against the reference)", source: `${AZURERM} internal/services/sentinel/sentinel_onboarding_resource.go`, check: () => undefined },
  { resource: "azuread_application", attribute: "display_name", rule: "not empty", source: "terraform-provider-azuread v3.7.0 internal/services/applications/application_resource.go", check: notEmpty },
  { resource: "azuread_application_federated_identity_credential", attribute: "display_name", rule: "1-120 characters", source: "terraform-provider-azuread v3.7.0 internal/services/applications/application_federated_identity_credential_resource.go", check: matches(/^/, "any", 1, 120) },
  { resource: "azuread_app_role_assignment", attribute: "app_role_id", rule: "a UUID (from the service principal's app roles)", source: "terraform-provider-azuread v3.7.0 internal/services/approleassignments/app_role_assignment_resource.go", check: () => undefined },

  // Ids the providers parse (a literal must be an id of the named type)
  ...(
    [
      ["azurerm_application_insights", "workspace_id", "Microsoft.OperationalInsights", "workspaces", "applicationinsights/application_insights_resource.go (workspaces.ValidateWorkspaceID)"],
      ["azurerm_log_analytics_saved_search", "log_analytics_workspace_id", "Microsoft.OperationalInsights", "workspaces", "loganalytics/log_analytics_saved_search_resource.go (savedsearches.ValidateWorkspaceID)"],
      ["azurerm_log_analytics_workspace_table_custom_log", "workspace_id", "Microsoft.OperationalInsights", "workspaces", "loganalytics/log_analytics_workspace_table_custom_log_resource.go (workspaces.ValidateWorkspaceID)"],
      ["azurerm_monitor_data_collection_rule", "destinations.log_analytics[].workspace_resource_id", "Microsoft.OperationalInsights", "workspaces", "monitor/monitor_data_collection_rule_resource.go (workspaces.ValidateWorkspaceID)"],
      ["azurerm_monitor_data_collection_rule", "data_collection_endpoint_id", "Microsoft.Insights", "dataCollectionEndpoints", "monitor/monitor_data_collection_rule_resource.go (ValidateDataCollectionEndpointID)"],
      ["azurerm_sentinel_log_analytics_workspace_onboarding", "workspace_id", "Microsoft.OperationalInsights", "workspaces", "sentinel/sentinel_log_analytics_workspace_onboarding_resource.go (workspaces.ValidateWorkspaceID)"],
      ["azurerm_storage_container", "storage_account_id", "Microsoft.Storage", "storageAccounts", "storage/storage_container_resource.go (commonids.ValidateStorageAccountID)"],
    ] as const
  ).map(([resource, attribute, provider, type, file]) => ({ resource, attribute, rule: `a ${provider}/${type} resource id`, source: `${AZURERM} internal/services/${file}`, check: resourceId(provider, type) })),
  { resource: "azurerm_kusto_script", attribute: "database_id", rule: "a Kusto database id", source: `${AZURERM} internal/services/kusto/kusto_script_resource.go (commonids.ValidateKustoDatabaseID)`, check: (v: unknown) => (typeof v !== "string" || /^\$\{/.test(v) || /\/providers\/Microsoft\.Kusto\/clusters\/[^/]+\/databases\/[^/]+$/i.test(v) ? undefined : "is not a Kusto database id") },
  { resource: "azurerm_kusto_script", attribute: "force_an_update_when_value_changed", rule: "not empty", source: `${AZURERM} internal/services/kusto/kusto_script_resource.go`, check: notEmpty },
  { resource: "azurerm_kusto_database_principal_assignment", attribute: "principal_id", rule: "not empty", source: `${AZURERM} kusto_database_principal_assignment_resource.go`, check: notEmpty },
  { resource: "azurerm_kusto_database_principal_assignment", attribute: "tenant_id", rule: "not empty", source: `${AZURERM} kusto_database_principal_assignment_resource.go`, check: notEmpty },
  { resource: "azurerm_kusto_cluster", attribute: "trusted_external_tenants[]", rule: "a UUID, empty or *", source: `${AZURERM} internal/services/kusto/kusto_cluster_resource.go`, check: (v: unknown) => (v === "" || v === "*" ? undefined : uuid(v)) },
  { resource: "azurerm_log_analytics_workspace_table_custom_log", attribute: "column[].name", rule: "not empty", source: `${AZURERM} internal/services/loganalytics/log_analytics_workspace_table.go`, check: notEmpty },
  { resource: "azurerm_monitor_data_collection_rule", attribute: "stream_declaration[].column[].name", rule: "not empty", source: `${AZURERM} internal/services/monitor/monitor_data_collection_rule_resource.go`, check: notEmpty },
  { resource: "azurerm_monitor_data_collection_rule", attribute: "data_flow[].destinations[]", rule: "not empty", source: `${AZURERM} internal/services/monitor/monitor_data_collection_rule_resource.go`, check: notEmpty },
  { resource: "azurerm_resource_group_template_deployment", attribute: "parameters_content", rule: "JSON of {name: {value}} (ARM reads it; the provider validates none)", source: "Learn, Resource Manager template parameters file", check: (v) => { try { return typeof v === "string" && Object.values(JSON.parse(v)).every((p) => p && typeof p === "object" && "value" in p) ? undefined : "is not a parameters object"; } catch { return "is not JSON"; } } },

  // Entra (azuread v3.7.0)
  { resource: "azuread_application", attribute: "sign_in_audience", rule: "AzureADMyOrg, AzureADMultipleOrgs, AzureADandPersonalMicrosoftAccount, PersonalMicrosoftAccount", source: `${AZUREAD} internal/services/applications/application_resource.go (possibleValuesForSignInAudience)`, check: oneOf(["AzureADMyOrg", "AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount"]) },
  { resource: "azuread_application", attribute: "required_resource_access[].resource_access[].id", rule: "a UUID", source: `${AZUREAD} internal/services/applications/application_resource.go`, check: uuid },
  { resource: "azuread_application", attribute: "required_resource_access[].resource_access[].type", rule: "Role or Scope", source: `${AZUREAD} internal/services/applications/application_resource.go`, check: oneOf(["Role", "Scope"]) },
  { resource: "azuread_application", attribute: "required_resource_access[].resource_app_id", rule: "no validation function (an application id)", source: `${AZUREAD} internal/services/applications/application_resource.go`, check: uuid },
  { resource: "azuread_application_federated_identity_credential", attribute: "audiences[]", rule: "not empty", source: `${AZUREAD} internal/services/applications/application_federated_identity_credential_resource.go`, check: notEmpty },
  { resource: "azuread_application_federated_identity_credential", attribute: "application_id", rule: "an /applications/{id} id", source: `${AZUREAD} application_federated_identity_credential_resource.go (stable.ValidateApplicationID)`, check: (v: unknown) => (typeof v !== "string" || /^\$\{/.test(v) || /^\/applications\/[0-9a-f-]{36}$/i.test(v) ? undefined : "is not an /applications/{id} id") },
  ...(["issuer", "subject", "description"] as const).map((attribute) => ({ resource: "azuread_application_federated_identity_credential", attribute, rule: "no validation function (Entra checks the issuer and subject at sign-in)", source: `${AZUREAD} internal/services/applications/application_federated_identity_credential_resource.go`, check: () => undefined })),
  ...(["principal_object_id", "resource_object_id"] as const).map((attribute) => ({ resource: "azuread_app_role_assignment", attribute, rule: "a UUID", source: `${AZUREAD} internal/services/approleassignments/app_role_assignment_resource.go`, check: uuid })),
  { resource: "data.azuread_service_principal", attribute: "client_id", rule: "a UUID", source: `${AZUREAD} internal/services/serviceprincipals/service_principal_data_source.go`, check: uuid },

  // Validated by schema type or nowhere at the pinned versions (listed so every written attribute is accounted for)
  { resource: "*", attribute: "location", rule: "a region: location.EnhancedValidate (normalised; checked against the subscription's regions when the provider has them)", source: `${AZURERM} vendored go-azure-helpers resourcemanager/commonschema/location.go`, check: matches(/^[a-z0-9]+$/, "a normalised region name such as westeurope") },
  ...(
    [
      ["azurerm_application_insights", "local_authentication_disabled"], ["azurerm_kusto_cluster", "auto_stop_enabled"], ["azurerm_kusto_cluster", "disk_encryption_enabled"],
      ["azurerm_kusto_cluster", "purge_enabled"], ["azurerm_kusto_cluster", "streaming_ingestion_enabled"], ["azurerm_kusto_script", "continue_on_errors_enabled"],
      ["azurerm_log_analytics_workspace", "local_authentication_enabled"], ["azurerm_monitor_data_collection_endpoint", "public_network_access_enabled"],
      ["azurerm_role_assignment", "skip_service_principal_aad_check"], ["azurerm_storage_account", "allow_nested_items_to_be_public"],
      ["azurerm_storage_account", "cross_tenant_replication_enabled"], ["azurerm_storage_account", "default_to_oauth_authentication"],
      ["azurerm_storage_account", "https_traffic_only_enabled"], ["azurerm_storage_account", "infrastructure_encryption_enabled"],
      ["azurerm_storage_account", "local_user_enabled"], ["azurerm_storage_account", "sftp_enabled"], ["azurerm_storage_account", "shared_access_key_enabled"],
    ] as const
  ).map(([resource, attribute]) => ({ resource, attribute, rule: "a bool (schema type only)", source: `${AZURERM} schema of ${resource}`, check: boolean })),
  ...(
    [
      ["azurerm_application_insights", "name"], ["azurerm_log_analytics_saved_search", "name"], ["azurerm_monitor_data_collection_rule", "description"],
      ["azurerm_role_assignment", "principal_id"], ["azurerm_role_assignment", "scope"],
    ] as const
  ).map(([resource, attribute]) => ({ resource, attribute, rule: "no validation function at the pinned version (ARM checks at apply)", source: `${AZURERM} schema of ${resource}`, check: () => undefined })),
  { resource: "data.azurerm_kusto_cluster", attribute: "resource_group_name", rule: "resource group name rules", source: `${AZURERM} commonschema.ResourceGroupNameForDataSource`, check: (v: unknown) => (typeof v === "string" && !/^[-\w._()]+$/.test(v) ? "is not a resource group name" : undefined) },
  { resource: "data.azurerm_user_assigned_identity", attribute: "name", rule: "not empty", source: `${AZURERM} internal/services/managedidentity/user_assigned_identity_data_source.go`, check: notEmpty },
  { resource: "data.azurerm_user_assigned_identity", attribute: "resource_group_name", rule: "resource group name rules", source: `${AZURERM} commonschema.ResourceGroupNameForDataSource`, check: (v: unknown) => (typeof v === "string" && !/^[-\w._()]+$/.test(v) ? "is not a resource group name" : undefined) },

  // Alerting (provider-rules-alerts.ts) and operator sign-in (provider-rules-operator-sign-in.ts)
  ...ALERT_RULES,
  ...OPERATOR_SIGN_IN_RULES,
];

/** Every value at a path of a block (lists flattened). */
export function valuesAt(block: unknown, attribute: string): unknown[] {
  if (attribute === "") return [block];
  let values: unknown[] = [block];
  for (const step of attribute.split(".")) {
    const next: unknown[] = [];
    for (const v of values) {
      if (v === null || typeof v !== "object") continue;
      if (step === "*") next.push(...Object.values(v));
      else if (step === "#") next.push(...Object.keys(v));
      else {
        const list = step.endsWith("[]");
        const child = (v as Record<string, unknown>)[list ? step.slice(0, -2) : step];
        if (child === undefined) continue;
        if (list) next.push(...(Array.isArray(child) ? child : [child]));
        else next.push(child);
      }
    }
    values = next;
  }
  return values;
}

export interface RuleViolation {
  stack: string;
  address: string;
  attribute: string;
  value: string;
  problem: string;
  rule: string;
  source: string;
}

/** Every violation of the table in one stack's Terraform JSON (resources and data sources). */
export function violations(stack: string, json: TerraformJson): RuleViolation[] {
  const blocks = [
    ...Object.entries(json.resource ?? {}).flatMap(([type, byName]) => Object.entries(byName).map(([name, body]) => ({ type, address: `${type}.${name}`, body }))),
    ...Object.entries(json.data ?? {}).flatMap(([type, byName]) => Object.entries(byName).map(([name, body]) => ({ type: `data.${type}`, address: `data.${type}.${name}`, body }))),
  ];
  const found: RuleViolation[] = [];
  for (const b of blocks) {
    for (const r of PROVIDER_RULES) {
      if (r.resource !== b.type && !(r.resource === "*" && !b.type.startsWith("data."))) continue;
      for (const value of valuesAt(b.body, r.attribute)) {
        const problem = r.check(value);
        if (problem) found.push({ stack, address: b.address, attribute: r.attribute, value: String(value).slice(0, 80), problem, rule: r.rule, source: r.source });
      }
    }
  }
  return found;
}

/** Attributes that are maps (keys are data, not schema): their values are checked as `map.*`. */
const MAP_ATTRIBUTES = ["tags", "custom_details"];

/** Every attribute path a block writes (`a.b`, `list[].c`, `tags.*`), meta-arguments left out. */
export function writtenAttributes(body: unknown, prefix = ""): string[] {
  if (Array.isArray(body)) return body.flatMap((x) => writtenAttributes(x, `${prefix}[]`));
  if (body && typeof body === "object") {
    if (MAP_ATTRIBUTES.includes(prefix)) return [`${prefix}.*`];
    return Object.entries(body).flatMap(([k, x]) => (["//", "depends_on", "provider", "lifecycle", "count", "for_each"].includes(k) && !prefix ? [] : writtenAttributes(x, prefix ? `${prefix}.${k}` : k)));
  }
  return [prefix];
}

/** The attributes a stack writes that no rule covers: each must get its rule (or its "no validation" entry) first. */
export function attributesWithoutRules(json: TerraformJson): string[] {
  const covered = new Set(PROVIDER_RULES.map((r) => `${r.resource} ${r.attribute}`));
  const everyResource = new Set(PROVIDER_RULES.filter((r) => r.resource === "*").map((r) => r.attribute));
  const blocks = [
    ...Object.entries(json.resource ?? {}).flatMap(([type, byName]) => Object.values(byName).map((body) => ({ type, body }))),
    ...Object.entries(json.data ?? {}).flatMap(([type, byName]) => Object.values(byName).map((body) => ({ type: `data.${type}`, body }))),
  ];
  const missing = new Set<string>();
  for (const b of blocks) for (const a of writtenAttributes(b.body)) if (!covered.has(`${b.type} ${a}`) && !(everyResource.has(a) && !b.type.startsWith("data."))) missing.add(`${b.type} ${a}`);
  return [...missing].sort();
}

/** The resource types of a stack that no rule names: a new type must get its rules first. */
export function typesWithoutRules(json: TerraformJson): string[] {
  const named = new Set(PROVIDER_RULES.map((r) => r.resource));
  return [...Object.keys(json.resource ?? {}), ...Object.keys(json.data ?? {}).map((t) => `data.${t}`)].filter((t) => !named.has(t) && !t.startsWith("data."));
}
