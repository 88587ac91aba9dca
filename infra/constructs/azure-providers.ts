// The azurerm and azuread providers of one stack, pointed at the config's subscription, tenant and Azure cloud.
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { AzureadProvider } from "@cdktf/provider-azuread/lib/provider";
import { Construct } from "../cdk";
import type { PlatformConfig } from "../config/schema";

export interface AzureProvidersProps {
  platform: PlatformConfig;
  /** Only stacks that create Entra objects need the azuread provider. */
  entra?: boolean;
  /** The ADX cluster's subscription, when it is not the platform's (an existing cluster elsewhere). */
  clusterSubscriptionId?: string;
}

export class AzureProviders extends Construct {
  /** The provider for the ADX cluster and what goes on it when the cluster is in another subscription (else the default). */
  readonly cluster?: AzurermProvider;

  constructor(scope: Construct, id: string, props: AzureProvidersProps) {
    super(scope, id);
    const { platform } = props;
    const azurerm = (id: string, subscriptionId: string, alias?: string) =>
      new AzurermProvider(this, id, {
        features: [{}],
        subscriptionId,
        tenantId: platform.tenantId,
        environment: platform.azureCloud,
        // Shared-key access is off on every account: storage data-plane calls must use Entra ID.
        storageUseAzuread: true,
        alias,
      });
    azurerm("azurerm", platform.subscriptionId);
    const elsewhere = props.clusterSubscriptionId && props.clusterSubscriptionId.toLowerCase() !== platform.subscriptionId.toLowerCase();
    if (elsewhere) this.cluster = azurerm("azurerm-cluster", props.clusterSubscriptionId!, "cluster");
    if (props.entra) new AzureadProvider(this, "azuread", { tenantId: platform.tenantId, environment: platform.azureCloud === "usgovernment" ? "usgovernment" : "global" });
  }
}
