// The resource group that holds the platform (and the tenants' databases on a new cluster).
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { Construct } from "../cdk";

export interface PlatformResourceGroupProps {
  name: string;
  location: string;
}

export class PlatformResourceGroup extends Construct {
  readonly group: ResourceGroup;

  constructor(scope: Construct, id: string, props: PlatformResourceGroupProps) {
    super(scope, id);
    this.group = new ResourceGroup(this, "group", { name: props.name, location: props.location });
  }
}
