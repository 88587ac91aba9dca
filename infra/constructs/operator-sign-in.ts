// Operators scoped by Entra ID: an app registration for the operator API with two app roles, and App Service
// authentication (authsettingsV2) in front of the Function App, so the operator routes admit only signed-in operators
// and the app reads their roles from the principal the platform passes on. Only users, groups and applications (a
// monitoring identity) assigned a role may sign in; which tenants an Operator.Tenant group sees is the app setting OPERATOR_TENANT_GROUPS.
import { Application } from "@cdktf/provider-azuread/lib/application";
import { ApplicationIdentifierUri } from "@cdktf/provider-azuread/lib/application-identifier-uri";
import { ApplicationPreAuthorized } from "@cdktf/provider-azuread/lib/application-pre-authorized";
import { ServicePrincipal } from "@cdktf/provider-azuread/lib/service-principal";
import { ResourceGroupTemplateDeployment } from "@cdktf/provider-azurerm/lib/resource-group-template-deployment";
import { Construct, type ITerraformDependable } from "../cdk";
import { AUTHORITY_HOSTS, type AzureCloud } from "../config/tenant-discovery";

const WEB_API_VERSION = "2024-04-01";
/** Fixed ids: a role's id must not change between applies (assignments refer to it). */
export const OPERATOR_APP_ROLES = {
  "Operator.All": "6b0a4f0e-3c1d-4f43-9d2e-0f6c1a1e0a01",
  "Operator.Tenant": "6b0a4f0e-3c1d-4f43-9d2e-0f6c1a1e0a02",
} as const;
const SIGN_IN_SCOPE_ID = "6b0a4f0e-3c1d-4f43-9d2e-0f6c1a1e0a10";
/** The Azure CLI's public client: pre-authorized, so `az login` gives operators a token for the operator API. */
export const AZURE_CLI_APP_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
/** The routes App Service authentication lets through unauthenticated: the Management API cannot sign in (the webhook
 *  checks Webhook-AuthID itself), nor can the availability test (the probe answers 200 or 503 and reveals nothing else).
 *  Health with its report is an operator route. */
export const UNAUTHENTICATED_PATHS = ["/api/webhook", "/api/health/probe"];

export interface OperatorSignInProps {
  displayName: string;
  /** The tenant operators sign in to (the platform's). */
  tenantId: string;
  azureCloud: AzureCloud;
  /** Entra group object id → the tenant ids members holding Operator.Tenant may see. */
  tenantGroups: Record<string, string[]>;
}

export class OperatorSignIn extends Construct {
  readonly app: Application;
  /** `api://<client id>/.default`: what the CLI's --app-scope names. */
  readonly scope: string;
  /** What the Function App needs to scope operators (merged into its app settings by the stack). */
  readonly appSettings: Record<string, string>;
  private readonly props: OperatorSignInProps;
  private readonly identifierUri: string;

  constructor(scope: Construct, id: string, props: OperatorSignInProps) {
    super(scope, id);
    this.props = props;
    this.app = new Application(this, "app", {
      displayName: props.displayName,
      signInAudience: "AzureADMyOrg",
      // group ids in the token: OPERATOR_TENANT_GROUPS maps them to tenants
      groupMembershipClaims: ["SecurityGroup"],
      appRole: Object.entries(OPERATOR_APP_ROLES).map(([value, roleId]) => ({
        id: roleId,
        value,
        displayName: value,
        // users and groups; applications too, so a monitoring identity can probe health
        allowedMemberTypes: ["User", "Application"],
        description: value === "Operator.All" ? "Operates the audit lake for every tenant it serves." : "Operates the audit lake for the tenants OPERATOR_TENANT_GROUPS gives the member's groups.",
        enabled: true,
      })),
      api: {
        requestedAccessTokenVersion: 2,
        oauth2PermissionScope: [
          {
            id: SIGN_IN_SCOPE_ID,
            value: "user_impersonation",
            type: "User",
            enabled: true,
            adminConsentDisplayName: "Operate the audit lake",
            adminConsentDescription: "Call the audit lake's operator API as the signed-in operator.",
            userConsentDisplayName: "Operate the audit lake",
            userConsentDescription: "Call the audit lake's operator API as you.",
          },
        ],
      },
    });
    this.identifierUri = `api://${this.app.clientId}`;
    new ApplicationIdentifierUri(this, "identifier-uri", { applicationId: this.app.id, identifierUri: this.identifierUri });
    new ApplicationPreAuthorized(this, "azure-cli", { applicationId: this.app.id, authorizedClientId: AZURE_CLI_APP_ID, permissionIds: [SIGN_IN_SCOPE_ID] });
    // only users and groups assigned a role can sign in at all
    new ServicePrincipal(this, "service-principal", { clientId: this.app.clientId, appRoleAssignmentRequired: true });
    this.scope = `${this.identifierUri}/.default`;
    this.appSettings = { OPERATOR_SIGN_IN: "entra", OPERATOR_TENANT_GROUPS: JSON.stringify(props.tenantGroups) };
  }

  /** App Service authentication on the site (a `Microsoft.Web/sites/config` authsettingsV2 child, after the site). */
  protect(site: { name: string; resourceGroupName: string; after: ITerraformDependable }): ResourceGroupTemplateDeployment {
    const login = AUTHORITY_HOSTS[this.props.azureCloud];
    return new ResourceGroupTemplateDeployment(this, "authsettings", {
      name: `${site.name}-operator-sign-in`,
      resourceGroupName: site.resourceGroupName,
      deploymentMode: "Incremental",
      dependsOn: [site.after],
      templateContent: JSON.stringify(authSettingsTemplate(), null, 2),
      parametersContent: JSON.stringify(
        {
          siteName: { value: site.name },
          clientId: { value: this.app.clientId },
          issuer: { value: `${login}/${this.props.tenantId}/v2.0` },
          audiences: { value: [this.identifierUri, this.app.clientId] },
        },
        null,
        2,
      ),
    });
  }
}

function authSettingsTemplate() {
  return {
    $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    contentVersion: "1.0.0.0",
    parameters: { siteName: { type: "string" }, clientId: { type: "string" }, issuer: { type: "string" }, audiences: { type: "array" } },
    resources: [
      {
        type: "Microsoft.Web/sites/config",
        apiVersion: WEB_API_VERSION,
        name: "[format('{0}/authsettingsV2', parameters('siteName'))]",
        properties: {
          platform: { enabled: true },
          globalValidation: { requireAuthentication: true, unauthenticatedClientAction: "Return401", excludedPaths: UNAUTHENTICATED_PATHS },
          identityProviders: {
            azureActiveDirectory: {
              enabled: true,
              registration: { clientId: "[parameters('clientId')]", openIdIssuer: "[parameters('issuer')]" },
              validation: { allowedAudiences: "[parameters('audiences')]" },
            },
          },
          // bearer tokens only: no browser sessions, no stored tokens
          login: { tokenStore: { enabled: false } },
          httpSettings: { requireHttps: true },
        },
      },
    ],
  };
}
