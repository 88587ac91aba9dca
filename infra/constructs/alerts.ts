// The platform's alerting: an action group (e-mail, and a webhook given by reference), an availability test of the
// app's anonymous health probe with its alert, and one log alert per rule of kql/alerts.ts over the app's structured
// lines in Application Insights, split per tenant (by name, for an MSSP) and content type.
import { ApplicationInsightsStandardWebTest } from "@cdktf/provider-azurerm/lib/application-insights-standard-web-test";
import { DataAzurermKeyVaultSecret } from "@cdktf/provider-azurerm/lib/data-azurerm-key-vault-secret";
import { MonitorActionGroup } from "@cdktf/provider-azurerm/lib/monitor-action-group";
import { MonitorMetricAlert } from "@cdktf/provider-azurerm/lib/monitor-metric-alert";
import { MonitorScheduledQueryRulesAlertV2 } from "@cdktf/provider-azurerm/lib/monitor-scheduled-query-rules-alert-v2";
import { ALERT_RULES, renderAlertQuery, resultDimensions, type AlertRule } from "../../kql/alerts";
import { Construct, TerraformVariable } from "../cdk";
import type { AlertsConfig } from "../config/alerts-schema";
import { DEFAULT_WEB_TEST_LOCATIONS } from "../config/web-test-locations";

export interface PlatformAlertsProps {
  prefix: string;
  resourceGroupName: string;
  location: string;
  azureCloud: "public" | "usgovernment";
  appInsightsId: string;
  /** The Function App's default host name (<site>.azurewebsites.net): the probe is https://<host>/api/health/probe. */
  appHostName: string;
  /** Tenant id → display name, so every alert names the tenant. */
  tenantNames: Record<string, string>;
  config: AlertsConfig;
}

/** The ISO 8601 durations azurerm 4.55 accepts for a log alert's evaluation frequency, window and query time range
 *  (monitor_scheduled_query_rules_alert_v2_resource.go): each list differs — no P2D frequency, no PT1M time range. */
const LOG_ALERT_DURATIONS: Record<number, string> = { 1: "PT1M", 5: "PT5M", 10: "PT10M", 15: "PT15M", 20: "PT20M", 30: "PT30M", 45: "PT45M", 60: "PT1H", 120: "PT2H", 180: "PT3H", 240: "PT4H", 300: "PT5H", 360: "PT6H", 1440: "P1D", 2880: "P2D" };
const LOG_ALERT_ACCEPTS = {
  frequency: [1, 5, 10, 15, 30, 45, 60, 120, 180, 240, 300, 360, 1440],
  window: [1, 5, 10, 15, 30, 45, 60, 120, 180, 240, 300, 360, 1440, 2880],
  timeRange: [5, 10, 15, 20, 30, 45, 60, 120, 180, 240, 300, 360, 1440, 2880],
} as const;

export function logAlertDuration(minutes: number, what: string, as: keyof typeof LOG_ALERT_ACCEPTS = "window"): string {
  const accepted: readonly number[] = LOG_ALERT_ACCEPTS[as];
  if (!accepted.includes(minutes)) throw new Error(`${what}: ${minutes} minutes is not a log alert ${as} Azure Monitor accepts (${accepted.join(", ")} minutes).`);
  return LOG_ALERT_DURATIONS[minutes]!;
}

export class PlatformAlerts extends Construct {
  readonly actionGroup: MonitorActionGroup;
  readonly rules: MonitorScheduledQueryRulesAlertV2[] = [];
  readonly webTest?: ApplicationInsightsStandardWebTest;

  constructor(scope: Construct, id: string, props: PlatformAlertsProps) {
    super(scope, id);
    const { config } = props;
    this.actionGroup = new MonitorActionGroup(this, "action-group", {
      name: `${props.prefix}-audit-lake-alerts`,
      resourceGroupName: props.resourceGroupName,
      // ≤ 12 characters (azurerm validation); the prefix is 3-12
      shortName: props.prefix,
      emailReceiver: config.email.map((address, i) => ({ name: `email-${i + 1}`, emailAddress: address, useCommonAlertSchema: true })),
      webhookReceiver: config.webhook ? [{ name: "webhook", serviceUri: this.webhookUri(config.webhook), useCommonAlertSchema: true }] : undefined,
    });

    if (config.availability.enabled) {
      const test = new ApplicationInsightsStandardWebTest(this, "health-probe-test", {
        name: `${props.prefix}-health-probe`,
        resourceGroupName: props.resourceGroupName,
        location: props.location,
        applicationInsightsId: props.appInsightsId,
        description: "The ingestion app is down or unhealthy (a tenant never planned, a blob near expiry, lag over a day): run m365-audit-lake status --check for the problem and its fix.",
        frequency: config.availability.frequencySeconds,
        timeout: 30,
        retryEnabled: true,
        geoLocations: [...(config.availability.locations ?? DEFAULT_WEB_TEST_LOCATIONS[props.azureCloud])],
        // anonymous by design: the probe holds no secret and answers only 200 or 503 (functions/src/handlers/health-probe.ts)
        request: { url: `https://${props.appHostName}/api/health/probe`, httpVerb: "GET", followRedirectsEnabled: false },
        validationRules: { expectedStatusCode: 200, sslCheckEnabled: true, sslCertRemainingLifetime: 7 },
      });
      this.webTest = test;
      new MonitorMetricAlert(this, "health-probe-alert", {
        name: `${props.prefix}-app-down-or-unhealthy`,
        resourceGroupName: props.resourceGroupName,
        scopes: [test.id, props.appInsightsId],
        description: "The app's health probe failed from several locations: the app is down (start failure after a deploy, plan disabled) or unhealthy; check the Function App, then m365-audit-lake status --check.",
        severity: config.availability.severity,
        frequency: "PT1M",
        windowSize: "PT5M",
        applicationInsightsWebTestLocationAvailabilityCriteria: { webTestId: test.id, componentId: props.appInsightsId, failedLocationCount: config.availability.failedLocations },
        action: [{ actionGroupId: this.actionGroup.id }],
      });
    }

    for (const rule of ALERT_RULES) {
      const override = config.rules[rule.id];
      if (override?.enabled === false) continue;
      this.rules.push(this.logAlert(rule, props, override?.threshold ?? rule.threshold, override?.severity ?? rule.severity));
    }
  }

  private logAlert(rule: AlertRule, props: PlatformAlertsProps, threshold: number, severity: number): MonitorScheduledQueryRulesAlertV2 {
    const dimensions = resultDimensions(rule).filter((d) => d === "tenantName" || d === "contentType");
    return new MonitorScheduledQueryRulesAlertV2(this, `rule-${rule.id}`, {
      name: `${props.prefix}-${rule.id}`,
      displayName: `Audit lake: ${rule.title}`,
      description: rule.fix,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      scopes: [props.appInsightsId],
      severity,
      evaluationFrequency: logAlertDuration(rule.frequencyMinutes, rule.id, "frequency"),
      // one aggregation window per run; a rule that looks further back (lag: the newest listing of 2 days) widens the
      // query's time range instead, which is what the override is for
      windowDuration: logAlertDuration(rule.frequencyMinutes, rule.id, "window"),
      queryTimeRangeOverride: rule.windowMinutes > rule.frequencyMinutes ? logAlertDuration(rule.windowMinutes, rule.id, "timeRange") : undefined,
      criteria: [
        {
          query: renderAlertQuery(rule, { threshold, tenantNames: props.tenantNames }),
          // the query returns only the pairs over the threshold: one row is one alert, split per dimension
          timeAggregationMethod: "Count",
          operator: "GreaterThan",
          threshold: 0,
          dimension: dimensions.map((name) => ({ name, operator: "Include", values: ["*"] })),
          failingPeriods: { minimumFailingPeriodsToTriggerAlert: 1, numberOfEvaluationPeriods: 1 },
        },
      ],
      autoMitigationEnabled: true,
      action: { actionGroups: [this.actionGroup.id] },
    });
  }

  private webhookUri(webhook: NonNullable<AlertsConfig["webhook"]>): string {
    if ("keyVaultSecret" in webhook) {
      return new DataAzurermKeyVaultSecret(this, "webhook-secret", { keyVaultId: webhook.keyVaultSecret.vaultId, name: webhook.keyVaultSecret.name }).value;
    }
    return new TerraformVariable(this, "webhook-url", {
      type: "string",
      sensitive: true,
      description: `The alert webhook URL (Teams, PagerDuty, …): set TF_VAR_${webhook.setting} when applying; it never sits in the config.`,
    }).stringValue;
  }
}
