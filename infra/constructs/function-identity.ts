// The Function App's one user-assigned managed identity: it reads storage, ingests into ADX, writes to Sentinel and,
// for MSSP clients, is the subject the multi-tenant app's federated credential trusts (that needs a user-assigned one).
import { UserAssignedIdentity } from "@cdktf/provider-azurerm/lib/user-assigned-identity";
import { Construct } from "../cdk";

export interface FunctionIdentityProps {
  name: string;
  resourceGroupName: string;
  location: string;
}

export class FunctionIdentity extends Construct {
  readonly identity: UserAssignedIdentity;

  constructor(scope: Construct, id: string, props: FunctionIdentityProps) {
    super(scope, id);
    this.identity = new UserAssignedIdentity(this, "identity", { ...props });
  }

  get id(): string {
    return this.identity.id;
  }
  get clientId(): string {
    return this.identity.clientId;
  }
  get principalId(): string {
    return this.identity.principalId;
  }
}
