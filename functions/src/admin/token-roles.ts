// The application roles an access token grants: its `roles` claim. Entra's app-only tokens are JWTs; the payload is
// read, never verified (the API verifies it) and never logged.

/** The roles claim of a JWT access token; [] when the claim is absent (no role granted) or the token is no JWT. */
export function tokenRoles(token: string): string[] {
  const payload = token.split(".")[1];
  if (!payload) return [];
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { roles?: unknown };
    return Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === "string") : [];
  } catch {
    return [];
  }
}
