// The service's errors: `{"error":{"code":"AFxxxxx","message":"..."}}` with the status Microsoft uses, and texts
// close to the documented ones so clients can be tested against what they will really read.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  body(): string {
    return JSON.stringify({ error: { code: this.code, message: this.message } });
  }
}

const WINDOW_RULE =
  "Start time and end time must both be specified (or both omitted) and must be less than or equal to 24 hours apart, " +
  "with the start time no more than 7 days in the past.";

export const ApiErrors = {
  missingParameter: (name: string) => new ApiError(400, "AF20001", `Missing parameter: ${name}.`),
  invalidParameter: (name: string, expected: string) => new ApiError(400, "AF20002", `Invalid parameter type: ${name}. Expected type: ${expected}`),
  expirationInPast: (value: string) => new ApiError(400, "AF20003", `Expiration ${value} provided is set to past date and time.`),
  tenantMismatch: (urlTenant: string, tokenTenant: string) =>
    new ApiError(403, "AF20010", `The tenant ID passed in the URL (${urlTenant}) does not match the tenant ID passed in the access token (${tokenTenant}).`),
  /** What the service says when unified audit logging is off for the organisation. */
  auditLoggingDisabled: (tenantId: string) =>
    new ApiError(400, "AF20011", `Tenant ${tenantId} does not exist. (Unified audit logging is turned off for this organization.)`),
  tenantNotGuid: (tenantId: string) => new ApiError(400, "AF20013", `The tenant ID passed in the URL (${tenantId}) is not a valid GUID.`),
  invalidContentType: () => new ApiError(400, "AF20020", "The specified content type is not valid."),
  webhookNotValidated: (address: string, why: string) => new ApiError(400, "AF20021", `The webhook endpoint (${address}) could not be validated. ${why}`),
  noSubscription: () => new ApiError(400, "AF20022", "No subscription found for the specified content type."),
  subscriptionDisabled: () => new ApiError(400, "AF20023", "The subscription was disabled by the publisher's stop request."),
  alreadyEnabled: () => new ApiError(400, "AF20024", "The subscription is already enabled. No property change."),
  /** Both-or-neither violated, or start not before end. */
  windowMalformed: () => new ApiError(400, "AF20030", WINDOW_RULE),
  badNextPage: (value: string) => new ApiError(400, "AF20031", `Invalid nextPage Input: ${value}.`),
  /** More than 24 h apart, or the start too far back (verified live: both answer AF20055). */
  windowRejected: () => new ApiError(400, "AF20055", WINDOW_RULE),
  contentNotFound: (contentId: string) => new ApiError(404, "AF20050", `The specified content (${contentId}) doesn't exist.`),
  contentExpired: (contentId: string) =>
    new ApiError(400, "AF20051", `Content requested with the key ${contentId} has already expired. Content older than 7 days cannot be retrieved.`),
  contentIdInvalid: (contentId: string) => new ApiError(400, "AF20052", `Content ID ${contentId} in the URL is invalid.`),
  tooManyLanguages: () => new ApiError(400, "AF20053", "Only one language may be present in the Accept-Language header."),
  badLanguage: () => new ApiError(400, "AF20054", "Invalid syntax in the Accept-Language header."),
  throttled: (status: 429 | 403, method: string, publisherId: string) =>
    new ApiError(status, "AF429", `Too many requests. Method=${method}, PublisherId=${publisherId}`),
  startThrottled: (waitMs: number) =>
    new ApiError(429, "AF429", `Too many frequent subscription start requests. Please retry again after ${formatWait(waitMs)}.`),
  internal: () => new ApiError(500, "AF50000", "An internal error occurred. Retry the request."),
  unavailable: () => new ApiError(503, "AF50005", "An internal error occurred. Retry the request."),
  notFound: (path: string) => new ApiError(404, "NotFound", `No Management Activity API operation at ${path}.`),
  methodNotAllowed: (method: string, path: string) => new ApiError(405, "MethodNotAllowed", `${method} is not supported on ${path}.`),
};

/** "14m 56s", the service's way of saying how long to wait. */
export function formatWait(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m ${s % 60}s` : `${s}s`;
}
