// Own tenant: the Function's managed identity holds ActivityFeed.Read and ActivityFeed.ReadDlp on the Office 365
// Management APIs service principal — no app registration, no secret. A new app role can take hours to appear in the
// identity's tokens (they are cached), so the first runs may get 401/403 until it does.
import { AppRoleAssignment } from "@cdktf/provider-azuread/lib/app-role-assignment";
import { DataAzureadServicePrincipal } from "@cdktf/provider-azuread/lib/data-azuread-service-principal";
import { Construct } from "../cdk";
import { MANAGEMENT_API_APP_ID, MANAGEMENT_API_APP_ROLES } from "./management-api-roles";

export interface OwnTenantFeedAccessProps {
  /** The managed identity's service principal (object) id. */
  principalId: string;
}

export class OwnTenantFeedAccess extends Construct {
  constructor(scope: Construct, id: string, props: OwnTenantFeedAccessProps) {
    super(scope, id);
    const api = new DataAzureadServicePrincipal(this, "management-api", { clientId: MANAGEMENT_API_APP_ID });
    for (const role of Object.keys(MANAGEMENT_API_APP_ROLES) as Array<keyof typeof MANAGEMENT_API_APP_ROLES>) {
      new AppRoleAssignment(this, role, {
        appRoleId: api.appRoleIds.lookup(role),
        principalObjectId: props.principalId,
        resourceObjectId: api.objectId,
      });
    }
  }
}
