// The emulator's public surface (the shape other parts of the project rely on; see the team contract).
import type { TokenStore } from "./tokens";

export const CONTENT_TYPES = [
  "Audit.AzureActiveDirectory",
  "Audit.Exchange",
  "Audit.SharePoint",
  "Audit.General",
  "DLP.All",
] as const;
export type ContentTypeName = (typeof CONTENT_TYPES)[number];

/** Rates are shares of requests (per-request kinds) or of blobs (per-blob kinds), each in [0, 1]. */
export interface FaultSpec {
  /** HTTP 500 AF50000 (sometimes 503 AF50005). Per request. */
  serverError?: number;
  /** AF429, as HTTP 429 or 403 (see throttleAs403Share). Per request. */
  throttle?: number;
  /** The socket is destroyed without (or in the middle of) a response. Per request. */
  reset?: number;
  /** The response is delayed by slowMs. Per request. */
  slow?: number;
  /** HTTP 200 with a JSON body cut short. Per request (listings and blobs). */
  truncated?: number;
  /** The blob is listed again in a later window (same contentId). Per blob. */
  duplicateListing?: number;
  /** The blob is missing from the first listing of its window and shows up on any later listing. Per blob. */
  lateListing?: number;
  /** The blob is listed, but fetching it answers AF20051. Per blob; the only fault that loses records. */
  expired?: number;
  /** The presented token is revoked early and the request answered 401. Per request. */
  tokenExpiry?: number;
  /** Delay of a slow response, ms (default 35000: longer than a typical 30 s client timeout). */
  slowMs?: number;
}

export interface ManagementApiEmulatorOptions {
  /** Default 1. */
  seed?: number;
  /** Default 1. */
  tenants?: number;
  /** Users per tenant, default 50 (at least 3: the incident needs a victim, a throttled mailbox and a bystander). */
  users?: number;
  /** "none" (default) | "standard" | "server-error=0.03,throttle=0.02,..." (grammar in faults.ts) | a FaultSpec. */
  faults?: string | FaultSpec;
  /** Content listing page size, default 50 (a 24 h Exchange window of the default scenario spans several pages). */
  pageSize?: number;
  /** The emulator's clock (default real time); availability, expiry, the start throttle and webhooks use it. */
  now?: () => Date;
  /** Default 2000 per tenant and publisher identifier, in a sliding window of requestBudgetWindowMs. */
  requestBudgetPerMinute?: number;
  /** Share of AF429 answers sent as HTTP 403 instead of 429, default 0.5. */
  throttleAs403Share?: number;
  /** When set, tenant 0 additionally holds this many lazily generated records (memory stays flat). */
  largeTenantRecords?: number;
  /** Default 15 min, measured on the emulator clock. */
  subscriptionStartThrottleMs?: number;
  /** Default 127.0.0.1. */
  host?: string;

  // ---- additions beyond the team contract ----
  /** Window of the request budget in real time, default 60000 (tests shorten it). */
  requestBudgetWindowMs?: number;
  /** Token lifetime in real-time seconds, default 3599 (reported as expires_in). */
  tokenLifetimeSeconds?: number;
  /** Tenant indexes whose unified audit logging is off: every API call answers 400 "Tenant <id> does not exist". */
  auditLoggingDisabledTenants?: number[];
  /** One app registration consented in every tenant (the MSSP shape): all tenants share clientId and secret. */
  multiTenantApp?: boolean;
  /** "none" (default): every content type starts unsubscribed (AF20022); "enabled": all started at startup. */
  initialSubscriptions?: "none" | "enabled";
  /** How often (real time) newly available blobs are pushed to webhooks, default 1000 ms. */
  webhookIntervalMs?: number;
  /** Attempts per notification batch before it counts as failed, default 3 (backoff webhookRetryDelayMs × 2^n). */
  webhookAttempts?: number;
  /** Default 200 ms. */
  webhookRetryDelayMs?: number;
  /** Consecutive failed batches after which the webhook is disabled (a new start re-enables it), default 3. */
  webhookFailuresBeforeDisable?: number;
  /**
   * Admin consent of the app per tenant index (default "granted" for every tenant): "none" = no service principal in
   * the tenant, token requests fail with AADSTS700016; "no-app-role" = consented without ActivityFeed.Read, tokens are
   * issued and the API answers AF10001. POST {login}/_emulator/consent/{tenant id or domain} changes it at run time.
   */
  consent?: Record<number, TenantConsent>;
  /** Also issue tokens for https://graph.microsoft.com (the Graph audit emulator's audience), default false. */
  graphAudience?: boolean;
  /** Fixed ports instead of free ones (0 = free). */
  port?: number;
  loginPort?: number;
}

export const TENANT_CONSENT = ["granted", "none", "no-app-role"] as const;
export type TenantConsent = (typeof TENANT_CONSENT)[number];

export interface EmulatedTenant {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  publisherId: string;
  database: string;
  /** Addition: the tenant's initial domain, e.g. contoso.onmicrosoft.com (the token endpoint accepts it too). */
  domain: string;
}

export interface ManagementApiEmulator {
  /** http://127.0.0.1:P — the API is at {managementApi}/api/v1.0/{tenantId}/activity/feed/... */
  managementApi: string;
  /** https://127.0.0.1:P2 — tokens at {login}/{tenantId}/oauth2/token and /oauth2/v2.0/token (OpenID discovery beside them). */
  login: string;
  /** PEM of the per-run CA the login endpoint's certificate chains to: trust it as a TLS-inspecting proxy's CA would be. */
  loginCaPem: string;
  tenants: EmulatedTenant[];
  truth: GroundTruth;
  /** Addition: the instant the scenario's "last 7 days" end at (the clock at startup, floored to the minute). */
  anchor: Date;
  /** Addition: the fault rates in force. */
  faults: Required<FaultSpec>;
  /** Addition: the tokens the login issued, so another emulated service (Graph) accepts them. */
  tokens: TokenStore;
  close(): Promise<void>;
}

export interface GroundTruth {
  /** Unique record Ids in blobs fetchable now (contentCreated <= now < contentExpiration, not expired by fault,
   *  not produced while the subscription was stopped). Late-listed blobs count: a client must re-list to get them. */
  availableRecordIds(tenantId: string, contentType: string): Set<string>;
  /** Unique record Ids the emulator actually returned in complete, successful content GETs. */
  servedRecordIds(tenantId: string, contentType: string): Set<string>;
  availableBlobs(tenantId: string, contentType: string): Array<{ contentId: string; recordIds: string[] }>;
  /** Blobs listed but gone (fault "expired") whose contentCreated <= now. */
  expiredContentIds(tenantId: string, contentType: string): string[];
  /** The article's incident (tenant 0); other tenants get an empty IncidentTruth (empty strings and arrays). */
  incident(tenantId: string): IncidentTruth;
  /** EmailEvents rows (one per recipient) for the victim mailbox's messages; empty for other tenants. */
  emailEvents(tenantId: string): EmailEventRow[];
  /** Requests received (including rejected and faulted ones), by operation: token, subscriptions/start|stop|list|
   *  content|notifications, content (blob GET). Addition: byStatus. */
  requests(tenantId: string): { total: number; byOperation: Record<string, number>; byStatus: Record<string, number> };
}

export interface IncidentTruth {
  victimUpn: string;
  attackerIp: string;
  attackerSessionIds: string[];
  /** Entra sessions (AppAccessContext.AADSessionId) of the attacker's sign-ins. */
  attackerAadSessionIds: string[];
  attackerClientInfoString: string;
  /** ISO (Z), second precision: the first and the last attacker record, both inclusive. */
  windowStart: string;
  windowEnd: string;
  /** Messages read in the attacker's context, by Bind or an attachment opened (sorted). */
  boundInternetMessageIds: string[];
  /** Folder paths synced by the attacker's sessions, as written in the records (e.g. "\\Inbox\\Finance"). */
  syncedFolders: string[];
  /** Mailboxes other than the victim's that the attacker read in (the victim's delegated access). */
  delegatedMailboxes: string[];
  /** Periods a whole mailbox is presumed exposed, as the corrected steps 1 and 3 report them: a throttle of a mailbox
   *  the attacker reached (clipped to the window), a Sync in the attacker's context (first to last such Sync). */
  mailboxExposures: Array<{ mailboxUpn: string; kind: "ThrottledMailbox" | "SyncedMailbox"; from: string; to: string }>;
  /** Every IsThrottled=True record of the tenant: mailbox and CreationTime as ISO (Z). */
  throttled: Array<{ mailboxUpn: string; at: string }>;
  /** What else the attacker did (AttackerFootprint's rows, sorted by record): the kind, the record, and for
   *  persistence whether it still holds at the window's end (null for sign-ins and data reached). */
  footprint: Array<{ kind: string; recordId: string; stillActive: boolean | null }>;
  /** Every address the attacker used: the one a responder starts from, and the one the session moved to. */
  attackerIps: string[];
}

/** Defender XDR advanced hunting `EmailEvents`, one row per recipient. */
export interface EmailEventRow {
  Timestamp: string;
  NetworkMessageId: string;
  InternetMessageId: string;
  Subject: string;
  SenderMailFromAddress: string;
  SenderFromAddress: string;
  SenderDisplayName: string;
  SenderObjectId: string;
  SenderMailFromDomain: string;
  SenderFromDomain: string;
  SenderIPv4: string;
  SenderIPv6: string;
  RecipientEmailAddress: string;
  RecipientObjectId: string;
  EmailDirection: string;
  DeliveryAction: string;
  DeliveryLocation: string;
  ThreatTypes: string;
  ThreatNames: string;
  DetectionMethods: string;
  ConfidenceLevel: string;
  BulkComplaintLevel: number;
  EmailAction: string;
  EmailActionPolicy: string;
  EmailActionPolicyGuid: string;
  AttachmentCount: number;
  UrlCount: number;
  EmailLanguage: string;
  Connectors: string;
  OrgLevelAction: string;
  OrgLevelPolicy: string;
  UserLevelAction: string;
  UserLevelPolicy: string;
  ReportId: string;
  AdditionalFields: string;
  LatestDeliveryLocation: string;
  LatestDeliveryAction: string;
  EmailClusterId: number;
}
