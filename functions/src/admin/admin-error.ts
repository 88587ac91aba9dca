// An admin request the app refuses: the HTTP status and the contract's error body (code, message, advice).
export class AdminRequestError extends Error {
  override readonly name = "AdminRequestError";
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 429,
    readonly code: string,
    message: string,
    readonly advice: string,
    /** With 429: when to ask again (the Retry-After header). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** The same answer for a tenant the app does not serve and one outside the caller's scope: ids are never listed. */
export function unknownTenant(tenantId: string): AdminRequestError {
  return new AdminRequestError(
    404,
    "UnknownTenant",
    `Tenant ${tenantId} is not one of the tenants you can operate on this app.`,
    "Check the tenant id (`m365-audit-lake status` lists yours), or add the tenant to the deployment config (AUDIT_LAKE_TENANTS) and deploy.",
  );
}
