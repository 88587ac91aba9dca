import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClientSecretCredential } from "@azure/identity";
import { type LocalTls, createLocalTls } from "../../local/tls";
import { startManagementApiEmulator, type ManagementApiEmulator } from "../../local/management-api/index";
import { FeedClient, json, postForm } from "./feed-client";

type TokenReply = { status: number; body: Record<string, unknown> };

async function requestToken(emu: ManagementApiEmulator, path: string, form: Record<string, string>): Promise<TokenReply> {
  const r = await postForm(emu, path, form);
  return { status: r.status, body: JSON.parse(r.text) as Record<string, unknown> };
}

describe("token endpoint and API authentication", () => {
  let emu: ManagementApiEmulator;
  beforeAll(async () => {
    emu = await startManagementApiEmulator({ seed: 3, tenants: 2, users: 5 });
  });
  afterAll(() => emu.close());

  const creds = (i = 0) => ({ grant_type: "client_credentials", client_id: emu.tenants[i].clientId, client_secret: emu.tenants[i].clientSecret });

  test("v2 client credentials (scope=<host>/.default) issue a bearer token valid for 3599 s", async () => {
    const r = await requestToken(emu, `/${emu.tenants[0].tenantId}/oauth2/v2.0/token`, { ...creds(), scope: "https://manage.office.com/.default" });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ token_type: "Bearer", expires_in: 3599 });
    expect(typeof r.body.access_token).toBe("string");
  });

  test("v1 client credentials (resource=<host>) answer the v1 shape, expires_in as a string", async () => {
    const r = await requestToken(emu, `/${emu.tenants[0].tenantId}/oauth2/token`, { ...creds(), resource: "https://manage.office.com" });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ token_type: "Bearer", expires_in: "3599", resource: "https://manage.office.com" });
    expect(Number(r.body.expires_on)).toBeGreaterThan(Date.now() / 1000 + 3500);
  });

  test("the tenant's domain works in place of its id, and the emulator's own origin is a valid audience", async () => {
    const r = await requestToken(emu, `/${emu.tenants[0].domain}/oauth2/v2.0/token`, { ...creds(), scope: `${emu.managementApi}/.default` });
    expect(r.status).toBe(200);
    const client = new FeedClient(emu);
    expect((await client.get("subscriptions/list", { token: r.body.access_token as string })).status).toBe(200);
  });

  test.each([
    ["a wrong secret", { client_secret: "nope" }, 401, "invalid_client", 7000215],
    ["an app unknown in the tenant", { client_id: "00000000-0000-4000-8000-000000000001" }, 400, "unauthorized_client", 700016],
    ["a scope without /.default", { scope: "https://manage.office.com" }, 400, "invalid_scope", 1002012],
    ["a resource that is not the Management API", { scope: "https://graph.microsoft.com/.default" }, 400, "invalid_resource", 500011],
    ["another grant type", { grant_type: "password" }, 400, "unsupported_grant_type", 70003],
  ])("%s is refused with Entra's error shape", async (_what, override, status, error, aadsts) => {
    const r = await requestToken(emu, `/${emu.tenants[0].tenantId}/oauth2/v2.0/token`, { ...creds(), scope: "https://manage.office.com/.default", ...override });
    expect(r.status).toBe(status);
    expect(r.body.error).toBe(error);
    expect(r.body.error_codes).toEqual([aadsts]);
    expect(String(r.body.error_description)).toContain(`AADSTS${aadsts}`);
  });

  test("an unknown tenant is refused (AADSTS90002)", async () => {
    const r = await requestToken(emu, `/11111111-2222-4333-8444-555555555555/oauth2/v2.0/token`, { ...creds(), scope: "https://manage.office.com/.default" });
    expect(r.status).toBe(400);
    expect(r.body.error_codes).toEqual([90002]);
  });

  test("a call without a token, or with an unknown one, is answered 401 with a Bearer challenge", async () => {
    const client = new FeedClient(emu);
    for (const token of [null, "not-a-token"]) {
      const r = await client.get("subscriptions/list", { token });
      expect(r.status).toBe(401);
      expect(r.headers.get("www-authenticate")).toMatch(/^Bearer /);
      expect(json<{ Message: string }>(r).Message).toMatch(/Authorization has been denied/);
    }
  });

  test("a token of one tenant used on another tenant's URL is answered AF20010", async () => {
    const other = new FeedClient(emu, emu.tenants[1]);
    const r = await new FeedClient(emu).get("subscriptions/list", { token: await other.token() });
    expect(r.status).toBe(403);
    expect(json<{ error: { code: string; message: string } }>(r).error.code).toBe("AF20010");
  });

  test("a tenant id that is not a GUID is answered AF20013", async () => {
    const client = new FeedClient(emu);
    const r = await client.get(`${emu.managementApi}/api/v1.0/contoso/activity/feed/subscriptions/list`);
    expect(r.status).toBe(400);
    expect(json<{ error: { code: string } }>(r).error.code).toBe("AF20013");
  });

  test("token requests are counted per tenant", async () => {
    const before = emu.truth.requests(emu.tenants[1].tenantId).byOperation.token ?? 0;
    await new FeedClient(emu, emu.tenants[1]).token(true);
    expect(emu.truth.requests(emu.tenants[1].tenantId).byOperation.token).toBe(before + 1);
  });
});

describe("token lifetime", () => {
  test("an expired token is answered 401 and a fresh one works", async () => {
    const emu = await startManagementApiEmulator({ users: 5, tokenLifetimeSeconds: 1 });
    try {
      const client = new FeedClient(emu);
      const token = await client.token();
      expect((await client.get("subscriptions/list", { token })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1100));
      const expired = await client.get("subscriptions/list", { token });
      expect(expired.status).toBe(401);
      expect(expired.text).toMatch(/expired/);
      expect((await client.get("subscriptions/list", { token: await client.token(true) })).status).toBe(200);
    } finally {
      await emu.close();
    }
  });
});

describe("one multi-tenant app (the MSSP shape)", () => {
  test("all tenants share the app's client id and secret, and each token still binds to one tenant", async () => {
    const emu = await startManagementApiEmulator({ users: 5, tenants: 3, multiTenantApp: true });
    try {
      expect(new Set(emu.tenants.map((t) => t.clientId)).size).toBe(1);
      expect(new Set(emu.tenants.map((t) => t.clientSecret)).size).toBe(1);
      expect(new Set(emu.tenants.map((t) => t.tenantId)).size).toBe(3);
      const a = new FeedClient(emu, emu.tenants[0]);
      const b = new FeedClient(emu, emu.tenants[1]);
      expect((await b.get("subscriptions/list")).status).toBe(200);
      expect((await a.get("subscriptions/list", { token: await b.token() })).status).toBe(403);
    } finally {
      await emu.close();
    }
  });
});

describe("the login endpoint over HTTPS, as @azure/identity reaches it", () => {
  let emu: ManagementApiEmulator;
  let tls: LocalTls;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "m365-login-"));
    tls = await createLocalTls(join(dir, "ca.pem"));
    emu = await startManagementApiEmulator({ seed: 3, tenants: 1, users: 5 }, { loginTls: tls });
  });
  afterAll(async () => {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const credential = (ca: string | undefined) => {
    const t = emu.tenants[0];
    return new ClientSecretCredential(t.tenantId, t.clientId, t.clientSecret, {
      authorityHost: emu.login,
      disableInstanceDiscovery: true,
      ...(ca ? { tlsOptions: { ca } } : {}),
    });
  };

  test("serves OpenID discovery and client credentials to ClientSecretCredential trusting the per-run CA; the API accepts the token", async () => {
    expect(emu.login).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const token = await credential(tls.caPem).getToken("https://manage.office.com/.default");
    const t = emu.tenants[0];
    const r = await fetch(`${emu.managementApi}/api/v1.0/${t.tenantId}/activity/feed/subscriptions/list?PublisherIdentifier=${t.publisherId}`, {
      headers: { Authorization: `Bearer ${token.token}` },
    });
    expect(r.status).toBe(200);
  });

  test("issues the app's tokens for Azure Data Explorer and the Logs Ingestion API too", async () => {
    const c = credential(tls.caPem);
    await expect(c.getToken("https://kusto.kusto.windows.net/.default")).resolves.toMatchObject({ token: expect.any(String) });
    await expect(c.getToken("https://monitor.azure.com//.default")).resolves.toMatchObject({ token: expect.any(String) });
  });

  test("is not trusted without the CA", async () => {
    await expect(credential(undefined).getToken("https://manage.office.com/.default")).rejects.toThrow();
  });
});
