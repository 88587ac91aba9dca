// Own tenant: the Function's managed identity holds ActivityFeed.Read (and ActivityFeed.ReadDlp, for DLP.All) on the Office 365
// Management APIs service principal — no app registration, no secret. A new app role can take hours to appear in the
// identity's tokens (they are cached), so the first runs may get 401/403 until it does.
import { AppRoleAssignment } from "@cdktf/provider-azuread/lib/app-role-assignment";
import { DataAzureadServicePrincipal } from "@cdktf/provider-azuread/lib/data-azuread-service-principal";
import { Construct } from "../cdk";
import { feedRoles, MANAGEMENT_API_APP_ID } from "./management-api-roles";

export interface OwnTenantFeedAccessProps {
  /** The managed identity's service principal (object) id. */
  principalId: string;
  /** The tenant collects DLP.All: grant ActivityFeed.ReadDlp too (least privilege otherwise). */
  dlp: boolean;
}

export class OwnTenantFeedAccess extends Construct {
  constructor(scope: Construct, id: string, props: OwnTenantFeedAccessProps) {
    super(scope, id);
    const api = new DataAzureadServicePrincipal(this, "management-api", { clientId: MANAGEMENT_API_APP_ID });
    for (const role of feedRoles(props.dlp)) {
      new AppRoleAssignment(this, role, {
        appRoleId: api.appRoleIds.lookup(role),
        principalObjectId: props.principalId,
        resourceObjectId: api.objectId,
      });
    }
  }
}
