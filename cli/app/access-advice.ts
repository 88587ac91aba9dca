// What to do about each reason the app cannot read a tenant's audit feed: the error codes Entra and the Management
// API give, each mapped to its fix (the admin-consent URL, the role to grant, the admin setting to turn on).
import type { TenantAccess } from "../../functions/src/admin/tenant-access";
import { cloudEndpoints, type CloudName } from "../../functions/src/management-api/clouds";

export interface AccessFix {
  code: string;
  /** What is wrong, in one sentence. */
  problem: string;
  /** What to do. */
  fix: string;
  /** The admin-consent URL, when consent is the fix. */
  consentUrl?: string;
}

const MANAGEMENT_APIS = "Office 365 Management APIs (appId c5393580-f805-4401-95e8-94b7a6ef2fc2)";
const MICROSOFT_GRAPH = "Microsoft Graph (appId 00000003-0000-0000-c000-000000000000)";

/** The URL a Global Administrator of `tenantId` opens once to consent the app, on the cloud's own login host. */
export function adminConsentUrl(tenantId: string, appId: string, cloud: CloudName = "Enterprise"): string {
  return `${cloudEndpoints(cloud).authorityHost}/${encodeURIComponent(tenantId)}/adminconsent?client_id=${encodeURIComponent(appId)}`;
}

export interface AccessContext {
  tenantId: string;
  cloud: CloudName;
  /** The app to consent; null when the app reads the tenant as its own managed identity. */
  clientId: string | null;
  missingRoles?: string[];
}

/** The fix for one code; undefined for codes that need no operator action (or that we do not know). */
export function fixFor(code: string, ctx: AccessContext): AccessFix | undefined {
  const roles = ctx.missingRoles?.length ? ctx.missingRoles.join(" and ") : "ActivityFeed.Read (and ActivityFeed.ReadDlp for DLP.All)";
  switch (code) {
    case "AADSTS700016":
      if (!ctx.clientId) return { code, problem: `Entra does not know the app in tenant ${ctx.tenantId}.`, fix: "Check the tenant id: a managed identity reads only the tenant it lives in." };
      return {
        code,
        problem: `The app ${ctx.clientId} is not in tenant ${ctx.tenantId}'s directory: nobody there has consented to it yet.`,
        fix: "A Global Administrator (or Privileged Role Administrator) of the tenant opens the admin-consent URL once and accepts.",
        consentUrl: adminConsentUrl(ctx.tenantId, ctx.clientId, ctx.cloud),
      };
    case "AADSTS90002":
      return {
        code,
        problem: `Entra has no tenant ${ctx.tenantId} in the ${ctx.cloud} cloud.`,
        fix: "Check the tenant id (or domain) and the cloud: GCC High and DoD tenants sign in at login.microsoftonline.us (cloud GCCHigh or DoD).",
      };
    case "AF10001":
    case "MissingRoles":
      return {
        code,
        problem: `The app's token for tenant ${ctx.tenantId} lacks ${roles}.`,
        fix: ctx.clientId
          ? `Add the application permission(s) ${roles} of ${MANAGEMENT_APIS} to app ${ctx.clientId}, then have a Global Administrator of the tenant grant admin consent again.`
          : `Assign the app role(s) ${roles} of ${MANAGEMENT_APIS} to the Function App's managed identity (the platform stack does this; a new role can take hours to reach its tokens).`,
        ...(ctx.clientId ? { consentUrl: adminConsentUrl(ctx.tenantId, ctx.clientId, ctx.cloud) } : {}),
      };
    case "MissingGraphRoles":
      // an MSSP client consented to the app before back-fill was enabled: that consent granted no Graph role
      return {
        code,
        problem: `Back-fill: the app's Microsoft Graph token for tenant ${ctx.tenantId} holds no audit log query role (AuditLogsQuery.Read.All, or a per-workload AuditLogsQuery-<workload>.Read.All); AuditLog.Read.All is a different role.`,
        fix: ctx.clientId
          ? `Add the application permission AuditLogsQuery.Read.All of ${MICROSOFT_GRAPH} to app ${ctx.clientId}, then have a Global Administrator of the tenant consent again (a consent given before back-fill was enabled did not include it). The live feed is not affected.`
          : `Assign the app role AuditLogsQuery.Read.All of ${MICROSOFT_GRAPH} to the Function App's managed identity (the platform stack does this when back-fill is enabled; a new role can take hours to reach its tokens).`,
        ...(ctx.clientId ? { consentUrl: adminConsentUrl(ctx.tenantId, ctx.clientId, ctx.cloud) } : {}),
      };
    case "AF20023":
    case "AuditLoggingDisabled":
      return {
        code,
        problem: `Unified audit logging is off in tenant ${ctx.tenantId}, or its subscription was disabled.`,
        fix: "Turn auditing on in Microsoft Purview (Audit → Start recording user and admin activity, or Set-AdminAuditLogConfig -UnifiedAuditLogIngestionEnabled $true); the planner restarts the subscription, and records appear within 24 h.",
      };
    case "AF20022":
      return { code, problem: `No subscription has been started yet in tenant ${ctx.tenantId}.`, fix: "Trigger a plan run (`m365-audit-lake onboard`, or the timer within 5 minutes): the planner starts every configured subscription." };
    default:
      return undefined;
  }
}

/** Every fix a tenant's access report calls for, most fundamental first, each code once. */
export function accessAdvice(access: TenantAccess): AccessFix[] {
  const ctx: AccessContext = { tenantId: access.tenantId, cloud: access.cloud, clientId: access.clientId, missingRoles: access.missingRoles };
  const codes = [
    ...(access.token.ok ? [] : [access.token.code]),
    ...(access.missingRoles.length ? ["MissingRoles"] : []),
    ...access.subscriptions.map((s) => s.error?.code).filter((c): c is string => Boolean(c)),
    // back-fill's Graph token: a consent problem there is the same one (one fix), a missing Graph role its own
    ...(access.backfill && !access.backfill.token.ok ? [access.backfill.token.code] : []),
    ...(access.backfill?.missingRoles.length && !access.missingRoles.length ? ["MissingGraphRoles"] : []),
  ];
  const fixes: AccessFix[] = [];
  const seen = new Set<string>();
  for (const code of codes) {
    // a token without the role and the API's AF10001 are one problem with one fix
    const key = code === "AF10001" ? "MissingRoles" : code;
    if (seen.has(key)) continue;
    seen.add(key);
    const fix = fixFor(code, ctx);
    // both APIs' roles missing: one consent grants both, so one fix that names both
    if (fix && key === "MissingRoles" && access.backfill?.missingRoles.length) fix.fix += access.clientId ? ` For back-fill, add ${MICROSOFT_GRAPH}'s AuditLogsQuery.Read.All to the same app before that consent.` : ` For back-fill, assign ${MICROSOFT_GRAPH}'s AuditLogsQuery.Read.All too.`;
    if (fix) fixes.push(fix);
  }
  return fixes;
}
