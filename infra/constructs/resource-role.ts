// A role assignment on exactly one resource, for one service principal: nothing is granted on a group or subscription.
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { Construct } from "../cdk";

export interface ResourceRoleProps {
  /** The resource id the role applies to. */
  scope: string;
  role: string;
  principalId: string;
}

export class ResourceRole extends Construct {
  readonly assignment: RoleAssignment;

  constructor(scope: Construct, id: string, props: ResourceRoleProps) {
    super(scope, id);
    this.assignment = new RoleAssignment(this, "assignment", {
      scope: props.scope,
      roleDefinitionName: props.role,
      principalId: props.principalId,
      principalType: "ServicePrincipal",
      // A just-created identity may not have replicated in Entra yet: no provider lookup, and ARM is told its type.
      skipServicePrincipalAadCheck: true,
    });
  }
}
