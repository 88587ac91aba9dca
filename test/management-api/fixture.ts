// Servers and a client wired for the client specifications: a scripted API, an HTTPS token endpoint (per-run CA)
// issuing tok-1, tok-2, … to @azure/identity's ClientSecretCredential, and a "foreign" server that must never hear
// from the client. The token endpoint's `requests` are the token requests: MSAL's OpenID discovery is answered aside.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServerResponse } from "node:http";
import { createLocalTls } from "../../local/tls";
import { ManagementActivityClient, type ManagementActivityClientOptions } from "../../functions/src/management-api/client";
import { cloudEndpoints } from "../../functions/src/management-api/clouds";
import { createManagementCredential } from "../../functions/src/management-api/credentials";
import type { ManagementApiEvent, RequestInfo } from "../../functions/src/management-api/events";
import { type ReceivedRequest, type ScriptedServer, sendJson, startScriptedServer } from "./scripted-server";

export const tenantId = "11111111-2222-3333-4444-555555555555";
export const publisherId = "99999999-8888-7777-6666-555555555555";
export const clientId = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
export const feedPath = `/api/v1.0/${tenantId}/activity/feed`;

export interface Fixture {
  api: ScriptedServer;
  login: ScriptedServer;
  foreign: ScriptedServer;
  reset(): void;
  client(overrides?: Partial<ManagementActivityClientOptions>): {
    client: ManagementActivityClient;
    requests: RequestInfo[];
    events: ManagementApiEvent[];
  };
  close(): Promise<void>;
}

/** Answers MSAL's OpenID discovery for a tenant, as Entra does, pointing at the token endpoint. */
export function openIdDiscovery(req: ReceivedRequest, res: ServerResponse, base: string): boolean {
  const m = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(req.path);
  if (!m) return false;
  const root = `${base}/${m[1]}`;
  sendJson(res, 200, {
    token_endpoint: `${root}/oauth2/v2.0/token`,
    authorization_endpoint: `${root}/oauth2/v2.0/authorize`,
    end_session_endpoint: `${root}/oauth2/v2.0/logout`,
    jwks_uri: `${root}/discovery/v2.0/keys`,
    issuer: `${root}/v2.0`,
  });
  return true;
}

export async function startFixture(): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), "m365-client-"));
  const tls = await createLocalTls(join(dir, "ca.pem"));
  const [api, login, foreign] = await Promise.all([
    startScriptedServer(),
    startScriptedServer({ tls, aside: openIdDiscovery }),
    startScriptedServer(),
  ]);
  const issueTokens = () => {
    login.script = (_req, res, n) => sendJson(res, 200, { token_type: "Bearer", expires_in: 3599, access_token: `tok-${n}` });
  };
  issueTokens();
  return {
    api,
    login,
    foreign,
    reset() {
      api.reset();
      login.reset();
      foreign.reset();
      issueTokens();
      foreign.script = (_req, res) => sendJson(res, 200, [{ Id: "stolen" }]);
    },
    client(overrides = {}) {
      const requests: RequestInfo[] = [];
      const events: ManagementApiEvent[] = [];
      const client = new ManagementActivityClient({
        tenantId,
        credential: createManagementCredential(
          tenantId,
          { kind: "secret", clientId, clientSecret: "secret", authorityCaFile: tls.caPath },
          { authorityHost: login.url, tokenScope: cloudEndpoints("Enterprise").tokenScope },
        ),
        baseUrl: api.url,
        publisherId,
        retry: { maxRetries: 4, baseDelayMs: 5, maxDelayMs: 2000 },
        requestTimeoutMs: 5000,
        onRequest: (i) => requests.push(i),
        onEvent: (e) => events.push(e),
        ...overrides,
      });
      return { client, requests, events };
    },
    close: async () => {
      await Promise.all([api.close(), login.close(), foreign.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

export function blob(n: number, base: string) {
  const id = `2024031407005174800582${n}$audit_exchange$Audit_Exchange$emea0036`;
  return {
    contentType: "Audit.Exchange",
    contentId: id,
    contentUri: `${base}${feedPath}/audit/${encodeURIComponent(id)}`,
    contentCreated: "2024-03-14T07:00:51.748Z",
    contentExpiration: "2024-03-21T07:00:51.748Z",
  };
}
