import { z } from "zod";
import hostJson from "../host.json";
import { CONTENT_TYPES, type ContentType } from "./management-api/content-types";
import { isLoopbackHost } from "./management-api/api-origin";
import type { CloudName } from "./management-api/clouds";
import { credentialConfigSchema, type CredentialConfig } from "./management-api/credentials";
import { DEFAULT_GRAPH_BASE_URL, graphEndpoint, GRAPH_GLOBAL_ORIGIN } from "./graph-audit/graph-endpoint";
import { locateJsonSyntaxError } from "./json-syntax-error";

/**
 * The Function App's settings (app settings / environment), validated once per process.
 * One app serves many tenants: each entry of AUDIT_LAKE_TENANTS has its own identity, cloud, content types and database.
 */

export class ConfigError extends Error {
  readonly code = "InvalidConfiguration";
  constructor(readonly problems: string[]) {
    super(`The Function App's settings are invalid:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

const guid = z.guid({ error: "expected a GUID such as 00000000-0000-0000-0000-000000000000" });

const clouds = ["Enterprise", "GCC", "GCCHigh", "DoD"] as const satisfies readonly CloudName[];

const tenantSchema = z.strictObject({
  tenantId: guid,
  cloud: z.enum(clouds).default("Enterprise"),
  credential: credentialConfigSchema,
  contentTypes: z
    .array(z.enum(CONTENT_TYPES))
    .min(1)
    .refine((types) => new Set(types).size === types.length, "lists a content type twice")
    .default([...CONTENT_TYPES]),
  // ADX database names: letters, digits, underscore, dot, dash and space, up to 260 characters.
  database: z.string().regex(/^[A-Za-z0-9_.\- ]{1,260}$/, "expected an Azure Data Explorer database name"),
  publisherId: guid.optional(),
  managementApiUrl: z.url({ protocol: /^https?$/ }).optional(),
  loginUrl: z.url({ protocol: /^https?$/ }).optional(),
  // Back-fill beyond 7 days through Graph's audit log query API: needs AuditLogsQuery.Read.All consented in the tenant.
  backfill: z.boolean().default(false),
  // This tenant's mail-access rows go to the Sentinel destination (SENTINEL_*), which is this tenant's workspace; a
  // tenant without it never has a row sent there, so no client's rows reach another client's workspace.
  forwardMailAccess: z.boolean().default(false),
}).refine(
  // Graph publishes the audit log query API on the global cloud only (graph.microsoft.com; GCC uses it too).
  (t) => !t.backfill || (t.cloud !== "GCCHigh" && t.cloud !== "DoD"),
  {
    path: ["backfill"],
    message:
      "is not available for GCC High and DoD tenants: Microsoft Graph's audit log query API exists only on the global cloud. Set backfill to false; such tenants keep the 7-day live feed only",
  },
);

const tenantsSchema = z
  .array(tenantSchema)
  .min(1, "lists no tenant")
  .refine((t) => new Set(t.map((x) => x.tenantId.toLowerCase())).size === t.length, "lists a tenantId twice");

/**
 * The app setting through which the Functions host overrides host.json's extensions.queues.maxDequeueCount. The worker
 * quarantines a blob on the last dequeue, so it reads the same two places as the host: this setting, else host.json.
 */
export const MAX_DEQUEUE_COUNT_SETTING = "AzureFunctionsJobHost__extensions__queues__maxDequeueCount";

/** host.json's maxDequeueCount, read when the app is built (esbuild inlines the JSON import). */
export const HOST_JSON_MAX_DEQUEUE_COUNT: number = hostJson.extensions.queues.maxDequeueCount;

const integer = (min: number, max: number, fallback: number) =>
  z.coerce.number().int("expected a whole number").min(min).max(max).default(fallback);

/** Each setting with the advice printed when it is wrong. */
const HINTS: Record<string, string> = {
  AzureWebJobsStorage:
    "Set AzureWebJobsStorage to the storage account's connection string, or for managed identity AzureWebJobsStorage__queueServiceUri and __tableServiceUri (any cloud) or AzureWebJobsStorage__accountName (Azure public cloud only).",
  AUDIT_LAKE_TENANTS:
    'Set AUDIT_LAKE_TENANTS to a JSON array like [{"tenantId":"<guid>","credential":{"kind":"managedIdentity"},"database":"audit_contoso"}].',
  ADX_INGEST_URI: "Set ADX_INGEST_URI to the cluster's ingestion URI, e.g. https://ingest-mycluster.westeurope.kusto.windows.net.",
  ADX_INGEST_MODE:
    'ADX_INGEST_MODE may only be "queued" (the default), or be left unset: streaming ingestion was removed (it cannot be batched and needs a streaming policy per table; queued ingestion batches by kql/ policy).',
  SENTINEL: "Set all three of SENTINEL_DCE_URI, SENTINEL_DCR_ID and SENTINEL_STREAM, or none of them.",
  SENTINEL_CA_FILE: "SENTINEL_CA_FILE is for local emulators only: the path of a PEM CA certificate.",
  CONTENT_QUEUE: "Set CONTENT_QUEUE to a queue name: 3-63 lower-case letters, digits and single hyphens.",
  LISTING_OVERLAP_MINUTES: "Set LISTING_OVERLAP_MINUTES to minutes between 5 and 1440 (default 60).",
  LISTING_SWEEP_INTERVAL_MINUTES: "Set LISTING_SWEEP_INTERVAL_MINUTES to minutes between 0 (every run) and 10080 (default 360).",
  LISTING_SWEEP_HOURS: "Set LISTING_SWEEP_HOURS to hours between 1 and 168 (default 168).",
  MAX_BLOB_BYTES: "Set MAX_BLOB_BYTES to a size in bytes between 1 MiB and 1 GiB (default 64 MiB).",
  BLOBS_PER_MESSAGE: "Set BLOBS_PER_MESSAGE to 1-100 (default 25): content blobs per queue message, each message one ADX ingestion per table.",
  MESSAGE_PART_BYTES:
    "Set MESSAGE_PART_BYTES to a size in bytes between 1 MiB and 256 MiB (default 4 MiB): compressed rows a queue message holds before it lands them as a part (each part one ADX ingestion per table).",
  [MAX_DEQUEUE_COUNT_SETTING]:
    `Set ${MAX_DEQUEUE_COUNT_SETTING} to 1-20, or leave it unset for host.json's extensions.queues.maxDequeueCount (${HOST_JSON_MAX_DEQUEUE_COUNT}); the queue trigger and the worker both read it.`,
  WEBHOOK_ADDRESS: "Set WEBHOOK_ADDRESS to https://<app>.azurewebsites.net/api/webhook to have subscriptions notify it, or leave it unset to poll only.",
  GRAPH_AUDIT_BASE_URL: `Set GRAPH_AUDIT_BASE_URL to ${DEFAULT_GRAPH_BASE_URL} (the default) or ${GRAPH_GLOBAL_ORIGIN}/beta: where the audit log query API lives, global cloud only.`,
  GRAPH_AUDIT_PAGE_SIZE: "Set GRAPH_AUDIT_PAGE_SIZE to 1-1000 (default 999): records per page a back-fill asks Graph for; progress is saved after each page.",
  GRAPH_AUDIT_CA_FILE: "GRAPH_AUDIT_CA_FILE is for local emulators only: the path of a PEM CA certificate.",
  WEBHOOK_AUTH_ID: "Set WEBHOOK_AUTH_ID to the secret passed as authId when the webhook subscription was started (8+ characters).",
};

const settingsSchema = z
  .object({
    AzureWebJobsStorage: z.string().min(1).optional(),
    AzureWebJobsStorage__accountName: z.string().regex(/^[a-z0-9]{3,24}$/).optional(),
    AzureWebJobsStorage__clientId: guid.optional(),
    // The account's own endpoints: required outside Azure public cloud, where __accountName is not valid (Learn).
    AzureWebJobsStorage__queueServiceUri: z.url({ protocol: /^https$/, error: "expected the account's https queue endpoint" }).optional(),
    AzureWebJobsStorage__tableServiceUri: z.url({ protocol: /^https$/, error: "expected the account's https table endpoint" }).optional(),
    AUDIT_LAKE_TENANTS: z.string({ error: "is not set" }).transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        // Position and field only: JSON.parse's message quotes the text around the error, which may be a secret.
        const at = locateJsonSyntaxError(text);
        const where = at ? `line ${at.line}, column ${at.column}, in ${at.field}` : "somewhere";
        ctx.addIssue({ code: "custom", message: `is not valid JSON (${where}; the text is not shown, it may hold a client secret)` });
        return z.NEVER;
      }
    }).pipe(tenantsSchema),
    // The app's ADX token goes with every ingestion: plain http only to a local emulator.
    ADX_INGEST_URI: z
      .url({ protocol: /^https?$/, error: "is not set or not an http(s) URL" })
      .refine((u) => u.startsWith("https:") || isLoopbackHost(new URL(u).hostname), "must be https (plain http is allowed on loopback only)"),
    ADX_INGEST_MODE: z.enum(["queued"]).default("queued"),
    SENTINEL_DCE_URI: z.url({ protocol: /^https$/, error: "expected an https URL" }).optional(),
    SENTINEL_DCR_ID: z.string().regex(/^dcr-[0-9A-Za-z]+$/, "expected a DCR immutable id like dcr-0123456789abcdef0123456789abcdef").optional(),
    SENTINEL_STREAM: z.string().regex(/^Custom-[A-Za-z0-9_]+$/, "expected a stream name like Custom-MailAccess_CL").optional(),
    SENTINEL_CA_FILE: z.string().min(1).optional(),
    CONTENT_QUEUE: z.string().regex(/^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/).default("audit-content"),
    // 60 min re-lists the last hour on every 5-minute run: one listing window, a page or two; the sweep catches the rest.
    LISTING_OVERLAP_MINUTES: integer(5, 1440, 60),
    // Blobs can be listed 24 h+ late: every 6 h re-list the whole retention (ledger dedups, so it costs listing pages only).
    // 0 sweeps on every run: for local jobs, where the emulator's late-listed blobs must show up within a run or two.
    LISTING_SWEEP_INTERVAL_MINUTES: integer(0, 10080, 360),
    LISTING_SWEEP_HOURS: integer(1, 168, 168),
    MAX_BLOB_BYTES: integer(1 << 20, 1 << 30, 64 << 20),
    [MAX_DEQUEUE_COUNT_SETTING]: integer(1, 20, HOST_JSON_MAX_DEQUEUE_COUNT),
    // 25 blobs per message: ~2.4 storage and ingestion requests per blob and < 300 MB per instance (npm run bench)
    BLOBS_PER_MESSAGE: integer(1, 100, 25),
    // 4 MiB of gzipped rows per part (npm run bench, 1M-record tenant): ~2 parts per message, 269 MB peak, 2.31
    // requests per blob; 16 MiB: one part, 287 MB, 2.03. Bounds an instance's memory whatever the blobs' size.
    MESSAGE_PART_BYTES: integer(1 << 20, 256 << 20, 4 << 20),
    // The audit log query API moved between /beta and /v1.0 and its path changed: where it lives is a setting.
    GRAPH_AUDIT_BASE_URL: z
      .string()
      .default(DEFAULT_GRAPH_BASE_URL)
      .refine((u) => {
        try {
          graphEndpoint(u);
          return true;
        } catch {
          return false;
        }
      }, "expected an https URL ending in the API version, such as https://graph.microsoft.com/v1.0"),
    GRAPH_AUDIT_CA_FILE: z.string().min(1).optional(),
    // Graph's largest page: fewest requests; a crash re-lands at most one page (the views dedup it).
    GRAPH_AUDIT_PAGE_SIZE: integer(1, 1000, 999),
    WEBHOOK_AUTH_ID: z.string().min(8).optional(),
    // Plain http only on loopback (a local host); the service itself posts to https addresses only.
    WEBHOOK_ADDRESS: z
      .url({ protocol: /^https?$/, error: "expected the webhook function's public https URL" })
      .refine((u) => u.startsWith("https:") || /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(u), "must be https (plain http is allowed on loopback only)")
      .optional(),
  });

const SETTING_NAMES = Object.keys(settingsSchema.shape);

/** Rules across settings, checked even when single settings are also wrong (so one run reports everything). */
function crossSettingProblems(env: Env): z.core.$ZodIssue[] {
  const issues: z.core.$ZodIssue[] = [];
  const issue = (setting: string, message: string) => issues.push({ code: "custom", path: [setting], message, input: undefined } as z.core.$ZodIssue);
  const serviceUris = env.AzureWebJobsStorage__queueServiceUri && env.AzureWebJobsStorage__tableServiceUri;
  if (!env.AzureWebJobsStorage && !env.AzureWebJobsStorage__accountName && !serviceUris) issue("AzureWebJobsStorage", "is not set");
  if (env.WEBHOOK_ADDRESS && !env.WEBHOOK_AUTH_ID)
    issue("WEBHOOK_AUTH_ID", "is required when WEBHOOK_ADDRESS is set (notifications are authenticated by it)");
  const sentinel = [env.SENTINEL_DCE_URI, env.SENTINEL_DCR_ID, env.SENTINEL_STREAM].filter(Boolean).length;
  if (sentinel !== 0 && sentinel !== 3) issue("SENTINEL", "is only partly configured");
  return issues;
}

export type StorageSettings =
  | { kind: "connectionString"; connectionString: string }
  | { kind: "managedIdentity"; queueServiceUri: string; tableServiceUri: string; clientId?: string };

/** Azure public cloud's endpoints of an account known by name only (__accountName is valid there only). */
export const publicServiceUris = (accountName: string) => ({
  queueServiceUri: `https://${accountName}.queue.core.windows.net`,
  tableServiceUri: `https://${accountName}.table.core.windows.net`,
});

export interface TenantConfig {
  tenantId: string;
  cloud: CloudName;
  credential: CredentialConfig;
  contentTypes: ContentType[];
  database: string;
  publisherId?: string;
  managementApiUrl?: string;
  loginUrl?: string;
  /** Back-fill jobs may run for this tenant (Graph audit log query API). */
  backfill: boolean;
  /** This tenant's mail-access rows are forwarded to the Sentinel destination (its own workspace). */
  forwardMailAccess: boolean;
}

export interface EngineConfig {
  storage: StorageSettings;
  tenants: TenantConfig[];
  adx: { ingestUri: string; mode: "queued" };
  sentinel?: { endpoint: string; dcrImmutableId: string; streamName: string; caFile?: string };
  contentQueue: string;
  listing: { overlapMinutes: number; sweepIntervalMinutes: number; sweepHours: number };
  maxBlobBytes: number;
  maxDequeueCount: number;
  blobsPerMessage: number;
  /** compressed row bytes a queue message holds before it lands them as a part */
  messagePartBytes: number;
  webhook?: { address?: string; authId?: string };
  /** Where Graph's audit log query API is; caFile for local emulators only. */
  graphAudit: { baseUrl: string; pageSize: number; caFile?: string };
}

type Env = Record<string, string | undefined>;

/**
 * The raw values of every setting loadConfig reads, as one string: equal strings give equal configs, so a caller can
 * skip re-validating (and rebuilding clients) on every invocation when the settings did not change.
 */
export function settingsFingerprint(env: Env = process.env): string {
  return JSON.stringify(SETTING_NAMES.map((name) => env[name] ?? null));
}

/** Reads and validates the settings; throws ConfigError naming every wrong setting and what to do about it. */
export function loadConfig(env: Env = process.env): EngineConfig {
  // Empty strings count as unset: app settings are often created blank.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ""));
  const parsed = settingsSchema.safeParse(present);
  const issues = [...crossSettingProblems(present), ...(parsed.success ? [] : parsed.error.issues)];
  if (parsed.success) issues.push(...forwardingProblems(parsed.data.AUDIT_LAKE_TENANTS, Boolean(parsed.data.SENTINEL_DCE_URI)));
  if (!parsed.success || issues.length) throw new ConfigError(issues.map(describeIssue));
  const s = parsed.data;
  return {
    storage: s.AzureWebJobsStorage
      ? { kind: "connectionString", connectionString: s.AzureWebJobsStorage }
      : {
          kind: "managedIdentity",
          ...(s.AzureWebJobsStorage__queueServiceUri && s.AzureWebJobsStorage__tableServiceUri
            ? { queueServiceUri: s.AzureWebJobsStorage__queueServiceUri.replace(/\/+$/, ""), tableServiceUri: s.AzureWebJobsStorage__tableServiceUri.replace(/\/+$/, "") }
            : publicServiceUris(s.AzureWebJobsStorage__accountName!)),
          clientId: s.AzureWebJobsStorage__clientId,
        },
    tenants: s.AUDIT_LAKE_TENANTS.map((t) => ({ ...t, tenantId: t.tenantId.toLowerCase() })) as TenantConfig[],
    adx: { ingestUri: s.ADX_INGEST_URI.replace(/\/+$/, ""), mode: s.ADX_INGEST_MODE },
    sentinel: s.SENTINEL_DCE_URI
      ? { endpoint: s.SENTINEL_DCE_URI, dcrImmutableId: s.SENTINEL_DCR_ID!, streamName: s.SENTINEL_STREAM!, caFile: s.SENTINEL_CA_FILE }
      : undefined,
    contentQueue: s.CONTENT_QUEUE,
    listing: {
      overlapMinutes: s.LISTING_OVERLAP_MINUTES,
      sweepIntervalMinutes: s.LISTING_SWEEP_INTERVAL_MINUTES,
      sweepHours: s.LISTING_SWEEP_HOURS,
    },
    maxBlobBytes: s.MAX_BLOB_BYTES,
    maxDequeueCount: s[MAX_DEQUEUE_COUNT_SETTING],
    blobsPerMessage: s.BLOBS_PER_MESSAGE,
    messagePartBytes: s.MESSAGE_PART_BYTES,
    webhook: s.WEBHOOK_AUTH_ID || s.WEBHOOK_ADDRESS ? { address: s.WEBHOOK_ADDRESS, authId: s.WEBHOOK_AUTH_ID } : undefined,
    graphAudit: { baseUrl: s.GRAPH_AUDIT_BASE_URL, pageSize: s.GRAPH_AUDIT_PAGE_SIZE, caFile: s.GRAPH_AUDIT_CA_FILE },
  };
}

/** The Sentinel destination is one tenant's workspace: only that tenant forwards, and only when the destination is set. */
function forwardingProblems(tenants: Array<{ forwardMailAccess: boolean }>, destination: boolean): z.core.$ZodIssue[] {
  const custom = (path: PropertyKey[], message: string) => ({ code: "custom", path, message, input: undefined }) as z.core.$ZodIssue;
  const forwarding = tenants.flatMap((t, i) => (t.forwardMailAccess ? [i] : []));
  if (!destination) return forwarding.map((i) => custom(["AUDIT_LAKE_TENANTS", i, "forwardMailAccess"], "is true but no Sentinel destination is set (SENTINEL_DCE_URI, SENTINEL_DCR_ID, SENTINEL_STREAM)"));
  if (forwarding.length > 1)
    return [custom(["AUDIT_LAKE_TENANTS"], `has ${forwarding.length} tenants with forwardMailAccess (${forwarding.map((i) => `[${i}]`).join(", ")}), but the Sentinel destination is one tenant's workspace: their rows would share it. Keep forwardMailAccess on one tenant`)];
  return [];
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const [setting, ...rest] = issue.path.map(String);
  const where = rest.length ? ` at ${rest.map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join("")}` : "";
  const hint = HINTS[setting ?? ""] ?? HINTS[(setting ?? "").replace(/__.*/, "")] ?? "";
  const subject = setting === "SENTINEL" ? "Sentinel forwarding" : setting;
  return `${subject}${where}: ${issue.message}. ${hint}`.trim();
}
