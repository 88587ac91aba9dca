// The rules the providers (azurerm 4.55.0, azuread 3.7.0) and Resource Manager apply to what the infra app writes, as
// data: each with where it was read. The typed bindings encode only the providers' schemas; these are their validation
// functions and ARM's own checks, which otherwise meet the app for the first time at `terraform plan` or `apply`.
import { FLEX_REFUSED_SITE_CONFIG } from "../../local/resource-manager/flex-site-config";
import type { TerraformJson } from "./synthesized-stacks";

export { FLEX_REFUSED_SITE_CONFIG };

export interface ProviderRule {
  /** Terraform resource (or `data.` + data source) type; `*` for every resource. */
  resource: string;
  /** Path in the block: `a.b`, `list[].field`, `map.*` (every value), `map.#` (every key). */
  attribute: string;
  /** The rule, as the source states it. */
  rule: string;
  /** Where it was read: provider file at the pinned version, or the Learn page / issue. */
  source: string;
  /** The problem with one value, or undefined when the value passes. */
  check(value: unknown): string | undefined;
}

const AZURERM = "terraform-provider-azurerm v4.55.0";

const matches = (re: RegExp, what: string, min = 0, max = Infinity) => (v: unknown) => {
  if (typeof v !== "string") return undefined; // a reference resolved at apply time: the provider checks it then
  if (/^\$\{/.test(v)) return undefined;
  if (v.length < min || v.length > max) return `is ${v.length} characters, allowed ${min}-${max}`;
  return re.test(v) ? undefined : `does not match ${re} (${what})`;
};
const oneOf = (values: readonly string[]) => (v: unknown) => (typeof v !== "string" || values.includes(v) ? undefined : `is not one of ${values.join(", ")} (case-sensitive)`);
const notBlank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? "is empty" : undefined);
const maxBytes = (max: number) => (v: unknown) => {
  const bytes = Buffer.byteLength(String(v), "utf8");
  return bytes > max ? `is ${bytes} bytes (Go len), the limit is ${max}` : undefined;
};
const whitespaceOnly = (v: unknown) => (typeof v === "string" && /^\s+$/.test(v) ? "consists of whitespace only" : undefined);
const all = (...checks: Array<(v: unknown) => string | undefined>) => (v: unknown) => checks.map((c) => c(v)).find(Boolean);

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
  { resource: "azurerm_kusto_script", attribute: "name", rule: "required (no pattern)", source: `${AZURERM} internal/services/kusto/kusto_script_resource.go`, check: notBlank },

  // Log Analytics, Sentinel content, Logs Ingestion
  {
    resource: "azurerm_log_analytics_workspace",
    attribute: "name",
    rule: "^[A-Za-z0-9][A-Za-z0-9-]+[A-Za-z0-9]$, 4-63",
    source: `${AZURERM} internal/services/loganalytics/validate/log_analytics_workspace_name.go`,
    check: matches(/^[A-Za-z0-9][A-Za-z0-9-]+[A-Za-z0-9]$/, "letters, digits, dashes; no dash first or last", 4, 63),
  },
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
  { resource: "azurerm_monitor_data_collection_rule", attribute: "destinations[].log_analytics[].name", rule: "1-32 characters", source: `${AZURERM} internal/services/monitor/monitor_data_collection_rule_resource.go`, check: matches(/^/, "any", 1, 32) },
  { resource: "azurerm_monitor_data_collection_rule", attribute: "name", rule: "not empty", source: `${AZURERM} internal/services/monitor/monitor_data_collection_rule_resource.go`, check: notBlank },
  { resource: "azurerm_monitor_data_collection_endpoint", attribute: "name", rule: "not empty", source: `${AZURERM} internal/services/monitor/monitor_data_collection_endpoint_resource.go`, check: notBlank },
  { resource: "azurerm_log_analytics_saved_search", attribute: "category", rule: "not empty", source: `${AZURERM} internal/services/loganalytics/log_analytics_saved_search_resource.go`, check: notBlank },
  { resource: "azurerm_log_analytics_saved_search", attribute: "display_name", rule: "not empty", source: `${AZURERM} internal/services/loganalytics/log_analytics_saved_search_resource.go`, check: notBlank },
  { resource: "azurerm_log_analytics_saved_search", attribute: "function_alias", rule: "not empty when set", source: `${AZURERM} internal/services/loganalytics/log_analytics_saved_search_resource.go`, check: notBlank },

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
  { resource: "azuread_application", attribute: "display_name", rule: "not empty", source: "terraform-provider-azuread v3.7.0 internal/services/applications/application_resource.go", check: notBlank },
  { resource: "azuread_application_federated_identity_credential", attribute: "display_name", rule: "not empty", source: "terraform-provider-azuread v3.7.0 internal/services/applications/application_federated_identity_credential_resource.go", check: notBlank },
  { resource: "azuread_app_role_assignment", attribute: "app_role_id", rule: "a UUID (from the service principal's app roles)", source: "terraform-provider-azuread v3.7.0 internal/services/approleassignments/app_role_assignment_resource.go", check: () => undefined },
];

/** Every value at a path of a block (lists flattened). */
export function valuesAt(block: unknown, attribute: string): unknown[] {
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

/** The resource types of a stack that no rule names: a new type must get its rules first. */
export function typesWithoutRules(json: TerraformJson): string[] {
  const named = new Set(PROVIDER_RULES.map((r) => r.resource));
  return [...Object.keys(json.resource ?? {}), ...Object.keys(json.data ?? {}).map((t) => `data.${t}`)].filter((t) => !named.has(t) && !t.startsWith("data."));
}
