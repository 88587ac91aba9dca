import {
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
} from "@azure/identity";
import { cloudEndpoints } from "../../functions/src/management-api/clouds";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TokenCredential } from "@azure/identity";
import {
  type CredentialConfig,
  RenewableCredential,
  createManagementCredential,
  credentialConfigSchema,
  federatedAssertionAudience,
} from "../../functions/src/management-api/credentials";
import { type LocalTls, createLocalTls } from "../../local/tls";
import { openIdDiscovery } from "./fixture";
import { type ScriptedServer, sendJson, startScriptedServer } from "./scripted-server";

const tenantId = "11111111-2222-3333-4444-555555555555";
const clientId = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const enterprise = cloudEndpoints("Enterprise");
/** The @azure/identity credential behind the renewable wrapper every kind is built in. */
const identity = (c: TokenCredential) => (c as RenewableCredential).identity;

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
    expect(identity(createManagementCredential(tenantId, { kind: "managedIdentity" }, enterprise))).toBeInstanceOf(ManagedIdentityCredential);
    expect(identity(createManagementCredential(tenantId, { kind: "managedIdentity", clientId }, enterprise))).toBeInstanceOf(
      ManagedIdentityCredential,
    );
  });

  it("uses a client assertion from the managed identity for an MSSP app (no secret)", () => {
    expect(identity(createManagementCredential(tenantId, { kind: "federated", clientId }, enterprise))).toBeInstanceOf(ClientAssertionCredential);
  });

  it("asks the managed identity for the token-exchange audience of the cloud", () => {
    expect(federatedAssertionAudience("https://login.microsoftonline.com")).toBe("api://AzureADTokenExchange");
    expect(federatedAssertionAudience(cloudEndpoints("GCCHigh").authorityHost)).toBe("api://AzureADTokenExchangeUSGov");
  });

  it("uses a certificate or, as a last resort, a secret through @azure/identity on https authorities", () => {
    expect(
      identity(createManagementCredential(tenantId, { kind: "certificate", clientId, certificatePath: "/nonexistent.pem" }, enterprise)),
    ).toBeInstanceOf(ClientCertificateCredential);
    expect(identity(createManagementCredential(tenantId, { kind: "secret", clientId, clientSecret: "s" }, enterprise))).toBeInstanceOf(
      ClientSecretCredential,
    );
    const proxy = { authorityHost: "https://login.proxy.example", tokenScope: enterprise.tokenScope };
    expect(identity(createManagementCredential(tenantId, { kind: "secret", clientId, clientSecret: "s" }, proxy))).toBeInstanceOf(
      ClientSecretCredential,
    );
  });

  it("refuses a plain-http authority, loopback included: MSAL serves every kind, and it takes only https", () => {
    const remote = { authorityHost: "http://login.example.com", tokenScope: enterprise.tokenScope };
    expect(() => createManagementCredential(tenantId, { kind: "secret", clientId, clientSecret: "s" }, remote)).toThrow(
      expect.objectContaining({ code: "InsecureEndpoint" }),
    );
    const local = { authorityHost: "http://127.0.0.1:9", tokenScope: enterprise.tokenScope };
    for (const cfg of [{ kind: "secret", clientId, clientSecret: "s" }, { kind: "federated", clientId }] as CredentialConfig[]) {
      expect(() => createManagementCredential(tenantId, cfg, local)).toThrow(/must be an https URL/);
    }
  });

  it("validates credential configuration with a schema that says what is wrong", () => {
    expect(credentialConfigSchema.safeParse({ kind: "federated", clientId }).success).toBe(true);
    const bad = credentialConfigSchema.safeParse({ kind: "certificate", clientId: "not-a-guid" });
    expect(bad.success).toBe(false);
    expect(credentialConfigSchema.safeParse({ kind: "password" }).success).toBe(false);
  });
});

describe("ClientSecretCredential against an https token endpoint trusted through authorityCaFile", () => {
  let login: ScriptedServer;
  let tls: LocalTls;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "m365-cred-"));
    tls = await createLocalTls(join(dir, "ca.pem"));
    login = await startScriptedServer({ tls, aside: openIdDiscovery });
  });
  afterAll(async () => {
    await login.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => login.reset());

  const issue = (lifetimeS = 3599) => {
    login.script = (req, res, n) =>
      req.path === `/${tenantId}/oauth2/v2.0/token`
        ? sendJson(res, 200, { token_type: "Bearer", expires_in: lifetimeS, access_token: `token-${n}` })
        : sendJson(res, 404, {});
  };
  const secret = (clientSecret = "s3cret", caFile: string | undefined = tls.caPath) =>
    createManagementCredential(
      tenantId,
      { kind: "secret", clientId, clientSecret, ...(caFile ? { authorityCaFile: caFile } : {}) },
      { authorityHost: login.url, tokenScope: enterprise.tokenScope },
    );

  it("performs the client-credentials POST with the scope and caches the token until it nears expiry", async () => {
    issue();
    const cred = secret();
    const a = await cred.getToken(enterprise.tokenScope);
    const b = await cred.getToken(enterprise.tokenScope);
    expect(a?.token).toBe("token-1");
    expect(b?.token).toBe("token-1");
    expect(login.requests).toHaveLength(1);
    const form = Object.fromEntries(new URLSearchParams(login.requests[0].body));
    expect(form).toMatchObject({
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: "s3cret",
      scope: "https://manage.office.com/.default",
    });
    expect(a!.expiresOnTimestamp).toBeGreaterThan(Date.now() + 3500_000);
  });

  it("fetches anew when asked to force a refresh (the token policy's hint after a 401), despite MSAL's cache", async () => {
    issue();
    const cred = secret();
    expect((await cred.getToken(enterprise.tokenScope))?.token).toBe("token-1");
    const fresh = await cred.getToken(enterprise.tokenScope, { forceRefresh: true } as object);
    expect(fresh?.token).toBe("token-2");
  });

  it("reports a refused secret with the endpoint's explanation and never the secret", async () => {
    login.script = (_req, res) =>
      sendJson(res, 401, { error: "invalid_client", error_description: "AADSTS7000215: Invalid client secret provided." });
    const err = await secret("s3cret-value").getToken(enterprise.tokenScope).catch((e) => e);
    expect(err.message).toMatch(/AADSTS7000215/);
    expect(err.message).not.toContain("s3cret-value");
  });

  it("does not trust the endpoint's private CA unless it is configured", async () => {
    issue();
    const err = await secret("s3cret", "").getToken(enterprise.tokenScope).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(login.requests).toHaveLength(0);
  });
});
