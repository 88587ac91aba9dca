import { readFileSync } from "node:fs";
import { createBackfill, type Backfill } from "../backfill/backfill-wiring";
import type { BackfillRunnerDeps } from "../backfill/backfill-runner";
import type { EngineConfig, TenantConfig } from "../config";
import { ClientErrorCodes, cloudEndpoints, createManagementCredential, ManagementActivityClient, type ManagementApiEvent } from "../management-api";
import { AdxSink } from "../sinks/adx";
import { SentinelSink } from "../sinks/sentinel";
import { AdxFailureSettlement } from "./adx-failure-settlement";
import { ADX_SOURCES_TABLE, AdxIngestionSources } from "../state/adx-ingestion-sources";
import { CHECKPOINT_TABLE, CheckpointStore } from "../state/checkpoints";
import { ContentIntake } from "./content-intake";
import { ContentLedger, LEDGER_RETENTION_DAYS, LEDGER_TABLE } from "../state/content-ledger";
import { ContentQueue, MESSAGE_LIMITS } from "../state/content-queue";
import { consoleLog, pipelineLog, type EngineLog, type PipelineLog } from "./engine-log";
import { platformCredential } from "../sinks/platform-credential";
import { Planner, type PlannedTenant, type PlannerDeps } from "./planner";
import { StorageAccount } from "../state/storage-account";
import { Worker, type WorkerDeps, type WorkerTenant } from "./worker";

/** Everything the handlers share within one process, built once from the app settings. */
export interface Engine {
  config: EngineConfig;
  /** The engine's clock (EngineOptions.now, else the machine's): what the admin use cases date their answers by too. */
  now: () => Date;
  /** The app's storage account (AzureWebJobsStorage), built from the settings the composition root handed over. */
  storage: StorageAccount;
  checkpoints: CheckpointStore;
  ledger: ContentLedger;
  queue: ContentQueue;
  intake: ContentIntake;
  planner: Planner;
  worker: Worker;
  /** Acts on ADX's failure reports for queued ingestions (its own timer, settle-adx-failures). */
  adxFailures: AdxFailureSettlement;
  tenants: Map<string, PlannedTenant & WorkerTenant & { client: ManagementActivityClient }>;
  /** Back-fill beyond 7 days through Graph: job store, admin use cases, the run-backfills timer's runner. */
  backfill: Backfill;
  close(): Promise<void>;
}

export interface EngineOptions {
  /** The app settings as the composition root read them, for what `config` does not carry: the app's own identity
   * (AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, …) and the storage identity (AzureWebJobsStorage__*). The engine reads no
   * process environment. */
  appSettings: Readonly<Record<string, string | undefined>>;
  /** Clock for the planner, the worker and the clients (an emulator with its own clock passes it). */
  now?: () => Date;
  /** Where client events (clamped windows, refused hosts) are logged; default the console. */
  log?: EngineLog;
  /** Observers of each planner / worker step (tracing; tests throw from them to simulate a crash at that point). */
  onPlannerStep?: PlannerDeps["onStep"];
  onWorkerStep?: WorkerDeps["onStep"];
  onBackfillStep?: BackfillRunnerDeps["onStep"];
}

export function createEngine(config: EngineConfig, opts: EngineOptions): Engine {
  const log = pipelineLog(opts.log ?? consoleLog);
  const account = new StorageAccount(config.storage, opts.appSettings);
  const checkpoints = new CheckpointStore(account.table(CHECKPOINT_TABLE));
  const ledger = new ContentLedger(account.table(LEDGER_TABLE));
  const queue = new ContentQueue(account.queue(config.contentQueue));
  const intake = new ContentIntake(ledger, queue, opts.now, { ...MESSAGE_LIMITS, maxBlobs: config.blobsPerMessage });

  const tenants: Engine["tenants"] = new Map();
  for (const t of config.tenants) {
    const client = managementClient(t, config, opts.now, log);
    tenants.set(t.tenantId, { config: t, client, source: client });
  }

  const credential = platformCredential(opts.appSettings);
  const adx = new AdxSink({ ingestUri: config.adx.ingestUri, credential: credential.forUrl(config.adx.ingestUri) });
  const sentinel = config.sentinel
    ? new SentinelSink({
        endpoint: config.sentinel.endpoint,
        dcrImmutableId: config.sentinel.dcrImmutableId,
        streamName: config.sentinel.streamName,
        credential: credential.forUrl(config.sentinel.endpoint),
        ca: config.sentinel.caFile ? readFileSync(config.sentinel.caFile, "utf8") : undefined,
      })
    : undefined;

  // Queued ingestion fails after the fact: every ingestion's source id is recorded against its blob, and ADX's
  // failure reports are acted on by their own timer (handlers/settle-adx-failures.ts).
  const sources = new AdxIngestionSources(account.table(ADX_SOURCES_TABLE), LEDGER_RETENTION_DAYS);
  const backfill = createBackfill(config, account, adx, sources, { now: opts.now, onStep: opts.onBackfillStep });
  const adxFailures = new AdxFailureSettlement({
    failures: adx.failureQueue(),
    sources,
    ledger,
    queue,
    adx,
    databases: [...new Set(config.tenants.map((t) => t.database))],
    retentionDays: LEDGER_RETENTION_DAYS,
    now: opts.now,
    intervals: backfill.adxFailedIntervals,
  });

  const planner = new Planner({
    tenants: [...tenants.values()],
    checkpoints,
    ledger,
    intake,
    listing: config.listing,
    webhook: config.webhook,
    now: opts.now,
    onStep: opts.onPlannerStep,
  });
  const worker = new Worker({ tenants, ledger, adx, queue, sentinel, sources, maxDequeueCount: config.maxDequeueCount, partBytes: config.messagePartBytes, now: opts.now, onStep: opts.onWorkerStep });
  return {
    config,
    now: opts.now ?? (() => new Date()),
    storage: account,
    checkpoints,
    ledger,
    queue,
    intake,
    planner,
    worker,
    adxFailures,
    tenants,
    backfill,
    close: () => adx.close(),
  };
}

function managementClient(t: TenantConfig, config: EngineConfig, now: (() => Date) | undefined, log: PipelineLog): ManagementActivityClient {
  const endpoints = cloudEndpoints(t.cloud);
  const credential = createManagementCredential(t.tenantId, t.credential, {
    authorityHost: t.loginUrl ?? endpoints.authorityHost,
    tokenScope: endpoints.tokenScope,
  });
  return new ManagementActivityClient({
    tenantId: t.tenantId,
    credential,
    cloud: t.cloud,
    baseUrl: t.managementApiUrl,
    publisherId: t.publisherId,
    maxBlobBytes: config.maxBlobBytes,
    now,
    onEvent: (e) => logClientEvent(t.tenantId, e, log),
  });
}

/** Client decisions an operator must see: lost coverage and refused hosts are errors, the rest is routine. */
function logClientEvent(tenantId: string, e: ManagementApiEvent, log: PipelineLog): void {
  const tenant = tenantId;
  switch (e.type) {
    case "windowClamped":
      log.error(
        `tenant ${tenantId} ${e.contentType}: listing from ${e.requestedStart.toISOString()} was clamped to ${e.effectiveStart.toISOString()} ` +
          `(7-day limit); content created in between is no longer available.`,
        { tenant, contentType: e.contentType, stage: "listing", outcome: e.type, requestedStart: e.requestedStart.toISOString(), effectiveStart: e.effectiveStart.toISOString(), lostMs: e.lostMs },
      );
      break;
    case "hostRefused":
      log.error(`tenant ${tenantId}: refused to send the token to ${e.url} (${e.operation}); only ${e.allowedOrigin} is allowed.`, {
        tenant,
        stage: e.operation,
        outcome: e.type,
        code: ClientErrorCodes.HostNotAllowed,
        url: e.url,
        allowedOrigin: e.allowedOrigin,
      });
      break;
    case "subscriptionStarted":
      log.info(`tenant ${tenantId}: started the ${e.contentType} subscription`, { tenant, contentType: e.contentType, stage: "subscriptions/start", outcome: e.type });
      break;
    case "subscriptionStartThrottled":
      log.warn(`tenant ${tenantId}: starting the ${e.contentType} subscription is throttled; retrying in ${Math.round(e.retryAfterMs / 1000)} s`, {
        tenant,
        contentType: e.contentType,
        stage: "subscriptions/start",
        outcome: e.type,
        code: ClientErrorCodes.SubscriptionStartThrottled,
        retryAfterMs: e.retryAfterMs,
      });
      break;
    default:
      break;
  }
}
