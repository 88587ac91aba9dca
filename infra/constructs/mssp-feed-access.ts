// MSSP: one multi-tenant app registration in the MSSP's tenant with the Management API application permissions,
// authenticated without any secret through a federated identity credential that trusts the Function's user-assigned
// identity. Each client's admin consents once through its consent URL.
import { Application } from "@cdktf/provider-azuread/lib/application";
import { ApplicationFederatedIdentityCredential } from "@cdktf/provider-azuread/lib/application-federated-identity-credential";
import { DataAzureadServicePrincipal } from "@cdktf/provider-azuread/lib/data-azuread-service-principal";
import { Construct } from "../cdk";
import { AUTHORITY_HOSTS, type AzureCloud } from "../config/tenant-discovery";
import { AUDIT_LOGS_QUERY_ROLE, MICROSOFT_GRAPH_APP_ID } from "./graph-audit-roles";
import { feedRoles, MANAGEMENT_API_APP_ID, MANAGEMENT_API_APP_ROLES } from "./management-api-roles";

export interface MsspFeedAccessProps {
  displayName: string;
  /** The MSSP's tenant, where the app and the identity live. */
  tenantId: string;
  azureCloud: AzureCloud;
  /** The user-assigned identity's principal (object) id: the subject of the federated credential. */
  identityPrincipalId: string;
  /** The client tenants that must consent, by key. */
  clients: Array<{ key: string; tenantId: string }>;
  /** Some client back-fills beyond 7 days: the app also asks for Graph's AuditLogsQuery.Read.All, so each client's one
   *  admin consent covers it (a client that consented before must consent again). */
  backfill?: boolean;
  /** Some client collects DLP.All: the app also asks for ActivityFeed.ReadDlp. */
  dlp: boolean;
}

/** The audience of a managed identity's assertion for a federated credential, per cloud. */
const TOKEN_EXCHANGE_AUDIENCE: Record<AzureCloud, string> = { public: "api://AzureADTokenExchange", usgovernment: "api://AzureADTokenExchangeUSGov" };

export class MsspFeedAccess extends Construct {
  readonly app: Application;
  /** Admin-consent URL per client key. */
  readonly consentUrls: Record<string, string>;

  constructor(scope: Construct, id: string, props: MsspFeedAccessProps) {
    super(scope, id);
    const login = AUTHORITY_HOSTS[props.azureCloud];
    this.app = new Application(this, "app", {
      displayName: props.displayName,
      signInAudience: "AzureADMultipleOrgs",
      requiredResourceAccess: [
        {
          resourceAppId: MANAGEMENT_API_APP_ID,
          resourceAccess: feedRoles(props.dlp).map((role) => ({ id: MANAGEMENT_API_APP_ROLES[role], type: "Role" })),
        },
        ...(props.backfill ? [{ resourceAppId: MICROSOFT_GRAPH_APP_ID, resourceAccess: [{ id: graphRoleId(this), type: "Role" }] }] : []),
      ],
    });
    new ApplicationFederatedIdentityCredential(this, "trusts-function-identity", {
      applicationId: this.app.id,
      displayName: "function-managed-identity",
      description: "The ingestion Function App's user-assigned managed identity (no secret exists for this app).",
      audiences: [TOKEN_EXCHANGE_AUDIENCE[props.azureCloud]],
      issuer: `${login}/${props.tenantId}/v2.0`,
      subject: props.identityPrincipalId,
    });
    this.consentUrls = Object.fromEntries(
      props.clients.map((c) => [c.key, `${login}/${c.tenantId}/adminconsent?client_id=${this.app.clientId}`]),
    );
  }
}

/** The role's id, looked up by name on Microsoft Graph's service principal in the MSSP's tenant. */
function graphRoleId(scope: Construct): string {
  return new DataAzureadServicePrincipal(scope, "microsoft-graph", { clientId: MICROSOFT_GRAPH_APP_ID }).appRoleIds.lookup(AUDIT_LOGS_QUERY_ROLE);
}
