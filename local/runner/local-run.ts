import { QueueServiceClient } from "@azure/storage-queue";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAdxEmulator } from "../adx";
import { startAzurite } from "../azurite";
import { startEmulatedCloud, type EmulatedCloudOptions } from "../cloud";
import type { GroundTruth } from "../management-api";
import { CONTENT_TYPES } from "../management-api/types";
import { appSettings, databaseFor, type AppSettings, type SourceTenant } from "./app-settings";
import { InvocationLog } from "./invocation-log";
import { runLocalJob, type JobProgress, type LocalJobOptions } from "./job";
import { summarizeJob, type JobSummary } from "./summary";

/** Any endpoint speaking the Management Activity API, with an authority issuing client-credentials tokens. */
export interface SourceEndpoint {
  managementApiUrl: string;
  loginUrl: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  publisherId?: string;
}

export interface LocalRunOptions {
  /** The emulated tenant(s): seed, users, tenants, faults… (ignored with `source`). */
  emulator?: Omit<EmulatedCloudOptions, "dataDir" | "keepDataDir" | "log">;
  /** Read from this endpoint instead of the built-in emulator; ADX and Azurite stay local. */
  source?: SourceEndpoint;
  /** Forward mail-access rows to the emulated Sentinel (Logs Ingestion over HTTPS); default on with the emulator. */
  sentinel?: boolean;
  /** Where rows, the function log and (on disk) Azurite data go; default a new temp folder. */
  dataDir?: string;
  /** Keep the data folder after the run (default true: the rows are there to look at). */
  keepData?: boolean;
  timeBoundMs?: number;
  queue?: LocalJobOptions["queue"];
  /** Called once the cloud is up, with what it runs against. */
  onReady?: (description: LocalRunDescription) => void;
  onProgress?: (progress: JobProgress) => void;
  /** Echo the first function log lines at error level (all lines go to the log file). */
  echoLog?: (line: string) => void;
}

export interface LocalRunDescription {
  mode: "emulator" | "source";
  managementApi: string;
  login: string;
  adx: string;
  storage: string;
  tenants: Array<{ tenantId: string; database: string }>;
  sentinel: boolean;
  dataDir: string;
}

export interface LocalRun {
  summary: JobSummary;
  description: LocalRunDescription;
  logFile: string;
  logCounts: { warning: number; error: number };
  /** Where the ADX emulator's rows are, when the data was kept. */
  adxDataDir: string | null;
}

/**
 * `npm start`'s job: bring up the emulated cloud (or the local ADX + Azurite for a --source endpoint), run the real
 * handlers through the local host until everything landed, and summarize what landed against the ground truth.
 */
export async function runLocally(opts: LocalRunOptions = {}): Promise<LocalRun> {
  const keepData = opts.keepData ?? true;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "m365-audit-lake-"));
  mkdirSync(dataDir, { recursive: true });
  const logFile = join(dataDir, "functions.log");
  const log = new InvocationLog({ file: logFile, echo: opts.echoLog });
  const cloud = opts.source ? await startSourceCloud(opts.source, dataDir) : await startEmulated(opts, dataDir);
  try {
    const description: LocalRunDescription = {
      mode: opts.source ? "source" : "emulator",
      managementApi: cloud.managementApi,
      login: cloud.login,
      adx: cloud.adx,
      storage: cloud.storage.queue,
      tenants: cloud.tenants.map((t) => ({ tenantId: t.tenantId, database: t.database })),
      sentinel: cloud.sentinel !== undefined,
      dataDir,
    };
    opts.onReady?.(description);
    const settings: AppSettings = appSettings({
      storageConnectionString: cloud.storage.connectionString,
      managementApiUrl: cloud.managementApi,
      loginUrl: cloud.login,
      loginCaFile: cloud.loginCaFile,
      tenants: cloud.tenants,
      adxIngestUri: cloud.adx,
      sentinel: cloud.sentinel,
    });
    const job = await runLocalJob({
      settings,
      log,
      adxIdle: () => cloud.adxStore.idle(),
      timeBoundMs: opts.timeBoundMs,
      queue: opts.queue,
      onProgress: opts.onProgress,
    });
    const poisonMessages = await poisonCount(settings);
    const summary = summarizeJob({
      tenants: description.tenants,
      contentTypes: CONTENT_TYPES,
      rows: (db, table) => cloud.adxStore.rows(db, table),
      truth: cloud.truth,
      job,
      poisonMessages,
      sentinelRows: cloud.sentinel ? cloud.sentinelRows() : undefined,
    });
    return { summary, description, logFile, logCounts: { ...log.counts }, adxDataDir: keepData ? cloud.adxStore.dir : null };
  } finally {
    await log.close();
    await cloud.close();
    if (!keepData) rmSync(dataDir, { recursive: true, force: true });
  }
}

/** What the run needs from the cloud, whichever way it was assembled. */
interface LocalCloud {
  managementApi: string;
  login: string;
  /** The login endpoint's CA when it is the emulator's (https with a per-run CA). */
  loginCaFile?: string;
  adx: string;
  storage: { connectionString: string; queue: string };
  tenants: Array<SourceTenant & { database: string }>;
  sentinel?: { endpoint: string; dcrImmutableId: string; streamName: string; caFile: string };
  sentinelRows(): number;
  truth?: GroundTruth;
  adxStore: { rows(db: string, table: string): Record<string, unknown>[]; idle(): Promise<void>; dir: string };
  close(): Promise<void>;
}

async function startEmulated(opts: LocalRunOptions, dataDir: string): Promise<LocalCloud> {
  // The emulator's clock stands still at startup: the run ingests "the last 7 days as of now" and the ground truth
  // does not move under it (with a running clock, blobs keep becoming available while ADX settles).
  const startedAt = new Date();
  const cloud = await startEmulatedCloud({
    now: () => startedAt,
    ...opts.emulator,
    dataDir: join(dataDir, "cloud"),
    storage: "memory",
  });
  const sentinel = opts.sentinel ?? true;
  return {
    managementApi: cloud.managementApi,
    login: cloud.login,
    loginCaFile: cloud.ca,
    adx: cloud.adx,
    storage: cloud.storage,
    tenants: cloud.tenants,
    sentinel: sentinel ? { endpoint: cloud.logsIngestion, ...cloud.sentinel, caFile: cloud.ca } : undefined,
    sentinelRows: () => cloud.logsStore.rows(cloud.sentinel.streamName).length,
    truth: cloud.truth,
    adxStore: cloud.adxStore,
    close: () => cloud.close(),
  };
}

async function startSourceCloud(source: SourceEndpoint, dataDir: string): Promise<LocalCloud> {
  const tenant = {
    tenantId: source.tenantId.toLowerCase(),
    clientId: source.clientId,
    clientSecret: source.clientSecret,
    publisherId: source.publisherId,
    database: databaseFor(source.tenantId),
  };
  const azurite = await startAzurite();
  try {
    const adx = await startAdxEmulator({ databases: [tenant.database], dataDir: join(dataDir, "cloud"), storage: azurite });
    return {
      managementApi: source.managementApiUrl.replace(/\/+$/, ""),
      login: source.loginUrl.replace(/\/+$/, ""),
      adx: adx.url,
      storage: azurite,
      tenants: [tenant],
      sentinelRows: () => 0,
      adxStore: adx.store,
      close: async () => {
        await adx.close();
        await azurite.stop();
      },
    };
  } catch (e) {
    await azurite.stop();
    throw e;
  }
}

async function poisonCount(settings: AppSettings): Promise<number> {
  const queue = QueueServiceClient.fromConnectionString(settings.AzureWebJobsStorage).getQueueClient(`${settings.CONTENT_QUEUE}-poison`);
  if (!(await queue.exists())) return 0;
  return (await queue.getProperties()).approximateMessagesCount ?? 0;
}
