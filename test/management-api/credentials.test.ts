import {
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
} from "@azure/identity";
import { cloudEndpoints } from "../../functions/src/management-api/clouds";
import {
  createManagementCredential,
  credentialConfigSchema,
  federatedAssertionAudience,
} from "../../functions/src/management-api/credentials";
import { LocalClientSecretCredential } from "../../functions/src/management-api/local-client-credential";
import { type ScriptedServer, sendJson, startScriptedServer } from "./scripted-server";

const tenantId = "11111111-2222-3333-4444-555555555555";
const clientId = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const enterprise = cloudEndpoints("Enterprise");

describe("clouds", () => {
  it.each([
    ["Enterprise", "manage.office.com", "https://login.microsoftonline.com"],
    ["GCC", "manage-gcc.office.com", "https://login.microsoftonline.com"],
    ["GCCHigh", "manage.office365.us", "https://login.microsoftonline.us"],
    ["DoD", "manage.protection.apps.mil", "https://login.microsoftonline.us"],
  ] as const)("%s reads from %s with tokens from %s", (cloud, apiHost, authorityHost) => {
    expect(cloudEndpoints(cloud)).toEqual({
      apiHost,
      authorityHost,
      tokenScope: `https://${apiHost}/.default`,
      apiBaseUrl: `https://${apiHost}`,
    });
  });
});

describe("credentials chosen by configuration", () => {
  it("uses the managed identity for the own tenant", () => {
    expect(createManagementCredential(tenantId, { kind: "managedIdentity" }, enterprise)).toBeInstanceOf(ManagedIdentityCredential);
    expect(createManagementCredential(tenantId, { kind: "managedIdentity", clientId }, enterprise)).toBeInstanceOf(
      ManagedIdentityCredential,
    );
  });

  it("uses a client assertion from the managed identity for an MSSP app (no secret)", () => {
    expect(createManagementCredential(tenantId, { kind: "federated", clientId }, enterprise)).toBeInstanceOf(ClientAssertionCredential);
  });

  it("asks the managed identity for the token-exchange audience of the cloud", () => {
    expect(federatedAssertionAudience("https://login.microsoftonline.com")).toBe("api://AzureADTokenExchange");
    expect(federatedAssertionAudience(cloudEndpoints("GCCHigh").authorityHost)).toBe("api://AzureADTokenExchangeUSGov");
  });

  it("uses a certificate or, as a last resort, a secret through @azure/identity on https authorities", () => {
    expect(
      createManagementCredential(tenantId, { kind: "certificate", clientId, certificatePath: "/nonexistent.pem" }, enterprise),
    ).toBeInstanceOf(ClientCertificateCredential);
    expect(createManagementCredential(tenantId, { kind: "secret", clientId, clientSecret: "s" }, enterprise)).toBeInstanceOf(
      ClientSecretCredential,
    );
    const proxy = { authorityHost: "https://login.proxy.example", tokenScope: enterprise.tokenScope };
    expect(createManagementCredential(tenantId, { kind: "secret", clientId, clientSecret: "s" }, proxy)).toBeInstanceOf(
      ClientSecretCredential,
    );
  });

  it("serves a plain-http loopback authority (the emulator) with the small client-credentials credential", () => {
    const local = { authorityHost: "http://127.0.0.1:9", tokenScope: enterprise.tokenScope };
    expect(createManagementCredential(tenantId, { kind: "secret", clientId, clientSecret: "s" }, local)).toBeInstanceOf(
      LocalClientSecretCredential,
    );
  });

  it("refuses a plain-http authority anywhere but loopback, and for kinds MSAL must serve", () => {
    const remote = { authorityHost: "http://login.example.com", tokenScope: enterprise.tokenScope };
    expect(() => createManagementCredential(tenantId, { kind: "secret", clientId, clientSecret: "s" }, remote)).toThrow(
      expect.objectContaining({ code: "InsecureEndpoint" }),
    );
    const local = { authorityHost: "http://127.0.0.1:9", tokenScope: enterprise.tokenScope };
    expect(() => createManagementCredential(tenantId, { kind: "federated", clientId }, local)).toThrow(/needs an https authority/);
  });

  it("validates credential configuration with a schema that says what is wrong", () => {
    expect(credentialConfigSchema.safeParse({ kind: "federated", clientId }).success).toBe(true);
    const bad = credentialConfigSchema.safeParse({ kind: "certificate", clientId: "not-a-guid" });
    expect(bad.success).toBe(false);
    expect(credentialConfigSchema.safeParse({ kind: "password" }).success).toBe(false);
  });
});

describe("LocalClientSecretCredential against a local token endpoint", () => {
  let login: ScriptedServer;
  beforeAll(async () => {
    login = await startScriptedServer();
  });
  afterAll(() => login.close());
  beforeEach(() => login.reset());

  const issue = (lifetimeS = 3599) => {
    login.script = (req, res, n) =>
      req.path === `/${tenantId}/oauth2/v2.0/token`
        ? sendJson(res, 200, { token_type: "Bearer", expires_in: lifetimeS, access_token: `token-${n}` })
        : sendJson(res, 404, {});
  };

  it("performs the client-credentials POST with the scope and caches the token until it nears expiry", async () => {
    issue();
    const cred = new LocalClientSecretCredential(tenantId, clientId, "s3cret", login.url);
    const a = await cred.getToken(enterprise.tokenScope);
    const b = await cred.getToken(enterprise.tokenScope);
    expect(a.token).toBe("token-1");
    expect(b.token).toBe("token-1");
    expect(login.requests).toHaveLength(1);
    const form = new URLSearchParams(login.requests[0].body);
    expect(Object.fromEntries(form)).toEqual({
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: "s3cret",
      scope: "https://manage.office.com/.default",
    });
    expect(a.expiresOnTimestamp).toBeGreaterThan(Date.now() + 3500_000);
  });

  it("shares one request between concurrent callers and fetches anew when asked to force a refresh", async () => {
    issue();
    const cred = new LocalClientSecretCredential(tenantId, clientId, "s3cret", `${login.url}/`);
    const tokens = await Promise.all([1, 2, 3].map(() => cred.getToken(enterprise.tokenScope)));
    expect(new Set(tokens.map((t) => t.token))).toEqual(new Set(["token-1"]));
    const fresh = await cred.getToken(enterprise.tokenScope, { forceRefresh: true } as object);
    expect(fresh.token).toBe("token-2");
  });

  it("reports a refused secret with the endpoint's explanation and never the secret", async () => {
    login.script = (_req, res) =>
      sendJson(res, 401, { error: "invalid_client", error_description: "AADSTS7000215: Invalid client secret provided." });
    const cred = new LocalClientSecretCredential(tenantId, clientId, "s3cret-value", login.url);
    const err = await cred.getToken(enterprise.tokenScope).catch((e) => e);
    expect(err).toMatchObject({ code: "AuthenticationFailed", status: 401, transient: false });
    expect(err.message).toMatch(/AADSTS7000215/);
    expect(err.message).not.toContain("s3cret-value");
  });

  it("refuses to be pointed at anything but loopback http", () => {
    expect(() => new LocalClientSecretCredential(tenantId, clientId, "s", "http://login.example.com")).toThrow(
      expect.objectContaining({ code: "InsecureEndpoint" }),
    );
    expect(() => new LocalClientSecretCredential(tenantId, clientId, "s", "https://login.microsoftonline.com")).toThrow(
      /only for a plain-http authority/,
    );
  });
});
