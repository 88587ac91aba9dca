// The rules azuread 3.7.0 and Resource Manager apply to operator sign-in (infra/constructs/operator-sign-in.ts): the
// operator API's app registration with its app roles and scope, its identifier URI, the Azure CLI's pre-authorization,
// the service principal, and App Service authentication (a Microsoft.Web/sites/config authsettingsV2 template).
import { AZUREAD, AZURERM, boolean, intOneOf, isReference, notEmpty, oneOf, uuid, type ProviderRule } from "./provider-rule-checks";

const APP = `${AZUREAD} internal/services/applications/application_resource.go`;
const CLAIM_VALUE = `${AZUREAD} internal/services/applications/validate/tokens.go (RoleScopeClaimValue)`;
const APPLICATION_ID = (file: string) => ({
  rule: "stable.ValidateApplicationID: /applications/{object id}",
  source: `${AZUREAD} internal/services/applications/${file}`,
  check: (v: unknown) => (typeof v !== "string" || isReference(v) || /^\/applications\/[0-9a-f-]{36}$/i.test(v) ? undefined : "is not an /applications/{id} id"),
});

/** RoleScopeClaimValue: ≤ 249 bytes, not starting with a period, only letters, digits and !#$%&'()*+,-./:;<=>?@[]^_`{|}~ (no spaces). */
export function roleScopeClaimValueProblem(v: unknown): string | undefined {
  if (typeof v !== "string" || isReference(v)) return undefined;
  if (Buffer.byteLength(v) > 249) return `is ${Buffer.byteLength(v)} bytes, at most 249`;
  if (v.startsWith(".")) return "begins with a period";
  const bad = v.match(/[^A-Za-z0-9:!#$%&'()*+,./;<=>?@[\]^_{|}~`-]/g);
  return bad ? `contains ${[...new Set(bad)].map((c) => JSON.stringify(c)).join(" ")}: only letters, digits and !#$%&'()*+,-./:;<=>?@[]^_\`{|}~` : undefined;
}

/** applicationValidateRolesScopes (CustomizeDiff): across app roles and scopes, one id has one value and one value one id. */
export function duplicateRoleOrScopeProblem(block: unknown): string | undefined {
  const b = (block ?? {}) as { app_role?: Array<{ id?: unknown; value?: unknown }>; api?: unknown };
  const api = (Array.isArray(b.api) ? b.api[0] : b.api) as { oauth2_permission_scope?: Array<{ id?: unknown; value?: unknown }> } | undefined;
  const entries = [...(b.app_role ?? []), ...(api?.oauth2_permission_scope ?? [])].filter((e) => typeof e.id === "string" && e.id && typeof e.value === "string" && e.value);
  for (const [i, a] of entries.entries()) {
    for (const e of entries.slice(0, i)) {
      if (a.id === e.id && a.value !== e.value) return `duplicate ID found: ${String(a.id)}`;
      if (a.value === e.value && a.id !== e.id) return `duplicate value found: ${String(a.value)}`;
    }
  }
  return undefined;
}

/** The authsettingsV2 properties the Web API models (vendored web/2023-12-01 webapps model_*.go), by path: ARM drops an unknown one silently, so a misspelt `requireAuthentication` would leave the app open. */
const AUTH_SETTINGS_V2_KEYS: Record<string, readonly string[]> = {
  "": ["globalValidation", "httpSettings", "identityProviders", "login", "platform"],
  platform: ["configFilePath", "enabled", "runtimeVersion"],
  globalValidation: ["excludedPaths", "redirectToProvider", "requireAuthentication", "unauthenticatedClientAction"],
  identityProviders: ["apple", "azureActiveDirectory", "azureStaticWebApps", "customOpenIdConnectProviders", "facebook", "gitHub", "google", "legacyMicrosoftAccount", "twitter"],
  "identityProviders.azureActiveDirectory": ["enabled", "isAutoProvisioned", "login", "registration", "validation"],
  "identityProviders.azureActiveDirectory.registration": [
    "clientId", "clientSecretCertificateIssuer", "clientSecretCertificateSubjectAlternativeName", "clientSecretCertificateThumbprint", "clientSecretSettingName", "openIdIssuer",
  ],
  "identityProviders.azureActiveDirectory.validation": ["allowedAudiences", "defaultAuthorizationPolicy", "jwtClaimChecks"],
  login: ["allowedExternalRedirectUrls", "cookieExpiration", "nonce", "preserveUrlFragmentsForLogins", "routes", "tokenStore"],
  "login.tokenStore": ["azureBlobStorage", "enabled", "fileSystem", "tokenRefreshExtensionHours"],
  httpSettings: ["forwardProxy", "requireHttps", "routes"],
};
/** webapps.PossibleValuesForUnauthenticatedClientActionV2 (the provider's auth_settings_v2 takes the same). */
const UNAUTHENTICATED_ACTIONS = ["AllowAnonymous", "RedirectToLoginPage", "Return401", "Return403"];

/** The problems ARM (or its silence) has with an authsettingsV2 resource in a template; undefined for any other template. */
export function authSettingsV2Problem(templateContent: unknown): string | undefined {
  if (typeof templateContent !== "string") return undefined;
  const template = JSON.parse(templateContent) as { resources?: Array<{ type: string; name?: string; properties?: Record<string, unknown> }> };
  for (const r of template.resources ?? []) {
    if (r.type !== "Microsoft.Web/sites/config" || !/authsettingsV2/.test(r.name ?? "")) continue;
    const p = r.properties ?? {};
    for (const [path, keys] of Object.entries(AUTH_SETTINGS_V2_KEYS)) {
      const at = path ? path.split(".").reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), p) : p;
      if (!at || typeof at !== "object") continue;
      const unknown = Object.keys(at).filter((k) => !keys.includes(k));
      if (unknown.length) return `authsettingsV2 ${path || "properties"} sets ${unknown.join(", ")}, which the Web API does not model (ARM ignores it)`;
    }
    const g = (p.globalValidation ?? {}) as { unauthenticatedClientAction?: unknown; excludedPaths?: unknown };
    if (g.unauthenticatedClientAction !== undefined && !UNAUTHENTICATED_ACTIONS.includes(String(g.unauthenticatedClientAction))) return `unauthenticatedClientAction ${String(g.unauthenticatedClientAction)} is not one of ${UNAUTHENTICATED_ACTIONS.join(", ")}`;
    if (g.excludedPaths !== undefined && !(Array.isArray(g.excludedPaths) && g.excludedPaths.every((x) => typeof x === "string" && x.startsWith("/")))) return "excludedPaths must be a list of paths starting with /";
  }
  return undefined;
}

export const OPERATOR_SIGN_IN_RULES: ProviderRule[] = [
  // The app registration
  { resource: "azuread_application", attribute: "app_role[].id", rule: "validation.IsUUID", source: APP, check: uuid },
  { resource: "azuread_application", attribute: "app_role[].value", rule: "RoleScopeClaimValue: ≤ 249, no leading period, no spaces or characters outside !#$%&'()*+,-./:;<=>?@[]^_`{|}~", source: CLAIM_VALUE, check: roleScopeClaimValueProblem },
  { resource: "azuread_application", attribute: "app_role[].allowed_member_types[]", rule: "User or Application (case-sensitive), at least one", source: `${APP} + constants.go (possibleValuesForAppRoleAllowedMemberType)`, check: oneOf(["User", "Application"]) },
  { resource: "azuread_application", attribute: "app_role[].description", rule: "not empty", source: APP, check: notEmpty },
  { resource: "azuread_application", attribute: "app_role[].display_name", rule: "not empty", source: APP, check: notEmpty },
  { resource: "azuread_application", attribute: "app_role[].enabled", rule: "a bool", source: APP, check: boolean },
  { resource: "azuread_application", attribute: "api.oauth2_permission_scope[].id", rule: "validation.IsUUID", source: APP, check: uuid },
  { resource: "azuread_application", attribute: "api.oauth2_permission_scope[].value", rule: "RoleScopeClaimValue", source: CLAIM_VALUE, check: roleScopeClaimValueProblem },
  { resource: "azuread_application", attribute: "api.oauth2_permission_scope[].type", rule: "Admin or User (case-sensitive)", source: `${APP} + constants.go (possibleValuesForPermissionScopeType)`, check: oneOf(["Admin", "User"]) },
  { resource: "azuread_application", attribute: "api.oauth2_permission_scope[].enabled", rule: "a bool", source: APP, check: boolean },
  ...(["admin_consent_description", "admin_consent_display_name", "user_consent_description", "user_consent_display_name"] as const).map((a) => ({
    resource: "azuread_application",
    attribute: `api.oauth2_permission_scope[].${a}`,
    rule: "not empty when set",
    source: APP,
    check: notEmpty,
  })),
  { resource: "azuread_application", attribute: "api.requested_access_token_version", rule: "1 or 2 (2 required for personal-account audiences)", source: APP, check: intOneOf([1, 2]) },
  { resource: "azuread_application", attribute: "group_membership_claims[]", rule: "All, None, ApplicationGroup, DirectoryRole, SecurityGroup (case-sensitive)", source: `${APP} + constants.go (possibleValuesForGroupMembershipClaim)`, check: oneOf(["All", "None", "ApplicationGroup", "DirectoryRole", "SecurityGroup"]) },
  { resource: "azuread_application", attribute: "", rule: "CustomizeDiff applicationValidateRolesScopes: no id with two values, no value with two ids, across app roles and scopes", source: `${AZUREAD} internal/services/applications/applications.go (applicationValidateRolesScopes)`, check: duplicateRoleOrScopeProblem },

  // Identifier URI, pre-authorized client, service principal
  { resource: "azuread_application_identifier_uri", attribute: "application_id", ...APPLICATION_ID("application_identifier_uri_resource.go") },
  { resource: "azuread_application_identifier_uri", attribute: "identifier_uri", rule: "not empty (the provider avoids further validation on purpose)", source: `${AZUREAD} internal/services/applications/application_identifier_uri_resource.go`, check: notEmpty },
  { resource: "azuread_application_pre_authorized", attribute: "application_id", ...APPLICATION_ID("application_pre_authorized_resource.go") },
  { resource: "azuread_application_pre_authorized", attribute: "authorized_client_id", rule: "validation.IsUUID", source: `${AZUREAD} internal/services/applications/application_pre_authorized_resource.go`, check: uuid },
  { resource: "azuread_application_pre_authorized", attribute: "permission_ids[]", rule: "validation.IsUUID", source: `${AZUREAD} internal/services/applications/application_pre_authorized_resource.go`, check: uuid },
  { resource: "azuread_service_principal", attribute: "client_id", rule: "validation.IsUUID", source: `${AZUREAD} internal/services/serviceprincipals/service_principal_resource.go`, check: uuid },
  { resource: "azuread_service_principal", attribute: "app_role_assignment_required", rule: "a bool", source: `${AZUREAD} internal/services/serviceprincipals/service_principal_resource.go`, check: boolean },

  // App Service authentication, as a template the provider passes through
  {
    resource: "azurerm_resource_group_template_deployment",
    attribute: "template_content",
    rule: "an authsettingsV2 sets only properties the Web API models; unauthenticatedClientAction one of AllowAnonymous, RedirectToLoginPage, Return401, Return403; excludedPaths start with /",
    source: `${AZURERM} vendored web/2023-12-01/webapps model_siteauthsettingsv2properties.go and the models it names, constants.go (PossibleValuesForUnauthenticatedClientActionV2); the provider validates no template content`,
    check: authSettingsV2Problem,
  },
];
