// Application Insights for the Function App, workspace-based, Entra-authenticated ingestion only (local auth off):
// the app's identity publishes telemetry, so the connection string carries no usable secret.
import { ApplicationInsights } from "@cdktf/provider-azurerm/lib/application-insights";
import { LogAnalyticsWorkspace } from "@cdktf/provider-azurerm/lib/log-analytics-workspace";
import { Construct } from "../cdk";
import { ResourceRole } from "./resource-role";

export interface AppMonitoringProps {
  workspaceName: string;
  appInsightsName: string;
  resourceGroupName: string;
  location: string;
  principalId: string;
  retentionDays?: number;
}

export class AppMonitoring extends Construct {
  readonly workspace: LogAnalyticsWorkspace;
  readonly appInsights: ApplicationInsights;

  constructor(scope: Construct, id: string, props: AppMonitoringProps) {
    super(scope, id);
    this.workspace = new LogAnalyticsWorkspace(this, "workspace", {
      name: props.workspaceName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      sku: "PerGB2018",
      retentionInDays: props.retentionDays ?? 30,
      localAuthenticationEnabled: false,
    });
    this.appInsights = new ApplicationInsights(this, "app-insights", {
      name: props.appInsightsName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      applicationType: "Node.JS",
      workspaceId: this.workspace.id,
      localAuthenticationDisabled: true,
    });
    new ResourceRole(this, "publisher", { scope: this.appInsights.id, role: "Monitoring Metrics Publisher", principalId: props.principalId });
  }
}
