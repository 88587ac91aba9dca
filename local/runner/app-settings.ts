import { MAX_DEQUEUE_COUNT_SETTING } from "../../functions/src/config";

/** A tenant the local job reads from: the emulator's, or one given with --source. */
export interface SourceTenant {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  database: string;
  publisherId?: string;
}

export interface AppSettingsInput {
  storageConnectionString: string;
  managementApiUrl: string;
  loginUrl: string;
  /** The login emulator's per-run CA (local only): the tenants' credentials and the app's own identity trust it. */
  loginCaFile?: string;
  tenants: SourceTenant[];
  adxIngestUri: string;
  adxIngestMode?: "queued";
  /** caFile: the emulated Logs Ingestion endpoint's per-run CA (local only; the sink trusts it in-process). */
  sentinel?: { endpoint: string; dcrImmutableId: string; streamName: string; caFile?: string };
  contentQueue?: string;
  /** Overrides host.json's maxDequeueCount, for the host and the worker alike (unset: host.json's). */
  maxDequeueCount?: number;
}

export type AppSettings = Record<string, string>;

/** The app setting the Functions host passes to `node` when it starts the language worker. */
export const NODE_WORKER_ARGUMENTS = "languageWorkers__node__arguments";

/** The Function App's application settings (see the contract), as `local.settings.json` would give them to the host. */
export function appSettings(input: AppSettingsInput): AppSettings {
  const tenants = input.tenants.map((t, i) => ({
    tenantId: t.tenantId,
    credential: { kind: "secret", clientId: t.clientId, clientSecret: t.clientSecret, ...(input.loginCaFile ? { authorityCaFile: input.loginCaFile } : {}) },
    managementApiUrl: input.managementApiUrl,
    loginUrl: input.loginUrl,
    database: t.database,
    ...(t.publisherId ? { publisherId: t.publisherId } : {}),
    // The emulated Sentinel workspace is the first (home) tenant's: only its rows are forwarded, as in Azure.
    ...(input.sentinel && i === 0 ? { forwardMailAccess: true } : {}),
  }));
  const settings: AppSettings = {
    AzureWebJobsStorage: input.storageConnectionString,
    AUDIT_LAKE_TENANTS: JSON.stringify(tenants),
    ADX_INGEST_URI: input.adxIngestUri,
    ADX_INGEST_MODE: input.adxIngestMode ?? "queued",
    CONTENT_QUEUE: input.contentQueue ?? "audit-content",
    // the host's own override of host.json: the local queue trigger and the worker both read it
    ...(input.maxDequeueCount !== undefined ? { [MAX_DEQUEUE_COUNT_SETTING]: String(input.maxDequeueCount) } : {}),
    // The local host fires the timer back to back, squeezing the hours after which Azure's deep sweep would re-list
    // the retention (and find blobs Microsoft listed late) into minutes: so every local planner run is a deep sweep.
    LISTING_SWEEP_INTERVAL_MINUTES: "0",
    // The Functions host starts the Node worker with these flags; deploy the same setting. A 4 MB young generation
    // (V8's default is 16 MB+) is collected before per-blob garbage piles up: peak RSS 267 MB instead of 312 MB on
    // `npm run bench -- --large-tenant-records 200000`, at the same throughput.
    [NODE_WORKER_ARGUMENTS]: "--max-semi-space-size=4",
  };
  const home = input.tenants[0];
  if (home) {
    // The app's own identity towards ADX and Logs Ingestion: in Azure its managed identity; here no host offers one, so
    // the first tenant's app registration, through the same authority (see functions/src/sinks/platform-credential.ts).
    Object.assign(settings, {
      AZURE_TENANT_ID: home.tenantId,
      AZURE_CLIENT_ID: home.clientId,
      AZURE_CLIENT_SECRET: home.clientSecret,
      AZURE_AUTHORITY_HOST: input.loginUrl,
      ...(input.loginCaFile ? { AZURE_AUTHORITY_CA_FILE: input.loginCaFile } : {}),
    });
  }
  if (input.sentinel) {
    settings.SENTINEL_DCE_URI = input.sentinel.endpoint;
    settings.SENTINEL_DCR_ID = input.sentinel.dcrImmutableId;
    settings.SENTINEL_STREAM = input.sentinel.streamName;
    if (input.sentinel.caFile) settings.SENTINEL_CA_FILE = input.sentinel.caFile;
  }
  return settings;
}

/** Puts the settings into process.env, where the handlers read them; returns the undo. */
export function applyAppSettings(settings: AppSettings): () => void {
  const previous = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(settings)) {
    previous.set(name, process.env[name]);
    process.env[name] = value;
  }
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/** Tenant k's database in the emulated cloud; the same rule names a --source tenant's database. */
export function databaseFor(tenantId: string): string {
  return `audit_${tenantId.replace(/-/g, "").slice(0, 8).toLowerCase()}`;
}
