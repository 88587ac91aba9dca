// Access tokens, each bound to the tenant and app it was issued for. Shaped like Entra's (a JWT whose payload carries
// tid, appid, aud and, only when granted, roles), because callers read the roles claim from it; the signature is random
// bytes and the store, not the signature, decides validity. Lifetimes run on real time: a client's token cache runs on
// real time too, whatever the emulator's scenario clock says.
import { randomBytes, randomUUID } from "node:crypto";

export interface IssuedToken {
  tenantId: string;
  clientId: string;
  audience: string;
  /** Application roles granted to the app in the tenant (the token's `roles` claim). */
  roles: string[];
  expiresAtMs: number;
  /** Set when the token-expiry fault retires it early. */
  revoked: boolean;
  /** A signed-in user's (an operator's) display name and group object ids; app-only tokens carry neither. */
  name?: string;
  groups?: string[];
}

export type TokenCheck =
  | { ok: true; token: IssuedToken; raw: string }
  | { ok: false; reason: string };

/** The Management API's application permissions an admin grants when consenting the app. */
export const ACTIVITY_FEED_ROLES = ["ActivityFeed.Read", "ActivityFeed.ReadDlp"];

export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken>();
  /** Application roles of another resource (Microsoft Graph) granted to the app per tenant: Entra puts in a token
   *  only the roles of the resource it is for, so a consent given before a role was added carries none of it. */
  private readonly grants = new Map<string, string[]>();

  /** Sets the app's granted roles on `audience` in the tenant (what an admin's consent gave), for tokens issued from now on. */
  grant(tenantId: string, audience: string, roles: readonly string[]): void {
    this.grants.set(`${tenantId.toLowerCase()}|${audience}`, [...roles]);
  }

  /** The app's granted roles on `audience` in the tenant; undefined when nobody set them (the Management API's roles apply). */
  granted(tenantId: string, audience: string): string[] | undefined {
    const roles = this.grants.get(`${tenantId.toLowerCase()}|${audience}`);
    return roles && [...roles];
  }

  issue(tenantId: string, clientId: string, audience: string, lifetimeSeconds: number, roles: string[] = ACTIVITY_FEED_ROLES, user?: { name: string; groups: string[] }): { raw: string; token: IssuedToken } {
    if (this.tokens.size > 10_000) this.forgetExpired();
    const token: IssuedToken = { tenantId, clientId, audience, roles: [...roles], expiresAtMs: Date.now() + lifetimeSeconds * 1000, revoked: false, ...(user ? { name: user.name, groups: [...user.groups] } : {}) };
    const raw = jwtShaped(token);
    this.tokens.set(raw, token);
    return { raw, token };
  }

  /** Reads `Authorization: Bearer <token>` and says why it is not acceptable, if it is not. */
  check(authorization: string | undefined): TokenCheck {
    if (!authorization) return { ok: false, reason: "The request has no Authorization header." };
    const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!m) return { ok: false, reason: "The Authorization header is not a Bearer token." };
    const token = this.tokens.get(m[1]);
    if (!token) return { ok: false, reason: "The bearer token is unknown to this service." };
    if (token.revoked || Date.now() >= token.expiresAtMs) return { ok: false, reason: "The bearer token has expired." };
    return { ok: true, token, raw: m[1] };
  }

  revoke(raw: string): void {
    const token = this.tokens.get(raw);
    if (token) token.revoked = true;
  }

  private forgetExpired(): void {
    const now = Date.now();
    for (const [raw, t] of this.tokens) if (t.expiresAtMs <= now) this.tokens.delete(raw);
  }
}

function jwtShaped(t: IssuedToken): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  // Entra leaves the roles claim out altogether when the app holds no application role in the tenant.
  const payload = {
    aud: t.audience,
    iss: `https://sts.windows.net/${t.tenantId}/`,
    iat: now,
    nbf: now - 300,
    exp: Math.floor(t.expiresAtMs / 1000),
    appid: t.clientId,
    tid: t.tenantId,
    oid: randomUUID(),
    sub: randomUUID(),
    ver: "1.0",
    ...(t.roles.length ? { roles: t.roles } : {}),
    ...(t.name ? { name: t.name, groups: t.groups ?? [] } : {}),
  };
  return `${part({ typ: "JWT", alg: "RS256", kid: "emulator" })}.${part(payload)}.${randomBytes(32).toString("base64url")}`;
}
