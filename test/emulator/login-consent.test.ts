// The emulated login as a CLI meets it: OpenID discovery per tenant id and domain, and admin consent per tenant of the
// multi-tenant app (none → AADSTS700016; consented without ActivityFeed.Read → the API answers AF10001).
import { request as httpsRequest } from "node:https";
import { startManagementApiEmulator, type ManagementApiEmulator } from "../../local/management-api/index";
import { FeedClient, json, postForm } from "./feed-client";

function loginCall(emu: ManagementApiEmulator, method: string, path: string, body?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${emu.login}${path}`, { method, ca: emu.loginCaPem, headers: body ? { "content-type": "application/json" } : {} }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString("utf8")));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("OpenID discovery per tenant id and domain", () => {
  let emu: ManagementApiEmulator;
  beforeAll(async () => {
    emu = await startManagementApiEmulator({ seed: 5, tenants: 2, users: 5 });
  });
  afterAll(() => emu.close());

  test("the v2 document for the domain names the tenant id in its issuer and endpoints", async () => {
    const t = emu.tenants[1];
    expect(t.domain).toMatch(/^[a-z0-9]+\.onmicrosoft\.com$/);
    const r = await loginCall(emu, "GET", `/${t.domain}/v2.0/.well-known/openid-configuration`);
    expect(r.status).toBe(200);
    expect(r.body.issuer).toBe(`${emu.login}/${t.tenantId}/v2.0`);
    expect(r.body.token_endpoint).toBe(`${emu.login}/${t.tenantId}/oauth2/v2.0/token`);
    expect(r.body.authorization_endpoint).toBe(`${emu.login}/${t.tenantId}/oauth2/v2.0/authorize`);
    expect(typeof r.body.tenant_region_scope).toBe("string");
  });

  test("the v1 document (by id or domain, any case) uses the STS issuer and v1 endpoints", async () => {
    const t = emu.tenants[0];
    for (const key of [t.tenantId, t.domain.toUpperCase()]) {
      const r = await loginCall(emu, "GET", `/${key}/.well-known/openid-configuration`);
      expect(r.status).toBe(200);
      expect(r.body.issuer).toBe(`https://sts.windows.net/${t.tenantId}/`);
      expect(r.body.token_endpoint).toBe(`${emu.login}/${t.tenantId}/oauth2/token`);
    }
  });

  test("an unknown domain answers 400 invalid_tenant with AADSTS90002, as Entra does", async () => {
    const r = await loginCall(emu, "GET", `/nobody-here.onmicrosoft.com/v2.0/.well-known/openid-configuration`);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe("invalid_tenant");
    expect(r.body.error_codes).toEqual([90002]);
    expect(String(r.body.error_description)).toMatch(/^AADSTS90002: Tenant 'nobody-here\.onmicrosoft\.com' not found/);
    expect(JSON.stringify(r.body)).not.toMatch(new RegExp(emu.tenants.map((x) => x.tenantId).join("|")));
  });
});

describe("consent of the multi-tenant app, per tenant", () => {
  let emu: ManagementApiEmulator;
  beforeAll(async () => {
    emu = await startManagementApiEmulator({ seed: 6, tenants: 3, users: 5, multiTenantApp: true, consent: { 1: "none", 2: "no-app-role" } });
  });
  afterAll(() => emu.close());

  const tokenFor = (i: number) =>
    postForm(emu, `/${emu.tenants[i].tenantId}/oauth2/v2.0/token`, {
      grant_type: "client_credentials",
      client_id: emu.tenants[i].clientId,
      client_secret: emu.tenants[i].clientSecret,
      scope: "https://manage.office.com/.default",
    });

  test("a tenant not named keeps its consent: token and API call succeed", async () => {
    expect((await new FeedClient(emu, emu.tenants[0]).get("subscriptions/list")).status).toBe(200);
  });

  test("without consent the token request fails 400 unauthorized_client AADSTS700016, even with the right secret", async () => {
    const r = await tokenFor(1);
    expect(r.status).toBe(400);
    const body = JSON.parse(r.text) as Record<string, unknown>;
    expect(body.error).toBe("unauthorized_client");
    expect(body.error_codes).toEqual([700016]);
    expect(String(body.error_description)).toContain(`AADSTS700016: Application with identifier '${emu.tenants[1].clientId}' was not found in the directory`);
    expect(r.text).not.toContain(emu.tenants[1].clientSecret);
  });

  test("consented without ActivityFeed.Read: a token is issued and the API answers 401 AF10001", async () => {
    const r = await tokenFor(2);
    expect(r.status).toBe(200);
    const token = (JSON.parse(r.text) as { access_token: string }).access_token;
    const call = await new FeedClient(emu, emu.tenants[2]).get("subscriptions/list", { token });
    expect(call.status).toBe(401);
    const error = json<{ error: { code: string; message: string } }>(call).error;
    expect(error.code).toBe("AF10001");
    expect(error.message).toMatch(/^The permission set \(\) sent in the request does not include the expected permission\.$/);
  });

  test("the emulator control grants consent at run time (by domain), as an admin opening the consent URL", async () => {
    const granted = await loginCall(emu, "POST", `/_emulator/consent/${emu.tenants[1].domain}`, JSON.stringify({ consent: "granted" }));
    expect(granted).toEqual({ status: 200, body: { tenantId: emu.tenants[1].tenantId, consent: "granted" } });
    expect((await tokenFor(1)).status).toBe(200);
    expect((await new FeedClient(emu, emu.tenants[1]).get("subscriptions/list")).status).toBe(200);
    // the role granted later: tokens issued from then on carry it
    expect((await loginCall(emu, "POST", `/_emulator/consent/${emu.tenants[2].tenantId}`)).status).toBe(200);
    expect((await new FeedClient(emu, emu.tenants[2]).get("subscriptions/list")).status).toBe(200);
  });

  test("the control refuses an unknown state or tenant with what to send", async () => {
    const bad = await loginCall(emu, "POST", `/_emulator/consent/${emu.tenants[0].tenantId}`, JSON.stringify({ consent: "maybe" }));
    expect(bad.status).toBe(400);
    expect(String(bad.body.error)).toContain("granted, none, no-app-role");
    expect((await loginCall(emu, "POST", `/_emulator/consent/nobody.onmicrosoft.com`)).status).toBe(404);
  });

  test("a consent option naming a tenant that does not exist fails at startup", async () => {
    await expect(startManagementApiEmulator({ tenants: 2, users: 5, consent: { 5: "none" } })).rejects.toThrow(/consent names tenant index 5 but only 2 tenant\(s\) exist/);
  });
});

describe("Graph audience", () => {
  test("tokens for https://graph.microsoft.com are issued when the run asks for the Graph audience", async () => {
    const emu = await startManagementApiEmulator({ seed: 7, users: 5, graphAudience: true });
    try {
      const t = emu.tenants[0];
      const r = await postForm(emu, `/${t.tenantId}/oauth2/v2.0/token`, { grant_type: "client_credentials", client_id: t.clientId, client_secret: t.clientSecret, scope: "https://graph.microsoft.com/.default" });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.text)).toMatchObject({ token_type: "Bearer" });
    } finally {
      await emu.close();
    }
  });
});
