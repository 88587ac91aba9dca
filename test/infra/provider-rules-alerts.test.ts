// The alerting and operator sign-in rules refuse what the providers (and ARM) refuse: each case is a value read from
// the provider source as failing (test/infra/provider-rules-alerts.ts, provider-rules-operator-sign-in.ts) next to one
// that passes, so a rule that checks nothing fails here.
import { violations } from "./provider-rules";
import type { TerraformJson } from "./synthesized-stacks";

const problems = (type: string, body: Record<string, unknown>) => violations("s", { resource: { [type]: { r: body } } } as TerraformJson).map((v) => `${v.attribute}: ${v.problem}`);
const WS = "/subscriptions/s/resourceGroups/g/providers/Microsoft.OperationalInsights/workspaces/w";
const AI = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Insights/components/ai";
const TEST = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Insights/webTests/t";

test.each([
  ["azurerm_monitor_action_group", { short_name: "abcdefghijklm" }, "short_name"],
  ["azurerm_monitor_action_group", { name: "alerts/prod" }, "name"],
  ["azurerm_monitor_action_group", { webhook_receiver: [{ name: "w", service_uri: "ftp://x.example" }] }, "webhook_receiver[].service_uri"],
  ["azurerm_application_insights_standard_web_test", { frequency: 60 }, "frequency"],
  ["azurerm_application_insights_standard_web_test", { geo_locations: ["westeurope"] }, "geo_locations[]"],
  ["azurerm_application_insights_standard_web_test", { request: { url: "http://x.example/p" }, validation_rules: { ssl_check_enabled: true } }, ""],
  ["azurerm_application_insights_standard_web_test", { validation_rules: { ssl_cert_remaining_lifetime: 400 } }, "validation_rules.ssl_cert_remaining_lifetime"],
  ["azurerm_monitor_metric_alert", { frequency: "PT10M" }, "frequency"],
  ["azurerm_monitor_metric_alert", { window_size: "PT10M" }, "window_size"],
  ["azurerm_monitor_metric_alert", { frequency: "PT15M", window_size: "PT5M" }, ""],
  ["azurerm_monitor_metric_alert", { severity: 5 }, "severity"],
  ["azurerm_monitor_metric_alert", { scopes: [AI], application_insights_web_test_location_availability_criteria: { web_test_id: TEST, component_id: AI, failed_location_count: 2 } }, ""],
  ["azurerm_monitor_scheduled_query_rules_alert_v2", { evaluation_frequency: "P2D" }, "evaluation_frequency"],
  ["azurerm_monitor_scheduled_query_rules_alert_v2", { evaluation_frequency: "pt15m" }, "evaluation_frequency"],
  ["azurerm_monitor_scheduled_query_rules_alert_v2", { window_duration: "PT20M" }, "window_duration"],
  ["azurerm_monitor_scheduled_query_rules_alert_v2", { query_time_range_override: "PT1M" }, "query_time_range_override"],
  ["azurerm_monitor_scheduled_query_rules_alert_v2", { scopes: [AI, AI] }, "scopes"],
  ["azurerm_monitor_scheduled_query_rules_alert_v2", { name: "rule#1" }, "name"],
  ["azurerm_monitor_scheduled_query_rules_alert_v2", { criteria: [{ query: "T | count", failing_periods: { minimum_failing_periods_to_trigger_alert: 3, number_of_evaluation_periods: 2 } }] }, "criteria[]"],
  ["azurerm_monitor_scheduled_query_rules_alert_v2", { criteria: [{ query: "T | summarize by tenantName", dimension: [{ name: "contentType", operator: "Include", values: ["*"] }] }] }, "criteria[]"],
  ["azurerm_monitor_scheduled_query_rules_alert_v2", { criteria: [{ failing_periods: { minimum_failing_periods_to_trigger_alert: 7, number_of_evaluation_periods: 7 } }] }, "criteria[].failing_periods.number_of_evaluation_periods"],
  ["azurerm_sentinel_alert_rule_scheduled", { query_frequency: "PT1M" }, "query_frequency"],
  ["azurerm_sentinel_alert_rule_scheduled", { query_period: "P15D" }, "query_period"],
  ["azurerm_sentinel_alert_rule_scheduled", { suppression_duration: "P2D" }, "suppression_duration"],
  ["azurerm_sentinel_alert_rule_scheduled", { query_frequency: "PT1H", query_period: "PT30M" }, ""],
  ["azurerm_sentinel_alert_rule_scheduled", { query_frequency: "PT6H", query_period: "P1D", suppression_enabled: true, suppression_duration: "PT5H" }, ""],
  ["azurerm_sentinel_alert_rule_scheduled", { severity: "high" }, "severity"],
  ["azurerm_sentinel_alert_rule_scheduled", { tactics: ["Defense Evasion"] }, "tactics[]"],
  ["azurerm_sentinel_alert_rule_scheduled", { query: "x".repeat(10_001) }, "query"],
  ["azurerm_sentinel_alert_rule_scheduled", { custom_details: { A: "" } }, "custom_details.*"],
  ["azuread_application", { app_role: [{ id: "6b0a4f0e-3c1d-4f43-9d2e-0f6c1a1e0a01", value: "Operator All" }] }, "app_role[].value"],
  ["azuread_application", { app_role: [{ id: "6b0a4f0e-3c1d-4f43-9d2e-0f6c1a1e0a01", value: ".Operator" }] }, "app_role[].value"],
  ["azuread_application", { app_role: [{ id: "role-1", value: "Operator.All" }] }, "app_role[].id"],
  ["azuread_application", { app_role: [{ allowed_member_types: ["user"] }] }, "app_role[].allowed_member_types[]"],
  [
    "azuread_application",
    { app_role: [{ id: "6b0a4f0e-3c1d-4f43-9d2e-0f6c1a1e0a01", value: "Operator.All" }], api: { oauth2_permission_scope: [{ id: "6b0a4f0e-3c1d-4f43-9d2e-0f6c1a1e0a01", value: "user_impersonation" }] } },
    "",
  ],
  ["azuread_application", { app_role: [{ id: "6b0a4f0e-3c1d-4f43-9d2e-0f6c1a1e0a01", value: "Operator.All" }, { id: "6b0a4f0e-3c1d-4f43-9d2e-0f6c1a1e0a02", value: "Operator.All" }] }, ""],
  ["azuread_application", { api: { requested_access_token_version: 3 } }, "api.requested_access_token_version"],
  ["azuread_application", { group_membership_claims: ["Groups"] }, "group_membership_claims[]"],
  ["azuread_application_pre_authorized", { permission_ids: ["user_impersonation"] }, "permission_ids[]"],
  [
    "azurerm_resource_group_template_deployment",
    { template_content: JSON.stringify({ resources: [{ type: "Microsoft.Web/sites/config", name: "[format('{0}/authsettingsV2', 'x')]", properties: { globalValidation: { requireAuthenticaton: true } } }] }) },
    "template_content",
  ],
  [
    "azurerm_resource_group_template_deployment",
    { template_content: JSON.stringify({ resources: [{ type: "Microsoft.Web/sites/config", name: "x/authsettingsV2", properties: { globalValidation: { unauthenticatedClientAction: "Return404" } } }] }) },
    "template_content",
  ],
] as Array<[string, Record<string, unknown>, string]>)("%s %j is refused at %s", (type, body, attribute) => {
  expect(problems(type, body).filter((p) => p.startsWith(`${attribute}: `))).toHaveLength(1);
});

test("what the app writes passes: the same rules accept the provider's own valid values", () => {
  expect(problems("azurerm_monitor_action_group", { name: "contoso-audit-lake-alerts", short_name: "abcdefghijkl", webhook_receiver: [{ name: "w", service_uri: "${var.url}" }] })).toEqual([]);
  expect(problems("azurerm_monitor_metric_alert", { frequency: "PT1M", window_size: "PT5M", scopes: [TEST, AI], application_insights_web_test_location_availability_criteria: { web_test_id: TEST, component_id: AI, failed_location_count: 2 } })).toEqual([]);
  expect(problems("azurerm_monitor_scheduled_query_rules_alert_v2", { evaluation_frequency: "PT15M", window_duration: "P2D", query_time_range_override: "PT20M", criteria: [{ query: "T | summarize by contentType", dimension: [{ name: "contentType", operator: "Include", values: ["*"] }] }] })).toEqual([]);
  expect(problems("azurerm_sentinel_alert_rule_scheduled", { log_analytics_workspace_id: WS, query_frequency: "PT15M", query_period: "P14D", suppression_enabled: true, suppression_duration: "PT24H" })).toEqual([]);
  expect(problems("azuread_application", { app_role: [{ id: "6b0a4f0e-3c1d-4f43-9d2e-0f6c1a1e0a01", value: "Operator.All", allowed_member_types: ["User", "Application"] }], api: { oauth2_permission_scope: [{ id: "6b0a4f0e-3c1d-4f43-9d2e-0f6c1a1e0a10", value: "user_impersonation", type: "User" }] } })).toEqual([]);
});
