// Typed errors: callers branch on `code` (the service's AFxxxxx code or one of ours), never on message text.
import { ServiceError } from "../service-error";

/** The service's error codes this client or its callers act on (reference: management-activity-api.md, Errors). */
export const AfCodes = {
  MissingPermission: "AF10001",
  TenantMismatch: "AF20010",
  TenantUnknown: "AF20011",
  NoSubscription: "AF20022",
  SubscriptionDisabled: "AF20023",
  SubscriptionAlreadyEnabled: "AF20024",
  BadWindow: "AF20030",
  BadNextPage: "AF20031",
  ContentNotFound: "AF20050",
  ContentExpired: "AF20051",
  BadContentId: "AF20052",
  Throttled: "AF429",
  InternalError: "AF50000",
  InternalErrorRetryable: "AF50005",
  InternalErrorTransient: "AF50006",
} as const;

/** Codes this client raises itself, beside the service's AF codes. */
export const ClientErrorCodes = {
  HostNotAllowed: "HostNotAllowed",
  RedirectRefused: "RedirectRefused",
  InsecureEndpoint: "InsecureEndpoint",
  BlobTooLarge: "BlobTooLarge",
  MalformedResponse: "MalformedResponse",
  Timeout: "Timeout",
  ConnectionReset: "ConnectionReset",
  ConnectionFailed: "ConnectionFailed",
  AuditLoggingDisabled: "AuditLoggingDisabled",
  SubscriptionStartThrottled: "SubscriptionStartThrottled",
  Unauthorized: "Unauthorized",
  AuthenticationFailed: "AuthenticationFailed",
  PagingLoop: "PagingLoop",
  /** On the API host but not the blob's own feed path (another tenant's, another operation's, another contentId's). */
  ForeignContentUri: "ForeignContentUri",
} as const;

export interface ManagementApiErrorInit {
  code: string;
  /** What the operator should do (the guidance for the code); defaults to a generic sentence. */
  advice?: string;
  status: number;
  transient: boolean;
  /** What the service said (kept apart from our guidance). */
  serviceMessage?: string;
  /** How long the service asked us to wait (Retry-After, or the start-throttle message). */
  retryAfterMs?: number;
  operation?: string;
  cause?: unknown;
}

/** `code`: AFxxxxx from the service ({@link AfCodes}), one of {@link ClientErrorCodes}, or HTTPnnn when the service gave none. */
export class ManagementApiError extends ServiceError {
  override readonly name = "ManagementApiError";
  /** HTTP status; 0 when no response arrived (connection reset, timeout, refused before sending). */
  readonly status: number;
  readonly serviceMessage?: string;
  readonly retryAfterMs?: number;
  readonly operation?: string;

  constructor(message: string, init: ManagementApiErrorInit) {
    super(message, { code: init.code, transient: init.transient, advice: init.advice, cause: init.cause });
    this.status = init.status;
    this.serviceMessage = init.serviceMessage;
    this.retryAfterMs = init.retryAfterMs;
    this.operation = init.operation;
  }
}

export function isManagementApiError(e: unknown): e is ManagementApiError {
  return e instanceof ManagementApiError;
}

/** AF codes worth retrying: throttling and the service's internal errors. */
const TRANSIENT_CODES = new Set<string>([AfCodes.Throttled, AfCodes.InternalError, AfCodes.InternalErrorRetryable, AfCodes.InternalErrorTransient]);

// What to tell the operator for each code the service can return (reference: management-activity-api.md, Errors).
const GUIDANCE: Record<string, string> = {
  AF10001:
    "The app's token lacks the permission: grant the application role ActivityFeed.Read (and ActivityFeed.ReadDlp for DLP.All) " +
    "of 'Office 365 Management APIs' (appId c5393580-f805-4401-95e8-94b7a6ef2fc2) to the app or managed identity, then have a " +
    "Global Administrator of the tenant grant admin consent.",
  AF20001: "The request had a bad parameter; this is a client bug, please report it with the request URL.",
  AF20002: "The request had a bad parameter; this is a client bug, please report it with the request URL.",
  AF20003: "The request had a bad parameter; this is a client bug, please report it with the request URL.",
  AF20010:
    "The tenant id in the URL does not match the token's tenant: check the configured tenantId and that the credential " +
    "authenticates against that same tenant (for an MSSP app, the customer's tenant id, not the publisher's).",
  AF20011:
    "The service does not know this tenant id: check the configured tenantId (a directory GUID) and that the tenant has an " +
    "Office 365 subscription.",
  AF20012: "The service reports the tenant as incorrectly configured: open a Microsoft support case for this tenant.",
  AF20013: "The tenant id in the URL is not a valid GUID: fix the configured tenantId.",
  AF20020: "The content type is not supported: use one of Audit.AzureActiveDirectory, Audit.Exchange, Audit.SharePoint, Audit.General, DLP.All.",
  AF20021: "The webhook endpoint did not answer the validation request with HTTP 200: make it reachable and echo the validation.",
  AF20022: "No subscription exists for this content type: start it (the client does this automatically when listing).",
  AF20023: "The subscription for this content type is disabled: start it again (content produced while it was off is lost).",
  AF20030: "The listing window was rejected (start and end must both be set, at most 24 h apart, within the last 7 days).",
  AF20031: "The nextPage cursor was rejected: list the window again from its first page.",
  AF20050: "The content blob was not found: it may have been withdrawn; list the window again.",
  AF20051: "The content blob has expired (blobs live 7 days after they are listed): its records are lost; record the gap.",
  AF20052: "The content id is invalid: the contentUri must come from a listing unchanged.",
  AF20055: "The listing window was rejected (start more than 7 days back, or end before start).",
  AF429: "The Management Activity API is throttling this publisher (about 2,000 requests/min per tenant): reduce concurrency.",
  AF50000: "The Management Activity API had an internal error; retrying.",
  AF50005: "The Management Activity API had an internal error; retrying.",
  AF50006: "The Management Activity API had an internal error; retrying.",
};

// "Tenant <id> does not exist" is what the service says when unified audit logging is switched off.
const AUDIT_LOGGING_OFF = /Tenant\s+\S+\s+does not exist/i;
// The subscription-start throttle comes as prose: "... Please retry again after 14m 56s".
const START_THROTTLE = /too many frequent subscription start requests/i;
const RETRY_AFTER_PROSE = /retry (?:again )?after\s+(?:(\d+)\s*h\s*)?(?:(\d+)\s*m\s*)?(?:(\d+)\s*s)?/i;

const AUDIT_LOGGING_ADVICE =
  "Turn unified audit logging on in Microsoft Purview, then wait up to 24 h for records to appear.";
const START_THROTTLE_ADVICE = "Nothing to do: the start is retried after the service's stated wait.";

export const DEFAULT_START_THROTTLE_MS = 15 * 60_000;

/** Parses "14m 56s" style waits out of a service message; undefined when none is stated. */
export function retryAfterFromMessage(message: string): number | undefined {
  const m = RETRY_AFTER_PROSE.exec(message);
  if (!m || (m[1] === undefined && m[2] === undefined && m[3] === undefined)) return undefined;
  const [h, min, s] = [m[1], m[2], m[3]].map((v) => (v === undefined ? 0 : Number(v)));
  return ((h * 60 + min) * 60 + s) * 1000;
}

/** Extracts `{error:{code,message}}` (either key casing) from a response body; tolerant of non-JSON bodies. */
export function parseServiceError(bodyText: string): { code?: string; message?: string } {
  if (!bodyText) return {};
  try {
    const parsed = JSON.parse(bodyText) as Record<string, unknown>;
    const err = (parsed?.error ?? parsed?.Error ?? parsed) as Record<string, unknown>;
    const code = err?.code ?? err?.Code;
    const message = err?.message ?? err?.Message;
    return {
      code: typeof code === "string" ? code : undefined,
      message: typeof message === "string" ? message : undefined,
    };
  } catch {
    return { message: bodyText.slice(0, 500) };
  }
}

export interface ResponseErrorContext {
  status: number;
  bodyText: string;
  tenantId: string;
  operation: string;
  retryAfterMs?: number;
}

/** Maps a non-2xx response to a typed error: code from the body first, then the status. */
export function errorFromResponse(ctx: ResponseErrorContext): ManagementApiError {
  const { status, tenantId, operation } = ctx;
  const service = parseServiceError(ctx.bodyText);
  const serviceMessage = service.message;
  const said = serviceMessage ? ` The service said: "${serviceMessage}"` : "";
  const where = `${operation} for tenant ${tenantId} failed with HTTP ${status}`;

  if (serviceMessage && AUDIT_LOGGING_OFF.test(serviceMessage)) {
    return new ManagementApiError(
      `${where}: unified audit logging is off for tenant ${tenantId}. Turn it on in Microsoft Purview (Audit → "Start recording ` +
        `user and admin activity", or Set-AdminAuditLogConfig -UnifiedAuditLogIngestionEnabled $true); records appear ` +
        `after it has been on for a while (up to 24 h).${said}`,
      { code: ClientErrorCodes.AuditLoggingDisabled, status, transient: false, serviceMessage, operation, advice: AUDIT_LOGGING_ADVICE },
    );
  }
  if (serviceMessage && START_THROTTLE.test(serviceMessage)) {
    const retryAfterMs = retryAfterFromMessage(serviceMessage) ?? ctx.retryAfterMs ?? DEFAULT_START_THROTTLE_MS;
    return new ManagementApiError(
      `${where}: Microsoft allows about one subscription start per 15 minutes; retry after ${formatDuration(retryAfterMs)}.${said}`,
      { code: ClientErrorCodes.SubscriptionStartThrottled, status, transient: true, serviceMessage, retryAfterMs, operation, advice: START_THROTTLE_ADVICE },
    );
  }

  const code = service.code ?? (status === 429 ? AfCodes.Throttled : status === 401 ? ClientErrorCodes.Unauthorized : `HTTP${status}`);
  const transient = TRANSIENT_CODES.has(code) || status >= 500 || status === 429 || status === 408;
  let guidance = GUIDANCE[code];
  if (!guidance && code === ClientErrorCodes.Unauthorized) {
    guidance =
      "The token was rejected even after a fresh one was fetched: check that the credential belongs to this tenant, that the " +
      "token scope is the API host's /.default scope, and that admin consent was granted.";
  }
  if (!guidance && status === 403) guidance = GUIDANCE[AfCodes.MissingPermission];
  if (!guidance) guidance = transient ? "Transient service error; retrying." : "Unexpected error from the service.";
  return new ManagementApiError(`${where} (${code}): ${guidance}${said}`, {
    code,
    status,
    transient,
    serviceMessage,
    retryAfterMs: ctx.retryAfterMs,
    operation,
    advice: guidance,
  });
}

export function formatDuration(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return s % 60 ? `${m}m ${s % 60}s` : `${m}m`;
}
