// Own tenant with back-fill: the Function's managed identity also holds AuditLogsQuery.Read.All on Microsoft Graph,
// so the app can search the audit log beyond the Management API's 7 days. The role id is looked up by its name.
import { AppRoleAssignment } from "@cdktf/provider-azuread/lib/app-role-assignment";
import { DataAzureadServicePrincipal } from "@cdktf/provider-azuread/lib/data-azuread-service-principal";
import { Construct } from "../cdk";
import { AUDIT_LOGS_QUERY_ROLE, MICROSOFT_GRAPH_APP_ID } from "./graph-audit-roles";

export interface OwnTenantBackfillAccessProps {
  /** The managed identity's service principal (object) id. */
  principalId: string;
}

export class OwnTenantBackfillAccess extends Construct {
  constructor(scope: Construct, id: string, props: OwnTenantBackfillAccessProps) {
    super(scope, id);
    const graph = new DataAzureadServicePrincipal(this, "microsoft-graph", { clientId: MICROSOFT_GRAPH_APP_ID });
    new AppRoleAssignment(this, AUDIT_LOGS_QUERY_ROLE, {
      appRoleId: graph.appRoleIds.lookup(AUDIT_LOGS_QUERY_ROLE),
      principalObjectId: props.principalId,
      resourceObjectId: graph.objectId,
    });
  }
}
