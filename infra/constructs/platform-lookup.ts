// A tenant stack finds the platform's resources by their config-derived names, never through the platform's state:
// each stack keeps its own state and deploys on its own once the platform exists.
import { DataAzurermKustoCluster } from "@cdktf/provider-azurerm/lib/data-azurerm-kusto-cluster";
import { DataAzurermUserAssignedIdentity } from "@cdktf/provider-azurerm/lib/data-azurerm-user-assigned-identity";
import { Construct, type TerraformProvider } from "../cdk";

export interface PlatformLookupProps {
  identityName: string;
  resourceGroupName: string;
  clusterName: string;
  clusterResourceGroupName: string;
  /** The provider of the cluster's subscription. */
  clusterProvider?: TerraformProvider;
}

export class PlatformLookup extends Construct {
  readonly identity: DataAzurermUserAssignedIdentity;
  readonly cluster: DataAzurermKustoCluster;

  constructor(scope: Construct, id: string, props: PlatformLookupProps) {
    super(scope, id);
    this.identity = new DataAzurermUserAssignedIdentity(this, "identity", { name: props.identityName, resourceGroupName: props.resourceGroupName });
    this.cluster = new DataAzurermKustoCluster(this, "cluster", { name: props.clusterName, resourceGroupName: props.clusterResourceGroupName, provider: props.clusterProvider });
  }
}
