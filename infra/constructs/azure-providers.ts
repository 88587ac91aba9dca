// The azurerm and azuread providers of one stack, pointed at the config's subscription, tenant and Azure cloud.
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { AzureadProvider } from "@cdktf/provider-azuread/lib/provider";
import { Construct } from "../cdk";
import type { PlatformConfig } from "../config/schema";

export interface AzureProvidersProps {
  platform: PlatformConfig;
  /** Only stacks that create Entra objects need the azuread provider. */
  entra?: boolean;
}

export class AzureProviders extends Construct {
  constructor(scope: Construct, id: string, props: AzureProvidersProps) {
    super(scope, id);
    const { platform } = props;
    new AzurermProvider(this, "azurerm", {
      features: [{}],
      subscriptionId: platform.subscriptionId,
      tenantId: platform.tenantId,
      environment: platform.azureCloud,
      // Shared-key access is off on every account: storage data-plane calls must use Entra ID.
      storageUseAzuread: true,
    });
    if (props.entra) new AzureadProvider(this, "azuread", { tenantId: platform.tenantId, environment: platform.azureCloud === "usgovernment" ? "usgovernment" : "global" });
  }
}
