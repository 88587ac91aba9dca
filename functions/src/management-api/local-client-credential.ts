// Client-credentials grant against a LOCAL plain-http authority (the emulator): MSAL refuses http authorities, so this
// small credential does the one POST itself. Production never uses it (see credentials.ts).
import type { AccessToken, TokenCredential } from "@azure/identity";
import { assertSecureEndpoint, isLoopbackHost } from "./api-origin";
import { ClientErrorCodes, ManagementApiError } from "./errors";
import type { RefreshingGetTokenOptions } from "./token-policy";

const TOKEN_TIMEOUT_MS = 30_000;
const EXPIRY_MARGIN_MS = 60_000;

export class LocalClientSecretCredential implements TokenCredential {
  private readonly tokenUrl: string;
  private readonly cache = new Map<string, { access: AccessToken; refreshAt: number }>();
  private readonly inFlight = new Map<string, Promise<AccessToken>>();

  constructor(
    readonly tenantId: string,
    private readonly clientId: string,
    private readonly clientSecret: string,
    authorityHost: string,
  ) {
    const authority = assertSecureEndpoint(authorityHost, "The login authority");
    if (authority.protocol !== "http:" || !isLoopbackHost(authority.hostname)) {
      throw new ManagementApiError(
        `LocalClientSecretCredential is only for a plain-http authority on 127.0.0.1/localhost (got ${authority.origin}); ` +
          `use ClientSecretCredential from @azure/identity for https authorities.`,
        { code: ClientErrorCodes.InsecureEndpoint, status: 0, transient: false },
      );
    }
    const base = authority.toString().replace(/\/+$/, "");
    this.tokenUrl = `${base}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`;
  }

  async getToken(scopes: string | string[], options: RefreshingGetTokenOptions = {}): Promise<AccessToken> {
    const scope = Array.isArray(scopes) ? scopes.join(" ") : scopes;
    const cached = this.cache.get(scope);
    if (!options.forceRefresh && cached && Date.now() < cached.refreshAt) return cached.access;
    let pending = this.inFlight.get(scope);
    if (!pending) {
      pending = this.request(scope, options.abortSignal as AbortSignal | undefined).finally(() => this.inFlight.delete(scope));
      this.inFlight.set(scope, pending);
    }
    return pending;
  }

  private async request(scope: string, signal?: AbortSignal): Promise<AccessToken> {
    const body = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: this.clientId,
      client_secret: this.clientSecret,
      scope,
    });
    const timeout = AbortSignal.timeout(TOKEN_TIMEOUT_MS);
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.tokenUrl, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        redirect: "error",
      });
      text = await res.text();
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      throw new ManagementApiError(
        `Could not reach the token endpoint ${this.tokenUrl}: ${(e as Error).message}. Is the local login emulator running?`,
        { code: ClientErrorCodes.AuthenticationFailed, status: 0, transient: true, operation: "token", cause: e },
      );
    }
    let parsed: { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } = {};
    try {
      parsed = JSON.parse(text);
    } catch {
      // handled below: no access_token
    }
    if (!res.ok || typeof parsed.access_token !== "string") {
      const detail = typeof parsed.error_description === "string" ? parsed.error_description : String(parsed.error ?? text.slice(0, 300));
      throw new ManagementApiError(
        `The token endpoint ${this.tokenUrl} refused client ${this.clientId} (HTTP ${res.status}): ${detail}. ` +
          `Check the tenant id, client id and client secret.`,
        {
          code: ClientErrorCodes.AuthenticationFailed,
          status: res.status,
          transient: res.status >= 500 || res.status === 429,
          operation: "token",
        },
      );
    }
    const expiresIn = Number(parsed.expires_in ?? 3599);
    const lifetimeMs = (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3599) * 1000;
    const now = Date.now();
    const access: AccessToken = { token: parsed.access_token, expiresOnTimestamp: now + lifetimeMs, tokenType: "Bearer" };
    this.cache.set(scope, { access, refreshAt: now + lifetimeMs - Math.min(EXPIRY_MARGIN_MS, lifetimeMs / 2) });
    return access;
  }
}
