// The rules azurerm 4.55.0 and Resource Manager apply to the platform's alerting (infra/constructs/alerts.ts,
// alerts-sentinel.ts): action group, availability test, its metric alert, the log alerts and the Sentinel gap rule.
import {
  all,
  anyResourceId,
  armName,
  AZURERM,
  boolean,
  durationBetween,
  intAtLeast,
  intBetween,
  intOneOf,
  isoDurationSeconds,
  isReference,
  matches,
  notEmpty,
  noValidation,
  oneOf,
  resourceId,
  urlWithScheme,
  type ProviderRule,
} from "./provider-rule-checks";
import { ALL_WEB_TEST_LOCATIONS } from "../../infra/config/web-test-locations";

const MONITOR = `${AZURERM} internal/services/monitor`;
const ACTION_GROUP = `${MONITOR}/monitor_action_group_resource.go`;
const WEB_TEST = `${AZURERM} internal/services/applicationinsights/application_insights_standard_web_test_resource.go`;
const METRIC_ALERT = `${MONITOR}/monitor_metric_alert_resource.go`;
const LOG_ALERT = `${MONITOR}/monitor_scheduled_query_rules_alert_v2_resource.go`;
const SENTINEL_RULE = `${AZURERM} internal/services/sentinel/sentinel_alert_rule_scheduled_resource.go`;
const SENTINEL_ENUMS = `${AZURERM} vendored securityinsights/2023-12-01-preview/alertrules/constants.go`;
const NAMING = "Learn, Resource naming rules (Microsoft.Insights)";

const LOG_ALERT_FREQUENCIES = ["PT1M", "PT5M", "PT10M", "PT15M", "PT30M", "PT45M", "PT1H", "PT2H", "PT3H", "PT4H", "PT5H", "PT6H", "P1D"];
const LOG_ALERT_WINDOWS = [...LOG_ALERT_FREQUENCIES, "P2D"];
const LOG_ALERT_TIME_RANGES = ["PT5M", "PT10M", "PT15M", "PT20M", "PT30M", "PT45M", "PT1H", "PT2H", "PT3H", "PT4H", "PT5H", "PT6H", "P1D", "P2D"];

type Block = Record<string, unknown>;
const asBlock = (v: unknown): Block | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as Block) : undefined);
const one = (v: unknown): Block | undefined => asBlock(Array.isArray(v) ? v[0] : v);
const seconds = (v: unknown) => (typeof v === "string" && !isReference(v) ? isoDurationSeconds(v) : undefined);

/** The web test's CustomizeDiff: SSL checks only on an https URL. */
function webTestSslProblem(block: unknown): string | undefined {
  const b = asBlock(block);
  const url = one(b?.request)?.url;
  const rules = one(b?.validation_rules);
  if (typeof url !== "string" || isReference(url) || /^https:\/\//i.test(url) || !rules) return undefined;
  if (rules.ssl_check_enabled === true) return "sets ssl_check_enabled on a URL that is not https";
  if (typeof rules.ssl_cert_remaining_lifetime === "number" && rules.ssl_cert_remaining_lifetime !== 0) return "sets ssl_cert_remaining_lifetime on a URL that is not https";
  return undefined;
}

/** A metric alert looks back at least as far as it checks; an availability alert is scoped to its test and component. */
function metricAlertProblem(block: unknown): string | undefined {
  const b = asBlock(block);
  const frequency = seconds(b?.frequency ?? "PT1M");
  const window = seconds(b?.window_size ?? "PT5M");
  if (frequency !== undefined && window !== undefined && window < frequency) return `window_size ${String(b?.window_size)} is shorter than frequency ${String(b?.frequency)}`;
  const availability = one(b?.application_insights_web_test_location_availability_criteria);
  const scopes = Array.isArray(b?.scopes) ? (b.scopes as unknown[]) : [];
  if (availability && !(scopes.includes(availability.web_test_id) && scopes.includes(availability.component_id))) return "an availability alert's scopes must hold both the web test id and the component id";
  return undefined;
}

/** One criterion of a log alert: failing periods within the evaluated ones; each dimension a column the query returns. */
function logAlertCriterionProblem(criterion: unknown): string | undefined {
  const c = asBlock(criterion);
  const periods = one(c?.failing_periods);
  const min = periods?.minimum_failing_periods_to_trigger_alert;
  const of = periods?.number_of_evaluation_periods;
  if (typeof min === "number" && typeof of === "number" && min > of) return `minimum_failing_periods_to_trigger_alert ${min} is more than number_of_evaluation_periods ${of}`;
  const query = typeof c?.query === "string" ? c.query : "";
  const dimensions = Array.isArray(c?.dimension) ? (c.dimension as Block[]) : [];
  const absent = dimensions.map((d) => d.name).filter((n): n is string => typeof n === "string" && !new RegExp(`\\b${n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`).test(query));
  return absent.length ? `splits by ${absent.join(", ")}, which the query never names` : undefined;
}

/** The Sentinel rule's sanity checks at create: no gap between runs, and suppression longer than a run. */
function sentinelScheduleProblem(block: unknown): string | undefined {
  const b = asBlock(block);
  const frequency = seconds(b?.query_frequency ?? "PT5H");
  const period = seconds(b?.query_period ?? "PT5H");
  const suppression = seconds(b?.suppression_duration ?? "PT5H");
  if (frequency !== undefined && period !== undefined && frequency > period) return "query_frequency is longer than query_period: the runs leave gaps";
  if (b?.suppression_enabled === true && frequency !== undefined && suppression !== undefined && frequency > suppression) return "query_frequency is longer than suppression_duration: suppression has no effect";
  return undefined;
}

const webTestLocation = (v: unknown) =>
  typeof v !== "string" || isReference(v) || (ALL_WEB_TEST_LOCATIONS as readonly string[]).includes(v) ? undefined : "is not an availability test location (population tag)";

export const ALERT_RULES: ProviderRule[] = [
  // Action group
  { resource: "azurerm_monitor_action_group", attribute: "name", rule: "not empty (provider); 1-260, none of :<>+/&%\\? nor control characters, no trailing space or period (ARM)", source: `${ACTION_GROUP}; ${NAMING} actionGroups`, check: all(notEmpty, armName(":<>+/&%\\?", 1, 260)) },
  { resource: "azurerm_monitor_action_group", attribute: "short_name", rule: "validation.StringLenBetween(1, 12) (Go len: bytes)", source: ACTION_GROUP, check: (v) => (typeof v === "string" && (Buffer.byteLength(v) < 1 || Buffer.byteLength(v) > 12) ? `is ${Buffer.byteLength(v)} bytes, allowed 1-12` : undefined) },
  { resource: "azurerm_monitor_action_group", attribute: "email_receiver[].name", rule: "not empty", source: ACTION_GROUP, check: notEmpty },
  { resource: "azurerm_monitor_action_group", attribute: "email_receiver[].email_address", rule: "not empty (the provider checks no address form)", source: ACTION_GROUP, check: notEmpty },
  { resource: "azurerm_monitor_action_group", attribute: "email_receiver[].use_common_alert_schema", rule: "a bool", source: ACTION_GROUP, check: boolean },
  { resource: "azurerm_monitor_action_group", attribute: "webhook_receiver[].name", rule: "not empty", source: ACTION_GROUP, check: notEmpty },
  { resource: "azurerm_monitor_action_group", attribute: "webhook_receiver[].service_uri", rule: "validation.IsURLWithScheme(http, https) (a variable or secret is checked at plan)", source: ACTION_GROUP, check: urlWithScheme(["http", "https"]) },
  { resource: "azurerm_monitor_action_group", attribute: "webhook_receiver[].use_common_alert_schema", rule: "a bool", source: ACTION_GROUP, check: boolean },

  // Standard availability test
  { resource: "azurerm_application_insights_standard_web_test", attribute: "name", rule: "validation.NoZeroValues", source: WEB_TEST, check: notEmpty },
  { resource: "azurerm_application_insights_standard_web_test", attribute: "application_insights_id", rule: "components.ValidateComponentID", source: WEB_TEST, check: resourceId("Microsoft.Insights", "components") },
  { resource: "azurerm_application_insights_standard_web_test", attribute: "frequency", rule: "validation.IntInSlice(300, 600, 900)", source: WEB_TEST, check: intOneOf([300, 600, 900]) },
  { resource: "azurerm_application_insights_standard_web_test", attribute: "timeout", rule: "an int (no validation function; default 30)", source: WEB_TEST, check: noValidation },
  { resource: "azurerm_application_insights_standard_web_test", attribute: "retry_enabled", rule: "a bool", source: WEB_TEST, check: boolean },
  { resource: "azurerm_application_insights_standard_web_test", attribute: "description", rule: "no validation function", source: WEB_TEST, check: noValidation },
  { resource: "azurerm_application_insights_standard_web_test", attribute: "geo_locations[]", rule: "not empty, at least one (provider); a location population tag of the cloud (ARM)", source: `${WEB_TEST}; Learn, Monitor availability, location population tags (infra/config/web-test-locations.ts)`, check: all(notEmpty, webTestLocation) },
  { resource: "azurerm_application_insights_standard_web_test", attribute: "request.url", rule: "not empty", source: WEB_TEST, check: all(notEmpty, urlWithScheme(["http", "https"])) },
  { resource: "azurerm_application_insights_standard_web_test", attribute: "request.http_verb", rule: "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS (case-sensitive)", source: WEB_TEST, check: oneOf(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]) },
  { resource: "azurerm_application_insights_standard_web_test", attribute: "request.follow_redirects_enabled", rule: "a bool", source: WEB_TEST, check: boolean },
  { resource: "azurerm_application_insights_standard_web_test", attribute: "validation_rules.expected_status_code", rule: "an int (no validation function; default 200)", source: WEB_TEST, check: noValidation },
  { resource: "azurerm_application_insights_standard_web_test", attribute: "validation_rules.ssl_check_enabled", rule: "a bool", source: WEB_TEST, check: boolean },
  { resource: "azurerm_application_insights_standard_web_test", attribute: "validation_rules.ssl_cert_remaining_lifetime", rule: "validation.IntBetween(1, 365)", source: WEB_TEST, check: intBetween(1, 365) },
  { resource: "azurerm_application_insights_standard_web_test", attribute: "", rule: "CustomizeDiff: ssl_check_enabled and ssl_cert_remaining_lifetime only with an https request.url", source: WEB_TEST, check: webTestSslProblem },

  // Metric alert on the availability test
  { resource: "azurerm_monitor_metric_alert", attribute: "name", rule: "not empty (provider); 1-260, none of *#&+:<>?@%{}\\/ nor control characters, no trailing space or period (ARM)", source: `${METRIC_ALERT}; ${NAMING} metricAlerts`, check: all(notEmpty, armName("*#&+:<>?@%{}\\/", 1, 260)) },
  { resource: "azurerm_monitor_metric_alert", attribute: "scopes[]", rule: "azure.ValidateResourceID, at least one", source: METRIC_ALERT, check: anyResourceId },
  { resource: "azurerm_monitor_metric_alert", attribute: "description", rule: "no validation function", source: METRIC_ALERT, check: noValidation },
  { resource: "azurerm_monitor_metric_alert", attribute: "severity", rule: "validation.IntBetween(0, 4)", source: METRIC_ALERT, check: intBetween(0, 4) },
  { resource: "azurerm_monitor_metric_alert", attribute: "frequency", rule: "PT1M, PT5M, PT15M, PT30M, PT1H (case-sensitive)", source: METRIC_ALERT, check: oneOf(["PT1M", "PT5M", "PT15M", "PT30M", "PT1H"]) },
  { resource: "azurerm_monitor_metric_alert", attribute: "window_size", rule: "PT1M, PT5M, PT15M, PT30M, PT1H, PT6H, PT12H, P1D (case-sensitive)", source: METRIC_ALERT, check: oneOf(["PT1M", "PT5M", "PT15M", "PT30M", "PT1H", "PT6H", "PT12H", "P1D"]) },
  {
    resource: "azurerm_monitor_metric_alert",
    attribute: "",
    rule: "window_size not shorter than frequency; an availability alert's scopes hold its web test and component ids",
    // the window ≥ frequency half is not stated in the provider or the REST reference: kept because a lookback shorter than
    // the check interval skips data, and no portal choice offers one; stricter than ARM at worst
    source: "Learn, Create a metric alert with a Resource Manager template (the availability test alert's scopes name both ids; window and frequency lists); window ≥ frequency not confirmed in a source",
    check: metricAlertProblem,
  },
  { resource: "azurerm_monitor_metric_alert", attribute: "application_insights_web_test_location_availability_criteria.web_test_id", rule: "webtests.ValidateWebTestID", source: METRIC_ALERT, check: resourceId("Microsoft.Insights", "webTests") },
  { resource: "azurerm_monitor_metric_alert", attribute: "application_insights_web_test_location_availability_criteria.component_id", rule: "components.ValidateComponentID", source: METRIC_ALERT, check: resourceId("Microsoft.Insights", "components") },
  { resource: "azurerm_monitor_metric_alert", attribute: "application_insights_web_test_location_availability_criteria.failed_location_count", rule: "validation.IntAtLeast(1)", source: METRIC_ALERT, check: intAtLeast(1) },
  { resource: "azurerm_monitor_metric_alert", attribute: "action[].action_group_id", rule: "azure.ValidateResourceID", source: METRIC_ALERT, check: anyResourceId },

  // Log search alerts (scheduled query rules v2)
  { resource: "azurerm_monitor_scheduled_query_rules_alert_v2", attribute: "name", rule: "not empty (provider); 1-260, none of *<>%{}&:\\?/# nor control characters, no trailing space or period (ARM)", source: `${LOG_ALERT}; ${NAMING} scheduledQueryRules`, check: all(notEmpty, armName("*<>%{}&:\\?/#", 1, 260)) },
  { resource: "azurerm_monitor_scheduled_query_rules_alert_v2", attribute: "display_name", rule: "not empty", source: LOG_ALERT, check: notEmpty },
  { resource: "azurerm_monitor_scheduled_query_rules_alert_v2", attribute: "description", rule: "no validation function", source: LOG_ALERT, check: noValidation },
  { resource: "azurerm_monitor_scheduled_query_rules_alert_v2", attribute: "scopes[]", rule: "azure.ValidateResourceID, exactly one", source: LOG_ALERT, check: anyResourceId },
  { resource: "azurerm_monitor_scheduled_query_rules_alert_v2", attribute: "scopes", rule: "MinItems 1, MaxItems 1", source: LOG_ALERT, check: (v) => (Array.isArray(v) && v.length !== 1 ? `has ${v.length} scopes, exactly 1 allowed` : undefined) },
  { resource: "azurerm_monitor_scheduled_query_rules_alert_v2", attribute: "severity", rule: "validation.IntBetween(0, 4)", source: LOG_ALERT, check: intBetween(0, 4) },
  { resource: "azurerm_monitor_scheduled_query_rules_alert_v2", attribute: "evaluation_frequency", rule: `${LOG_ALERT_FREQUENCIES.join(", ")} (no P2D; case-sensitive)`, source: LOG_ALERT, check: oneOf(LOG_ALERT_FREQUENCIES) },
  { resource: "azurerm_monitor_scheduled_query_rules_alert_v2", attribute: "window_duration", rule: `${LOG_ALERT_WINDOWS.join(", ")} (case-sensitive)`, source: LOG_ALERT, check: oneOf(LOG_ALERT_WINDOWS) },
  { resource: "azurerm_monitor_scheduled_query_rules_alert_v2", attribute: "query_time_range_override", rule: `${LOG_ALERT_TIME_RANGES.join(", ")} (no PT1M; case-sensitive)`, source: LOG_ALERT, check: oneOf(LOG_ALERT_TIME_RANGES) },
  { resource: "azurerm_monitor_scheduled_query_rules_alert_v2", attribute: "auto_mitigation_enabled", rule: "a bool (must be false when mute_actions_after_alert_duration is set)", source: LOG_ALERT, check: boolean },
  { resource: "azurerm_monitor_scheduled_query_rules_alert_v2", attribute: "action.action_groups[]", rule: "azure.ValidateResourceID", source: LOG_ALERT, check: anyResourceId },
  { resource: "azurerm_monitor_scheduled_query_rules_alert_v2", attribute: "criteria[].query", rule: "not empty", source: LOG_ALERT, check: notEmpty },
  { resource: "azurerm_monitor_scheduled_query_rules_alert_v2", attribute: "criteria[].operator", rule: "Equal, GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual (case-sensitive)", source: LOG_ALERT, check: oneOf(["Equal", "GreaterThan", "GreaterThanOrEqual", "LessThan", "LessThanOrEqual"]) },
  { resource: "azurerm_monitor_scheduled_query_rules_alert_v2", attribute: "criteria[].time_aggregation_method", rule: "Count, Average, Minimum, Maximum, Total (case-sensitive)", source: LOG_ALERT, check: oneOf(["Count", "Average", "Minimum", "Maximum", "Total"]) },
  { resource: "azurerm_monitor_scheduled_query_rules_alert_v2", attribute: "criteria[].threshold", rule: "a float (no validation function)", source: LOG_ALERT, check: noValidation },
  { resource: "azurerm_monitor_scheduled_query_rules_alert_v2", attribute: "criteria[].dimension[].name", rule: "not empty", source: LOG_ALERT, check: notEmpty },
  { resource: "azurerm_monitor_scheduled_query_rules_alert_v2", attribute: "criteria[].dimension[].operator", rule: "Include or Exclude (case-sensitive)", source: LOG_ALERT, check: oneOf(["Include", "Exclude"]) },
  { resource: "azurerm_monitor_scheduled_query_rules_alert_v2", attribute: "criteria[].dimension[].values[]", rule: "not empty", source: LOG_ALERT, check: notEmpty },
  { resource: "azurerm_monitor_scheduled_query_rules_alert_v2", attribute: "criteria[].failing_periods.minimum_failing_periods_to_trigger_alert", rule: "validation.IntBetween(1, 6)", source: LOG_ALERT, check: intBetween(1, 6) },
  { resource: "azurerm_monitor_scheduled_query_rules_alert_v2", attribute: "criteria[].failing_periods.number_of_evaluation_periods", rule: "validation.IntBetween(1, 6)", source: LOG_ALERT, check: intBetween(1, 6) },
  {
    resource: "azurerm_monitor_scheduled_query_rules_alert_v2",
    attribute: "criteria[]",
    rule: "minimum failing periods ≤ evaluation periods; each dimension is a column the query returns",
    source: "Learn, Microsoft.Insights scheduledQueryRules 2021-08-01 (failingPeriods.minFailingPeriodsToAlert: smaller or equal to numberOfEvaluationPeriods; dimensions split the query's result columns)",
    check: logAlertCriterionProblem,
  },

  // Sentinel scheduled analytics rule (a tenant's ingestion gap)
  { resource: "azurerm_sentinel_alert_rule_scheduled", attribute: "name", rule: "not empty", source: SENTINEL_RULE, check: notEmpty },
  { resource: "azurerm_sentinel_alert_rule_scheduled", attribute: "log_analytics_workspace_id", rule: "workspaces.ValidateWorkspaceID", source: SENTINEL_RULE, check: resourceId("Microsoft.OperationalInsights", "workspaces") },
  { resource: "azurerm_sentinel_alert_rule_scheduled", attribute: "display_name", rule: "not empty", source: SENTINEL_RULE, check: notEmpty },
  { resource: "azurerm_sentinel_alert_rule_scheduled", attribute: "description", rule: "not empty when set", source: SENTINEL_RULE, check: notEmpty },
  { resource: "azurerm_sentinel_alert_rule_scheduled", attribute: "severity", rule: "High, Informational, Low, Medium (case-sensitive)", source: `${SENTINEL_RULE} + ${SENTINEL_ENUMS} (AlertSeverity)`, check: oneOf(["High", "Informational", "Low", "Medium"]) },
  {
    resource: "azurerm_sentinel_alert_rule_scheduled",
    attribute: "query",
    rule: "not empty (provider); 1-10,000 characters (Sentinel)",
    source: `${SENTINEL_RULE}; Learn, Create a scheduled analytics rule (rule query length)`,
    check: all(notEmpty, matches(/^[\s\S]*$/, "any", 1, 10_000)),
  },
  { resource: "azurerm_sentinel_alert_rule_scheduled", attribute: "query_frequency", rule: "ISO8601DurationBetween(PT5M, P14D)", source: `${SENTINEL_RULE}; helpers/validate/time.go`, check: durationBetween("PT5M", "P14D") },
  { resource: "azurerm_sentinel_alert_rule_scheduled", attribute: "query_period", rule: "ISO8601DurationBetween(PT5M, P14D)", source: `${SENTINEL_RULE}; helpers/validate/time.go`, check: durationBetween("PT5M", "P14D") },
  { resource: "azurerm_sentinel_alert_rule_scheduled", attribute: "suppression_duration", rule: "ISO8601DurationBetween(PT5M, PT24H)", source: `${SENTINEL_RULE}; helpers/validate/time.go`, check: durationBetween("PT5M", "PT24H") },
  { resource: "azurerm_sentinel_alert_rule_scheduled", attribute: "suppression_enabled", rule: "a bool", source: SENTINEL_RULE, check: boolean },
  { resource: "azurerm_sentinel_alert_rule_scheduled", attribute: "", rule: "query_frequency ≤ query_period; with suppression, query_frequency ≤ suppression_duration (checked at create)", source: SENTINEL_RULE, check: sentinelScheduleProblem },
  { resource: "azurerm_sentinel_alert_rule_scheduled", attribute: "trigger_operator", rule: "Equal, GreaterThan, LessThan, NotEqual (case-sensitive)", source: `${SENTINEL_RULE} + ${SENTINEL_ENUMS} (TriggerOperator)`, check: oneOf(["Equal", "GreaterThan", "LessThan", "NotEqual"]) },
  { resource: "azurerm_sentinel_alert_rule_scheduled", attribute: "trigger_threshold", rule: "validation.IntAtLeast(0)", source: SENTINEL_RULE, check: intAtLeast(0) },
  {
    resource: "azurerm_sentinel_alert_rule_scheduled",
    attribute: "tactics[]",
    rule: "an AttackTactic (case-sensitive)",
    source: `${SENTINEL_RULE} + ${SENTINEL_ENUMS} (AttackTactic)`,
    check: oneOf([
      "Collection", "CommandAndControl", "CredentialAccess", "DefenseEvasion", "Discovery", "Execution", "Exfiltration", "Impact", "ImpairProcessControl",
      "InhibitResponseFunction", "InitialAccess", "LateralMovement", "Persistence", "PreAttack", "PrivilegeEscalation", "Reconnaissance", "ResourceDevelopment",
    ]),
  },
  { resource: "azurerm_sentinel_alert_rule_scheduled", attribute: "techniques[]", rule: "not empty (the provider checks no T-number form)", source: SENTINEL_RULE, check: notEmpty },
  { resource: "azurerm_sentinel_alert_rule_scheduled", attribute: "event_grouping.aggregation_method", rule: "AlertPerResult or SingleAlert (case-sensitive)", source: `${SENTINEL_RULE} + ${SENTINEL_ENUMS} (EventGroupingAggregationKind)`, check: oneOf(["AlertPerResult", "SingleAlert"]) },
  { resource: "azurerm_sentinel_alert_rule_scheduled", attribute: "custom_details.*", rule: "not empty", source: SENTINEL_RULE, check: notEmpty },
  { resource: "azurerm_sentinel_alert_rule_scheduled", attribute: "alert_details_override[].display_name_format", rule: "not empty", source: SENTINEL_RULE, check: notEmpty },

  // The webhook URL's Key Vault secret
  { resource: "data.azurerm_key_vault_secret", attribute: "name", rule: "keyvault validate.NestedItemName: ^[0-9a-zA-Z-]+$", source: `${AZURERM} internal/services/keyvault/key_vault_secret_data_source.go → validate/nested_item_name.go`, check: matches(/^[0-9a-zA-Z-]+$/, "letters, digits, hyphens", 1) },
  { resource: "data.azurerm_key_vault_secret", attribute: "key_vault_id", rule: "a Key Vault id (commonids.KeyVaultId)", source: `${AZURERM} internal/services/keyvault/key_vault_secret_data_source.go`, check: resourceId("Microsoft.KeyVault", "vaults") },
];
