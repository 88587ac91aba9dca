// A new Log Analytics workspace for one tenant, onboarded to Microsoft Sentinel. One workspace per tenant, so the
// workspace functions named like the ADX tables never collide between MSSP clients.
import { LogAnalyticsWorkspace } from "@cdktf/provider-azurerm/lib/log-analytics-workspace";
import { SentinelLogAnalyticsWorkspaceOnboarding } from "@cdktf/provider-azurerm/lib/sentinel-log-analytics-workspace-onboarding";
import { Construct } from "../cdk";

export interface SentinelWorkspaceProps {
  name: string;
  resourceGroupName: string;
  location: string;
  retentionDays: number;
}

export class SentinelWorkspace extends Construct {
  readonly workspace: LogAnalyticsWorkspace;
  readonly onboarding: SentinelLogAnalyticsWorkspaceOnboarding;

  constructor(scope: Construct, id: string, props: SentinelWorkspaceProps) {
    super(scope, id);
    this.workspace = new LogAnalyticsWorkspace(this, "workspace", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      sku: "PerGB2018",
      retentionInDays: props.retentionDays,
      // Shared keys (the workspace's agent keys) off: ingestion goes through DCRs with Entra tokens.
      localAuthenticationEnabled: false,
    });
    this.onboarding = new SentinelLogAnalyticsWorkspaceOnboarding(this, "sentinel", { workspaceId: this.workspace.id });
  }
}
