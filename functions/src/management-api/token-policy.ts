// Bearer tokens for the API: cached until shortly before expiry, shared by concurrent calls, dropped on a 401.
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/identity";
import { ClientErrorCodes, ManagementApiError, isManagementApiError } from "./errors";

/** GetTokenOptions plus a hint honoured by our own credentials: skip any cache (a 401 proved the token bad). */
export interface RefreshingGetTokenOptions extends GetTokenOptions {
  forceRefresh?: boolean;
}

const MAX_REFRESH_MARGIN_MS = 5 * 60_000;

export class BearerTokenCache {
  private cached: { token: string; refreshAt: number } | null = null;
  private inFlight: Promise<string> | null = null;
  private forceNext = false;

  constructor(
    private readonly credential: TokenCredential,
    private readonly scope: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** A valid token, fetching one only when none is cached or the cached one is about to expire. */
  async token(signal?: AbortSignal): Promise<string> {
    if (this.cached && this.now() < this.cached.refreshAt) return this.cached.token;
    if (!this.inFlight) {
      const forceRefresh = this.forceNext;
      this.forceNext = false;
      this.inFlight = this.fetch(forceRefresh, signal).finally(() => {
        this.inFlight = null;
      });
    }
    return this.inFlight;
  }

  /** Forget `rejected` (the token a 401 answered); a no-op when a newer token has already replaced it. */
  invalidate(rejected: string): void {
    if (this.cached && this.cached.token !== rejected) return;
    this.cached = null;
    this.forceNext = true;
  }

  private async fetch(forceRefresh: boolean, signal?: AbortSignal): Promise<string> {
    const fetchedAt = this.now();
    let access: AccessToken | null;
    try {
      const options: RefreshingGetTokenOptions = { abortSignal: signal, forceRefresh };
      access = await this.credential.getToken(this.scope, options);
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      throw authenticationError(this.scope, e);
    }
    if (!access?.token) throw authenticationError(this.scope, new Error("the credential returned no token"));
    const lifetime = access.expiresOnTimestamp - fetchedAt;
    const margin = Math.min(MAX_REFRESH_MARGIN_MS, Math.max(0, lifetime / 2));
    const refreshAt = Math.min(access.refreshAfterTimestamp ?? Infinity, access.expiresOnTimestamp - margin);
    this.cached = { token: access.token, refreshAt };
    return access.token;
  }
}

function authenticationError(scope: string, e: unknown): ManagementApiError {
  if (isManagementApiError(e)) return e;
  const status = typeof (e as { statusCode?: unknown })?.statusCode === "number" ? (e as { statusCode: number }).statusCode : 0;
  const transient = status >= 500 || status === 429;
  const detail = e instanceof Error ? e.message : String(e);
  return new ManagementApiError(
    `Could not get a token for ${scope}: ${detail}. Check the tenant id, the client id and the credential (managed ` +
      `identity, federated credential, certificate or secret), and that the app is consented in the tenant.`,
    { code: ClientErrorCodes.AuthenticationFailed, status, transient, operation: "token", cause: e },
  );
}
