// The engine against the emulated cloud: real SDKs, real Azurite, the ADX and Management API emulators.
// Tests drive the planner and the worker through the engine (so a step can be made to crash) and drain the content
// queue through the local runner's queue trigger (the Functions host's retry and poison semantics).
// One cloud serves several tests: each test takes its own emulated tenant (own checkpoints, ledger partitions and
// database) and its own content queue, so tests never see each other's state.
import type { InvocationContext } from "@azure/functions";
import { QueueServiceClient, type QueueClient } from "@azure/storage-queue";
import { format } from "node:util";
import { startEmulatedCloud, type EmulatedCloud, type EmulatedCloudOptions } from "../../local/cloud";
import { InvocationLog } from "../../local/runner/invocation-log";
import { QueueTrigger, type QueueTriggerStats } from "../../local/runner/queue-trigger";
import { loadConfig, MAX_DEQUEUE_COUNT_SETTING, type EngineConfig } from "../../functions/src/config";
import { parseContentMessage } from "../../functions/src/state/content-queue";
import { createEngine, type Engine, type EngineOptions } from "../../functions/src/use-cases/engine";
import type { EngineLog } from "../../functions/src/use-cases/engine-log";
import type { PlanResult } from "../../functions/src/use-cases/planner";

/** One engine log line as the host receives it: the readable message and the named fields that follow it. */
export interface LogLine {
  level: "info" | "warn" | "error";
  message: string;
  fields: Record<string, unknown>;
}

/** Per level, each line as the host prints it (util.format of its arguments); `lines` keeps the fields apart. */
export interface Logs {
  info: string[];
  warn: string[];
  error: string[];
  lines: LogLine[];
}

/** One tenant of the emulated cloud, configured as the only tenant of a Function App with its own queue. */
export interface Lane {
  tenantId: string;
  database: string;
  /** The app settings, as the Functions host would hand them to the handlers. */
  settings: Record<string, string>;
  queue: QueueClient;
  poisonQueue: QueueClient;
  logs: Logs;
  log: EngineLog;
  /** An engine on the lane's settings (plus `settings`); `config` overrides validated values beyond the settings' bounds. */
  engine(opts?: Partial<EngineOptions> & { settings?: Record<string, string>; config?: Partial<EngineConfig> }): Engine;
  /** Planner runs until one enqueues nothing new; throws if a run fails. */
  planUntilQuiet(engine: Engine, maxRuns?: number): Promise<PlanResult[][]>;
  /** Runs the queue trigger with the engine's worker until the queue (retries included) is empty. */
  drain(engine: Engine, opts?: { timeoutMs?: number }): Promise<QueueTriggerStats>;
  /** Rows of one of this tenant's tables once ADX's queued ingestion has settled. */
  rows(table: string): Promise<Record<string, unknown>[]>;
}

export interface Fixture {
  cloud: EmulatedCloud;
  /** The emulator's clock, frozen at PINNED_NOW (or the test's own) so no blob becomes available mid-test; engines share it by default. */
  now: () => Date;
  /** Tenant k as the only tenant of an app; `tenant` adds to its AUDIT_LAKE_TENANTS entry (e.g. contentTypes). */
  lane(tenantIndex: number, settings?: Record<string, string>, tenant?: Record<string, unknown>): Promise<Lane>;
  close(): Promise<void>;
}

/**
 * The moment engine tests run at unless they pass their own clock: a Wednesday afternoon, whatever day the suite runs,
 * so "the last day" of the emulated week is a working day's and no test reads a window of the machine's clock.
 */
export const PINNED_NOW = Date.UTC(2026, 10, 18, 14, 30, 0);

/** Tenant k's AUDIT_LAKE_TENANTS entry for the emulated cloud: its app registration, API and login, its database. */
export function tenantEntry(cloud: EmulatedCloud, k: number): Record<string, unknown> {
  const t = cloud.tenants[k];
  return {
    tenantId: t.tenantId,
    credential: { kind: "secret", clientId: t.clientId, clientSecret: t.clientSecret, authorityCaFile: cloud.ca },
    managementApiUrl: cloud.managementApi,
    loginUrl: cloud.login,
    publisherId: t.publisherId,
    database: t.database,
  };
}

export async function startFixture(opts: EmulatedCloudOptions = {}): Promise<Fixture> {
  const now = opts.now ?? (() => new Date(PINNED_NOW));
  const cloud = await startEmulatedCloud({ users: 3, ...opts, now });
  const queues = QueueServiceClient.fromConnectionString(cloud.storage.connectionString);
  const engines: Engine[] = [];

  async function lane(k: number, extra: Record<string, string> = {}, tenantExtra: Record<string, unknown> = {}): Promise<Lane> {
    const t = cloud.tenants[k];
    const queueName = `content-${k}-${Math.random().toString(36).slice(2, 8)}`;
    const settings: Record<string, string> = {
      AzureWebJobsStorage: cloud.storage.connectionString,
      AUDIT_LAKE_TENANTS: JSON.stringify([
        { ...tenantEntry(cloud, k), ...tenantExtra },
      ]),
      // The app's own identity towards ADX: an app registration of the tenant, through the HTTPS login emulator.
      AZURE_TENANT_ID: t.tenantId,
      AZURE_CLIENT_ID: t.clientId,
      AZURE_CLIENT_SECRET: t.clientSecret,
      AZURE_AUTHORITY_HOST: cloud.login,
      AZURE_AUTHORITY_CA_FILE: cloud.ca,
      ADX_INGEST_URI: cloud.adx,
      ADX_INGEST_MODE: "queued",
      CONTENT_QUEUE: queueName,
      [MAX_DEQUEUE_COUNT_SETTING]: "3",
      // Every run re-lists the whole retention, so blobs the emulator lists late are found by the next run.
      LISTING_SWEEP_INTERVAL_MINUTES: "0",
      ...extra,
    };
    const queue = queues.getQueueClient(queueName);
    const poisonQueue = queues.getQueueClient(`${queueName}-poison`);
    await queue.createIfNotExists();
    const logs: Logs = { info: [], warn: [], error: [], lines: [] };
    const at = (level: LogLine["level"]) => (...a: unknown[]) => {
      logs[level].push(format(...a));
      const [message, fields] = a;
      logs.lines.push({ level, message: String(message), fields: typeof fields === "object" && fields !== null ? { ...fields } : {} });
    };
    const log: EngineLog = { info: at("info"), warn: at("warn"), error: at("error") };
    return {
      tenantId: t.tenantId,
      database: t.database,
      settings,
      queue,
      poisonQueue,
      logs,
      log,
      engine(o = {}) {
        const { settings: override, config, ...engineOpts } = o;
        // The app's own identity (AZURE_*) comes from the same settings, as the composition root hands them over.
        const all = { ...settings, ...override };
        const e = createEngine({ ...loadConfig(all), ...config }, { appSettings: all, log, now, ...engineOpts });
        engines.push(e);
        return e;
      },
      async planUntilQuiet(engine, maxRuns = 4) {
        const runs: PlanResult[][] = [];
        for (let i = 0; i < maxRuns; i++) {
          const results = await engine.planner.run(log);
          runs.push(results);
          const failed = results.filter((r) => r.error);
          if (failed.length) throw new Error(`planning failed: ${failed.map((f) => `${f.contentType}: ${f.error!.message}`).join("; ")}`);
          if (results.every((r) => r.enqueued + r.reenqueued === 0)) return runs;
        }
        return runs;
      },
      async drain(engine, o = {}) {
        const trigger = new QueueTrigger({
          queue,
          poisonQueue,
          functionName: "ingestContent",
          handler: async (message: unknown, context: InvocationContext) => {
            await engine.worker.ingest(parseContentMessage(message), Number(context.triggerMetadata?.dequeueCount ?? 1), log);
          },
          log: new InvocationLog(),
          maxDequeueCount: engine.config.maxDequeueCount,
          visibilityTimeoutSeconds: 1,
          maxPollingIntervalMs: 200,
        });
        const timeoutMs = o.timeoutMs ?? 120_000;
        const deadline = Date.now() + timeoutMs;
        trigger.start();
        try {
          let quiet = 0;
          while (quiet < 2) {
            if (Date.now() > deadline) throw new Error(`the content queue did not drain within ${timeoutMs} ms`);
            await new Promise((r) => setTimeout(r, 250));
            quiet = (await trigger.isDrained()) ? quiet + 1 : 0;
          }
        } finally {
          await trigger.stop();
        }
        return trigger.stats;
      },
      async rows(table) {
        await cloud.adxStore.idle();
        return cloud.adxStore.rows(t.database, table) as Record<string, unknown>[];
      },
    };
  }

  return {
    cloud,
    now,
    lane,
    async close() {
      for (const e of engines) await e.close().catch(() => undefined);
      await cloud.close();
    },
  };
}

/** Unique record Ids the emulator can serve now, over the given content types. */
export function availableRecordIds(cloud: EmulatedCloud, tenantId: string, contentTypes: readonly string[]): Set<string> {
  const all = new Set<string>();
  for (const ct of contentTypes) for (const id of cloud.truth.availableRecordIds(tenantId, ct)) all.add(id);
  return all;
}

/** The blobs the emulator lists now (contentIds), over the given content types. */
export function availableContentIds(cloud: EmulatedCloud, tenantId: string, contentTypes: readonly string[]): string[] {
  return contentTypes.flatMap((ct) => cloud.truth.availableBlobs(tenantId, ct).map((b) => b.contentId));
}

/** Keys seen more than once: rows that landed twice from the same blob must always be none. */
export function seenTwice<T>(items: T[], key: (r: T) => string): string[] {
  const seen = new Set<string>();
  const twice: string[] = [];
  for (const r of items) {
    const k = key(r);
    if (seen.has(k)) twice.push(k);
    seen.add(k);
  }
  return twice;
}

/** Takes every message off a queue (decoded): the blobs the planner enqueued (`perMessage`: how many each message carried). */
export async function takeAll(queue: QueueClient, perMessage: number[] = []): Promise<Array<{ contentId: string; contentType: string; contentUri: string }>> {
  const out: Array<{ contentId: string; contentType: string; contentUri: string }> = [];
  for (;;) {
    const batch = await queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 60 });
    if (batch.receivedMessageItems.length === 0) break;
    for (const m of batch.receivedMessageItems) {
      const { blobs } = parseContentMessage(m.messageText);
      out.push(...blobs);
      perMessage.push(blobs.length);
      await queue.deleteMessage(m.messageId, m.popReceipt);
    }
  }
  return out;
}
