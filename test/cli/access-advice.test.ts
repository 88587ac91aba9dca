// The fix the CLI prints for each reason the app cannot read a tenant's feed.
import { accessAdvice, adminConsentUrl, fixFor } from "../../cli/app/access-advice";
import type { TenantAccess } from "../../functions/src/admin/tenant-access";

const tenant = "3f1c0a52-9d7e-4b1a-8c2f-5e6d7a8b9c01";
const app = "8a7bd90a-ec02-4252-93e1-c7d40677746f";

test("the admin-consent URL is on the cloud's own login host", () => {
  expect(adminConsentUrl(tenant, app)).toBe(`https://login.microsoftonline.com/${tenant}/adminconsent?client_id=${app}`);
  expect(adminConsentUrl(tenant, app, "GCC")).toBe(`https://login.microsoftonline.com/${tenant}/adminconsent?client_id=${app}`);
  expect(adminConsentUrl(tenant, app, "GCCHigh")).toBe(`https://login.microsoftonline.us/${tenant}/adminconsent?client_id=${app}`);
  expect(adminConsentUrl(tenant, app, "DoD")).toBe(`https://login.microsoftonline.us/${tenant}/adminconsent?client_id=${app}`);
});

test("each recognised code maps to its fix; an unknown code to none", () => {
  const ctx = { tenantId: tenant, cloud: "Enterprise" as const, clientId: app };
  expect(fixFor("AADSTS700016", ctx)).toMatchObject({ consentUrl: adminConsentUrl(tenant, app) });
  expect(fixFor("AADSTS90002", ctx)?.fix).toMatch(/login\.microsoftonline\.us/);
  expect(fixFor("AF10001", { ...ctx, missingRoles: ["ActivityFeed.ReadDlp"] })?.fix).toMatch(/ActivityFeed\.ReadDlp of Office 365 Management APIs/);
  expect(fixFor("AF20023", ctx)?.fix).toMatch(/UnifiedAuditLogIngestionEnabled \$true/);
  expect(fixFor("AF20022", ctx)?.fix).toMatch(/plan run/);
  expect(fixFor("AF50000", ctx)).toBeUndefined();
  // the app's own managed identity: no consent URL, the role is assigned to the identity
  expect(fixFor("AF10001", { ...ctx, clientId: null })).not.toHaveProperty("consentUrl");
  expect(fixFor("AF10001", { ...ctx, clientId: null })?.fix).toMatch(/managed identity/);
});

test("a token without the role and the API's AF10001 are one problem with one fix", () => {
  const access: TenantAccess = {
    tenantId: tenant,
    cloud: "Enterprise",
    clientId: app,
    token: { ok: true, roles: [] },
    missingRoles: ["ActivityFeed.Read"],
    subscriptions: [
      { contentType: "Audit.Exchange", status: "unknown", error: { code: "AF10001", message: "The permission set () sent in the request does not include the expected permission." } },
      { contentType: "Audit.General", status: "unknown", error: { code: "AF10001", message: "same" } },
    ],
    lastPlanError: null,
    ready: false,
    advice: [],
  };
  expect(accessAdvice(access).map((f) => f.code)).toEqual(["MissingRoles"]);
  expect(accessAdvice({ ...access, token: { ok: true, roles: ["ActivityFeed.Read"] }, missingRoles: [], subscriptions: [{ contentType: "Audit.Exchange", status: "disabled", error: { code: "AF20023", message: "off" } }] }).map((f) => f.code)).toEqual(["AF20023"]);
});
