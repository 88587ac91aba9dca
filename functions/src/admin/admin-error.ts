// An admin request the app refuses: the HTTP status and the contract's error body (code, message, advice).
export class AdminRequestError extends Error {
  override readonly name = "AdminRequestError";
  constructor(
    readonly status: 400 | 404 | 409 | 429,
    readonly code: string,
    message: string,
    readonly advice: string,
    /** With 429: when to ask again (the Retry-After header). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export function unknownTenant(tenantId: string, configured: readonly string[]): AdminRequestError {
  return new AdminRequestError(
    404,
    "UnknownTenant",
    `Tenant ${tenantId} is not one of the app's tenants (${configured.join(", ") || "none configured"}).`,
    "Check the tenant id, or add the tenant to the deployment config (AUDIT_LAKE_TENANTS) and deploy.",
  );
}
