// Bearer tokens for the API: cached until shortly before expiry, shared by concurrent calls, dropped on a 401.
// Ours rather than core-rest-pipeline's bearerTokenAuthenticationPolicy: that one renews only on a 401 carrying a CAE
// challenge and cannot drop a token, while this API answers a revoked or expired token with a bare 401; and it refuses
// plain http outright, which the origin pinning already allows only for a loopback emulator.
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/identity";
import { apiCallFailure, callState, carriedError } from "./api-call";
import { ClientErrorCodes, ManagementApiError, isManagementApiError } from "./errors";
import type { OnEvent } from "./events";

/** GetTokenOptions plus a hint honoured by the credentials credentials.ts builds: skip any cache (a 401 proved the token bad). */
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

/**
 * Puts the cached token on each request. The first 401 of a call drops the token and repeats the request at once with
 * a fresh one (an expired or revoked token is normal); a later 401 drops it too and goes to the retry strategy.
 */
export function bearerTokenPolicy(tokens: BearerTokenCache, onEvent?: OnEvent): PipelinePolicy {
  return {
    name: "managementApiBearerToken",
    async sendRequest(request, next) {
      const state = callState(request);
      for (;;) {
        let token: string;
        try {
          token = await tokens.token(request.abortSignal as AbortSignal | undefined);
        } catch (e) {
          if (isManagementApiError(e)) throw apiCallFailure(e, request);
          throw e;
        }
        request.headers.set("Authorization", `Bearer ${token}`);
        try {
          return await next(request);
        } catch (e) {
          if (carriedError(e)?.status !== 401) throw e;
          tokens.invalidate(token);
          onEvent?.({ type: "tokenRefreshed", operation: state.call.operation });
          if (state.refreshedAfter401) throw e;
          state.refreshedAfter401 = true;
        }
      }
    },
  };
}
