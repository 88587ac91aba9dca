// Logs Ingestion for mail-access rows: the custom _CL table, a data collection endpoint and a rule whose stream and
// columns come from kql/sentinel-stream.ts (TimeGenerated included), and Monitoring Metrics Publisher on the rule for
// the Function's identity — the one role the Logs Ingestion API checks.
import { LogAnalyticsWorkspaceTableCustomLog } from "@cdktf/provider-azurerm/lib/log-analytics-workspace-table-custom-log";
import { MonitorDataCollectionEndpoint } from "@cdktf/provider-azurerm/lib/monitor-data-collection-endpoint";
import { MonitorDataCollectionRule } from "@cdktf/provider-azurerm/lib/monitor-data-collection-rule";
import type { LogAnalyticsType, SentinelStream } from "../../kql/sentinel-stream";
import { Construct } from "../cdk";
import { ResourceRole } from "./resource-role";

export interface MailAccessForwardingProps {
  endpointName: string;
  ruleName: string;
  resourceGroupName: string;
  location: string;
  /** The Sentinel workspace's resource id. */
  workspaceId: string;
  stream: SentinelStream;
  principalId: string;
}

/** The table API spells datetime `dateTime` and checks case (azurerm's vendored tables/constants.go); the DCR stream takes `datetime`. */
export const tableColumnType = (type: LogAnalyticsType): string => (type === "datetime" ? "dateTime" : type);

export class MailAccessForwarding extends Construct {
  readonly endpoint: MonitorDataCollectionEndpoint;
  readonly rule: MonitorDataCollectionRule;
  readonly table: LogAnalyticsWorkspaceTableCustomLog;

  constructor(scope: Construct, id: string, props: MailAccessForwardingProps) {
    super(scope, id);
    const { stream } = props;
    const destination = "sentinel";
    this.table = new LogAnalyticsWorkspaceTableCustomLog(this, "table", {
      name: stream.tableName,
      workspaceId: props.workspaceId,
      plan: "Analytics",
      column: stream.columns.map((c) => ({ name: c.name, type: tableColumnType(c.type) })),
    });
    // azurerm 4.55 needs an endpoint for a rule that receives Logs Ingestion API calls.
    this.endpoint = new MonitorDataCollectionEndpoint(this, "endpoint", {
      name: props.endpointName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      publicNetworkAccessEnabled: true,
    });
    this.rule = new MonitorDataCollectionRule(this, "rule", {
      name: props.ruleName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      dataCollectionEndpointId: this.endpoint.id,
      description: `Mail-access rows from the audit lake into ${stream.tableName}.`,
      streamDeclaration: [{ streamName: stream.streamName, column: stream.columns.map((c) => ({ name: c.name, type: c.type })) }],
      destinations: { logAnalytics: [{ name: destination, workspaceResourceId: props.workspaceId }] },
      dataFlow: [{ streams: [stream.streamName], destinations: [destination], outputStream: stream.streamName, transformKql: "source" }],
      dependsOn: [this.table],
    });
    new ResourceRole(this, "publisher", { scope: this.rule.id, role: "Monitoring Metrics Publisher", principalId: props.principalId });
  }
}
