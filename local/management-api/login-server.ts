// The token endpoint (the emulated login.microsoftonline.com): OAuth 2.0 client credentials, v1 (`resource=`) at
// /{tenant}/oauth2/token and v2 (`scope=<resource>/.default`) at /{tenant}/oauth2/v2.0/token. Errors use Entra's
// shape ({error, error_description with the AADSTS code, error_codes}). Served over HTTPS with the emulated cloud's
// per-run CA, as Entra is: MSAL (so @azure/identity) refuses any other authority, and first reads the tenant's OpenID
// configuration at /{tenant}/v2.0/.well-known/openid-configuration (v1: /{tenant}/.well-known/openid-configuration),
// for the tenant id or any of its domains, naming the tenant id in its issuer and endpoints as Entra does. Consent is
// per tenant: without it the app has no service principal there (AADSTS700016); consented without the
// ActivityFeed.Read role, tokens carry no roles. POST /_emulator/consent/{tenant} sets it, as an admin consenting would.
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import { randomUUID } from "node:crypto";
import { readBody, sendJson, listen } from "./http-exchange";
import type { RequestCounters } from "./request-counters";
import { ACTIVITY_FEED_ROLES, type TokenStore } from "./tokens";
import type { TenantIdentity } from "./scenario/tenant-identity";
import { TENANT_CONSENT, type TenantConsent } from "./types";

/** The API hosts whose tokens the emulated API accepts (each cloud's, plus the emulator's own origin). */
const API_AUDIENCES = ["https://manage.office.com", "https://manage-gcc.office.com", "https://manage.office365.us", "https://manage.protection.apps.mil"];
/** The platform resources the Function App's own identity asks tokens for: Azure Data Explorer and the Logs Ingestion API. */
const PLATFORM_AUDIENCES = ["https://kusto.kusto.windows.net", "https://monitor.azure.com"];
/** Microsoft Graph, for the Graph audit emulator (local/graph-audit), when the run asks for it. */
const GRAPH_AUDIENCE = "https://graph.microsoft.com";

export interface LoginServerOptions {
  host: string;
  port: number;
  tenants: TenantIdentity[];
  tokens: TokenStore;
  counters: RequestCounters;
  tokenLifetimeSeconds: number;
  /** Consent per tenant id; a tenant not named has consented with the app's roles. */
  consent: Map<string, TenantConsent>;
  graphAudience: boolean;
  /** The management API's own origin, also a valid audience. */
  apiOrigin: () => string;
  /** Server certificate and key signed by the per-run CA (local/tls.ts). */
  tls: { certPem: string; keyPem: string };
}

function entraError(res: ServerResponse, status: number, error: string, aadsts: number, description: string): void {
  const now = new Date().toISOString().replace("T", " ").slice(0, 19) + "Z";
  sendJson(res, status, JSON.stringify({
    error,
    error_description: `AADSTS${aadsts}: ${description} Trace ID: ${randomUUID()} Correlation ID: ${randomUUID()} Timestamp: ${now}`,
    error_codes: [aadsts],
    timestamp: now,
    trace_id: randomUUID(),
    correlation_id: randomUUID(),
  }));
}

function audienceOf(resourceOrScope: string): string | null {
  try {
    return new URL(resourceOrScope).origin;
  } catch {
    return null;
  }
}

export async function startLoginServer(o: LoginServerOptions) {
  let url = "";
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://login").pathname;
    const control = /^\/_emulator\/consent\/([^/]+)$/.exec(path);
    if (control) return setConsent(req, res, decodeURIComponent(control[1]).toLowerCase());
    const discovery = /^\/([^/]+)\/(v2\.0\/)?\.well-known\/openid-configuration$/.exec(path);
    if (discovery && req.method === "GET") {
      const tenantKey = decodeURIComponent(discovery[1]).toLowerCase();
      const known = tenantNamed(tenantKey);
      if (!known) {
        entraError(res, 400, "invalid_tenant", 90002, `Tenant '${tenantKey}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
        return;
      }
      sendJson(res, 200, JSON.stringify(openIdConfiguration(url, known, Boolean(discovery[2]))));
      return;
    }
    const m = /^\/([^/]+)\/oauth2\/(v2\.0\/)?token$/.exec(path);
    if (!m) {
      entraError(res, 404, "invalid_request", 90002, `No token endpoint at ${path}: use /{tenantId}/oauth2/token or /{tenantId}/oauth2/v2.0/token.`);
      return;
    }
    const tenantKey = decodeURIComponent(m[1]).toLowerCase();
    const v2 = Boolean(m[2]);
    const tenant = tenantNamed(tenantKey);
    const finish = (status: number) => tenant && o.counters.record(tenant.tenantId, "token", status);
    res.on("finish", () => finish(res.statusCode));
    if (req.method !== "POST") {
      entraError(res, 405, "invalid_request", 900561, "The endpoint only accepts POST requests.");
      return;
    }
    const form = new URLSearchParams(await readBody(req, 64 * 1024));
    if (!tenant) {
      entraError(res, 400, "invalid_request", 90002, `Tenant '${tenantKey}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
      return;
    }
    if (form.get("grant_type") !== "client_credentials") {
      entraError(res, 400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type: only client_credentials is supported here.");
      return;
    }
    const clientId = form.get("client_id");
    if (!clientId) {
      entraError(res, 400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.");
      return;
    }
    const consent = o.consent.get(tenant.tenantId) ?? "granted";
    if (clientId !== tenant.clientId || consent === "none") {
      entraError(res, 400, "unauthorized_client", 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant.orgName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`);
      return;
    }
    const secret = form.get("client_secret");
    if (!secret) {
      entraError(res, 401, "invalid_client", 7000216, "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.");
      return;
    }
    if (secret !== tenant.clientSecret) {
      entraError(res, 401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '" + clientId + "'.");
      return;
    }
    const requested = v2 ? form.get("scope") : form.get("resource");
    if (!requested) {
      entraError(res, 400, "invalid_request", 900144, `The request body must contain the following parameter: '${v2 ? "scope" : "resource"}'.`);
      return;
    }
    if (v2 && !/\/\.default$/.test(requested.trim())) {
      entraError(res, 400, "invalid_scope", 1002012, `The provided value for scope ${requested} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
      return;
    }
    const audience = audienceOf(requested.trim().replace(/\/\.default$/, ""));
    const audiences = [...API_AUDIENCES, ...PLATFORM_AUDIENCES, o.apiOrigin(), ...(o.graphAudience ? [GRAPH_AUDIENCE] : [])];
    if (!audience || !audiences.includes(audience)) {
      entraError(res, 400, "invalid_resource", 500011, `The resource principal named ${requested} was not found in the tenant named ${tenant.domain}. Use the Management API host (e.g. https://manage.office.com) or the emulator's API origin.`);
      return;
    }
    // a token holds the roles of its own resource only: Graph's are what the admin granted on Graph (none without consent)
    const granted = consent === "granted" ? (o.tokens.granted(tenant.tenantId, audience) ?? (audience === GRAPH_AUDIENCE ? [] : ACTIVITY_FEED_ROLES)) : [];
    const { raw, token } = o.tokens.issue(tenant.tenantId, clientId, audience, o.tokenLifetimeSeconds, granted);
    const expiresIn = o.tokenLifetimeSeconds;
    const body = v2
      ? { token_type: "Bearer", expires_in: expiresIn, ext_expires_in: expiresIn, access_token: raw }
      : {
          token_type: "Bearer",
          expires_in: String(expiresIn),
          ext_expires_in: String(expiresIn),
          expires_on: String(Math.floor(token.expiresAtMs / 1000)),
          not_before: String(Math.floor(Date.now() / 1000) - 300),
          resource: requested,
          access_token: raw,
        };
    sendJson(res, 200, JSON.stringify(body), { "Cache-Control": "no-store, no-cache", Pragma: "no-cache" });
  };
  const tenantNamed = (key: string) => o.tenants.find((t) => t.tenantId === key || t.domain === key);
  /** The emulator's control, standing for an admin's consent (or its withdrawal): body {"consent": "granted" | "none" | "no-app-role",
   *  "graphRoles"?: [...]}, empty = granted. */
  const setConsent = async (req: IncomingMessage, res: ServerResponse, key: string) => {
    const tenant = tenantNamed(key);
    if (req.method !== "POST") return sendJson(res, 405, JSON.stringify({ error: "POST /_emulator/consent/{tenant id or domain} with {\"consent\": \"granted\"}" }));
    if (!tenant) return sendJson(res, 404, JSON.stringify({ error: `The emulator has no tenant ${key}.` }));
    const text = await readBody(req, 4096);
    let consent: unknown = "granted";
    try {
      if (text.trim()) consent = (JSON.parse(text) as { consent?: unknown }).consent;
    } catch {
      consent = undefined;
    }
    if (!TENANT_CONSENT.includes(consent as TenantConsent)) {
      return sendJson(res, 400, JSON.stringify({ error: `consent must be one of ${TENANT_CONSENT.join(", ")}.` }));
    }
    // consenting again to an app that now asks for Graph roles too (back-fill enabled) grants them: {"graphRoles": [...]}
    const graphRoles = parseRoles(text);
    if (graphRoles === null) return sendJson(res, 400, JSON.stringify({ error: "graphRoles must be an array of role names, e.g. [\"AuditLogsQuery.Read.All\"]." }));
    if (graphRoles) o.tokens.grant(tenant.tenantId, GRAPH_AUDIENCE, graphRoles);
    o.consent.set(tenant.tenantId, consent as TenantConsent);
    sendJson(res, 200, JSON.stringify({ tenantId: tenant.tenantId, consent, ...(graphRoles ? { graphRoles } : {}) }));
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((e) => entraError(res, 500, "server_error", 50000, `The token endpoint failed: ${(e as Error).message}`));
  };
  const server = createServer({ cert: o.tls.certPem, key: o.tls.keyPem }, onRequest);
  server.keepAliveTimeout = 30_000;
  const listening = await listen(server, o.host, o.port);
  url = listening.url.replace(/^http:/, "https:"); // listen() names the address; the scheme is ours
  return { url, close: listening.close };
}

/** The body's graphRoles: undefined when absent, null when not a list of strings. */
function parseRoles(text: string): string[] | undefined | null {
  let roles: unknown;
  try {
    roles = text.trim() ? (JSON.parse(text) as { graphRoles?: unknown }).graphRoles : undefined;
  } catch {
    return undefined; // the consent field's own check reports a body that is not JSON
  }
  if (roles === undefined) return undefined;
  return Array.isArray(roles) && roles.every((r) => typeof r === "string") ? roles : null;
}

/** The discovery document MSAL reads before its first token request (the fields it uses, with Entra's URL shapes). */
function openIdConfiguration(base: string, tenant: TenantIdentity, v2: boolean): object {
  const root = `${base}/${tenant.tenantId}`;
  const suffix = v2 ? "/v2.0" : "";
  return {
    token_endpoint: `${root}/oauth2${suffix}/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${root}/discovery${suffix}/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    // v1 names the tenant by the Security Token Service's historical host, as Entra does
    issuer: v2 ? `${root}/v2.0` : `https://sts.windows.net/${tenant.tenantId}/`,
    authorization_endpoint: `${root}/oauth2${suffix}/authorize`,
    end_session_endpoint: `${root}/oauth2${suffix}/logout`,
    tenant_region_scope: { emea: "EU", nam: "NA", apac: "AS" }[tenant.region] ?? "WW",
    cloud_instance_name: "microsoftonline.com",
  };
}
