// A new Azure Data Explorer cluster for the lake. An existing cluster is only referenced by name (no construct).
import { KustoCluster } from "@cdktf/provider-azurerm/lib/kusto-cluster";
import { Construct } from "../cdk";

export interface AdxClusterProps {
  name: string;
  resourceGroupName: string;
  location: string;
  sku: string;
  capacity: number;
  /** Tenants whose principals (e.g. a client's own analysts group) may be granted database roles. */
  trustedExternalTenants?: string[];
}

export class AdxCluster extends Construct {
  readonly cluster: KustoCluster;

  constructor(scope: Construct, id: string, props: AdxClusterProps) {
    super(scope, id);
    this.cluster = new KustoCluster(this, "cluster", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      sku: { name: props.sku, capacity: props.capacity },
      // No identity: nothing the cluster does (no external tables, no CMK) acts as it, so none is created.
      diskEncryptionEnabled: true,
      // Purge is how a GDPR erasure is served; without it the lake could not delete a person's records.
      purgeEnabled: true,
      streamingIngestionEnabled: false,
      autoStopEnabled: false,
      trustedExternalTenants: props.trustedExternalTenants ?? [],
    });
  }
}
