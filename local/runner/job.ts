import { QueueServiceClient } from "@azure/storage-queue";
import { ingestContent } from "../../functions/src/handlers/ingest-content";
import { plan } from "../../functions/src/handlers/plan";
import { settleAdxFailures } from "../../functions/src/handlers/settle-adx-failures";
import { closeAuditLake } from "../../functions/src/composition-root";
import { applyAppSettings, type AppSettings } from "./app-settings";
import { captureConsole } from "./console-capture";
import type { InvocationLog } from "./invocation-log";
import { describeError, QueueTrigger } from "./queue-trigger";
import { readQueueHostSettings } from "./host-json";
import { fireTimer } from "./timer-trigger";

export interface JobProgress {
  phase: "planning" | "ingesting" | "settling";
  ticks: number;
  /** Blobs the planner enqueued so far (settled + still in the queue). */
  queued: number;
  /** Blobs settled: ingested, or moved to the poison queue. */
  done: number;
  failedAttempts: number;
  poisoned: number;
  elapsedMs: number;
}

export interface LocalJobOptions {
  settings: AppSettings;
  log: InvocationLog;
  /** Resolves when the ADX emulator's ingestion queue is drained (queued ingestion lands rows asynchronously). */
  adxIdle?: () => Promise<void>;
  /** The whole job must end within this (default 5 min). */
  timeBoundMs?: number;
  /** Consecutive failed planner runs after which the job gives up (default 3). */
  maxPlanFailures?: number;
  /** functions/host.json, whose queue settings the local host follows (default: the repository's). */
  hostJsonPath?: string;
  queue?: { batchSize?: number; newBatchThreshold?: number; visibilityTimeoutSeconds?: number; maxDequeueCount?: number };
  onProgress?: (progress: JobProgress) => void;
  progressIntervalMs?: number;
}

export interface JobOutcome {
  /** True when ADX settled and a planner run after that found nothing new, all within the time bound. */
  finished: boolean;
  /** Why the job stopped early, when it did. */
  stoppedBecause?: string;
  ticks: number;
  planFailures: number;
  blobsEnqueued: number;
  blobsSucceeded: number;
  failedAttempts: number;
  poisoned: number;
  elapsedMs: number;
  /** Of elapsedMs: waiting for ADX to finish its queued ingestions once the content queue had drained. */
  settleMs: number;
}

const planIntervalMs = 5 * 60_000; // the timer's schedule in Azure; locally a tick follows each drained queue instead

/**
 * The local stand-in for the Functions host: the planner's and the ADX failure settlement's timers fire, the content
 * queue drains through the real handlers, and the timers fire again until a run finds nothing new, ADX settles, and one
 * more run still finds nothing.
 */
export async function runLocalJob(opts: LocalJobOptions): Promise<JobOutcome> {
  const started = Date.now();
  const deadline = started + (opts.timeBoundMs ?? 5 * 60_000);
  const maxPlanFailures = opts.maxPlanFailures ?? 3;
  const undoSettings = applyAppSettings(opts.settings);
  const undoConsole = captureConsole(opts.log);
  const queues = QueueServiceClient.fromConnectionString(opts.settings.AzureWebJobsStorage);
  const queueName = opts.settings.CONTENT_QUEUE;
  const queue = queues.getQueueClient(queueName);
  await queue.createIfNotExists();
  const host = readQueueHostSettings(opts.hostJsonPath, opts.settings);
  const trigger = new QueueTrigger({
    queue,
    poisonQueue: queues.getQueueClient(`${queueName}-poison`),
    functionName: "ingestContent",
    handler: ingestContent,
    log: opts.log,
    batchSize: host.batchSize,
    newBatchThreshold: host.newBatchThreshold,
    maxDequeueCount: host.maxDequeueCount,
    // Azure waits host.json's visibilityTimeout before a retry and polls an empty queue up to maxPollingInterval;
    // locally both are cut to a second so a run with faults ends in minutes.
    visibilityTimeoutSeconds: Math.min(host.visibilityTimeoutSeconds, 1),
    maxPollingIntervalMs: Math.min(host.maxPollingIntervalMs, 1000),
    ...opts.queue,
  });

  let phase: JobProgress["phase"] = "planning";
  let ticks = 0;
  let planFailures = 0;
  let consecutivePlanFailures = 0;
  let stoppedBecause: string | undefined;
  let lastQueueCount = 0;
  let settleMs = 0;
  let adxSettledSinceWork = false;
  const progress = (): JobProgress => {
    const s = trigger.stats;
    return {
      phase,
      ticks,
      // in-flight and retry-pending messages are invisible but still counted by the queue
      queued: s.succeeded + s.poisoned + lastQueueCount,
      done: s.succeeded + s.poisoned,
      failedAttempts: s.failedAttempts,
      poisoned: s.poisoned,
      elapsedMs: Date.now() - started,
    };
  };
  // the queue's length is sampled once a second (each sample is a storage request); the display updates more often
  let sampledAt = 0;
  const reporter = setInterval(async () => {
    if (Date.now() - sampledAt >= 1000) {
      sampledAt = Date.now();
      try {
        lastQueueCount = (await queue.getProperties()).approximateMessagesCount ?? 0;
      } catch {
        // a progress sample may fail while Azurite is busy; the next one will do
      }
    }
    opts.onProgress?.(progress());
  }, opts.progressIntervalMs ?? 250);

  trigger.start();
  try {
    let previousTick: Date | undefined;
    for (;;) {
      if (Date.now() >= deadline) {
        stoppedBecause = "the time bound was reached before the planner stopped finding new content";
        break;
      }
      phase = "planning";
      const enqueuedBefore = trigger.stats.firstDeliveries;
      ticks++;
      let planned = true;
      // In Azure the settlement's timer shares the planner's schedule: here it fires with every tick, and its failure
      // (logged, as the host would) is no planner failure: unread reports stay in ADX's queue for the next tick.
      const settling = fireTimer(settleAdxFailures, "settle-adx-failures", opts.log, planIntervalMs, previousTick).catch((error) => {
        opts.log.write("error", `settle-adx-failures: ${describeError(error)}`);
      });
      try {
        await fireTimer(plan, "plan", opts.log, planIntervalMs, previousTick);
        consecutivePlanFailures = 0;
      } catch (error) {
        planned = false;
        planFailures++;
        consecutivePlanFailures++;
        opts.log.write("error", `plan: ${describeError(error)}`);
        if (consecutivePlanFailures >= maxPlanFailures) {
          stoppedBecause = `the planner failed ${consecutivePlanFailures} times in a row: ${describeError(error)}`;
          break;
        }
      } finally {
        // replays the settlement enqueues are drained with the tick's own messages
        await settling;
      }
      previousTick = new Date();
      phase = "ingesting";
      if (!(await drained(trigger, deadline))) {
        stoppedBecause = "the time bound was reached while the content queue still held messages";
        break;
      }
      // Nothing new: this run of the planner enqueued no blob the queue had not seen.
      const nothingNew = planned && trigger.stats.firstDeliveries === enqueuedBefore;
      if (!planned) await delay(1000);
      if (!nothingNew) {
        adxSettledSinceWork = false;
        continue;
      }
      // Queued ingestion can still fail inside ADX after the worker finished; the settlement timer reads those failure
      // reports and replays or quarantines the blob. So: let ADX settle, then one more tick must find nothing new.
      if (adxSettledSinceWork || !opts.adxIdle) break;
      phase = "settling";
      const settleStart = Date.now();
      const settled = await Promise.race([opts.adxIdle().then(() => true), delay(deadline - Date.now()).then(() => false)]);
      settleMs += Date.now() - settleStart;
      if (!settled) {
        stoppedBecause = "the time bound was reached before ADX finished its queued ingestions";
        break;
      }
      adxSettledSinceWork = true;
    }
  } finally {
    await trigger.stop();
    clearInterval(reporter);
    await closeAuditLake();
    undoConsole();
    undoSettings();
  }
  lastQueueCount = 0;
  opts.onProgress?.(progress());
  const s = trigger.stats;
  return {
    finished: stoppedBecause === undefined,
    ...(stoppedBecause ? { stoppedBecause } : {}),
    ticks,
    planFailures,
    blobsEnqueued: s.firstDeliveries,
    blobsSucceeded: s.succeeded,
    failedAttempts: s.failedAttempts,
    poisoned: s.poisoned,
    elapsedMs: Date.now() - started,
    settleMs,
  };
}

async function drained(trigger: QueueTrigger, deadline: number): Promise<boolean> {
  while (Date.now() < deadline) {
    if (await trigger.isDrained()) return true;
    await delay(200);
  }
  return false;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)).unref());
}
