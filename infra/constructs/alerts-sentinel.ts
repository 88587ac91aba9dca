// The analytics rule in a tenant's Sentinel workspace that raises an incident on an ingestion gap of that tenant's
// lake: the SOC sees missing audit data where it works, next to the hunting queries that depend on it.
import { createHash } from "node:crypto";
import { SentinelAlertRuleScheduled } from "@cdktf/provider-azurerm/lib/sentinel-alert-rule-scheduled";
import { renderSentinelGapQuery } from "../../kql/alerts";
import { Construct } from "../cdk";

export interface SentinelGapRuleProps {
  workspaceId: string;
  tenantId: string;
  tenantName: string;
  contentTypes: readonly string[];
  /** The platform's Log Analytics workspace, where the app's AppTraces land. */
  platformWorkspaceId: string;
  gapMinutes: number;
  severity: "High" | "Medium" | "Low" | "Informational";
}

export class SentinelGapRule extends Construct {
  readonly rule: SentinelAlertRuleScheduled;

  constructor(scope: Construct, id: string, props: SentinelGapRuleProps) {
    super(scope, id);
    this.rule = new SentinelAlertRuleScheduled(this, "ingestion-gap", {
      // a stable GUID per workspace and tenant: Sentinel names rules by id
      name: stableGuid(`m365-audit-lake/ingestion-gap/${props.workspaceId}/${props.tenantId}`),
      logAnalyticsWorkspaceId: props.workspaceId,
      displayName: `Audit lake ingestion gap: ${props.tenantName}`,
      description: `The audit lake has not listed a content type of ${props.tenantName} for over ${props.gapMinutes} minutes: Microsoft keeps content 7 days, so hunting queries miss what falls in the gap. Run m365-audit-lake status --check --tenant ${props.tenantId} for the cause and fix.`,
      severity: props.severity,
      query: renderSentinelGapQuery({ tenantId: props.tenantId, contentTypes: props.contentTypes, thresholdMinutes: props.gapMinutes, platformWorkspaceId: props.platformWorkspaceId }),
      queryFrequency: "PT15M",
      queryPeriod: "P2D",
      triggerOperator: "GreaterThan",
      triggerThreshold: 0,
      // audit data not arriving is what an attacker turning audit logging off looks like (T1562.008)
      tactics: ["DefenseEvasion"],
      techniques: ["T1562"],
      eventGrouping: { aggregationMethod: "AlertPerResult" },
      customDetails: { ContentType: "contentType", LagMinutes: "lagMinutes" },
      alertDetailsOverride: [{ displayNameFormat: `Audit lake ingestion gap: ${props.tenantName}, {{contentType}}` }],
      suppressionEnabled: true,
      suppressionDuration: "PT5H",
    });
  }
}

function stableGuid(seed: string): string {
  const h = createHash("sha256").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
