import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { MAX_DEQUEUE_COUNT_SETTING } from "../../functions/src/config";

/** The queue trigger settings of functions/host.json, so the local host runs the app the way Azure will. */
export interface QueueHostSettings {
  batchSize: number;
  newBatchThreshold: number;
  maxDequeueCount: number;
  /** Delay before a failed message is retried, in Azure. */
  visibilityTimeoutSeconds: number;
  maxPollingIntervalMs: number;
}

/** The Functions host's own defaults, for settings host.json leaves out. */
const HOST_DEFAULTS: QueueHostSettings = {
  batchSize: 16,
  newBatchThreshold: 8,
  maxDequeueCount: 5,
  visibilityTimeoutSeconds: 0,
  maxPollingIntervalMs: 60_000,
};

const timeSpan = z
  .string()
  .regex(/^\d{1,2}:\d{2}:\d{2}(\.\d+)?$/, 'expected a time span like "00:00:30"')
  .transform((s) => {
    const [h, m, sec] = s.split(":").map(Number);
    return (h * 3600 + m * 60 + sec) * 1000;
  });

const hostJsonSchema = z.object({
  extensions: z
    .object({
      queues: z
        .object({
          batchSize: z.number().int().min(1).max(32).optional(),
          newBatchThreshold: z.number().int().min(0).optional(),
          maxDequeueCount: z.number().int().min(1).optional(),
          visibilityTimeout: timeSpan.optional(),
          maxPollingInterval: timeSpan.optional(),
        })
        .optional(),
    })
    .optional(),
});

export const HOST_JSON_PATH = join(__dirname, "..", "..", "functions", "host.json");

/**
 * host.json's queue settings as the host applies them: an app setting `AzureFunctionsJobHost__extensions__queues__…`
 * overrides the file (only maxDequeueCount is honoured here: the one the worker must agree with).
 */
export function readQueueHostSettings(path = HOST_JSON_PATH, appSettings: Record<string, string | undefined> = {}): QueueHostSettings {
  let parsed: z.infer<typeof hostJsonSchema>;
  try {
    parsed = hostJsonSchema.parse(JSON.parse(readFileSync(path, "utf8")));
  } catch (e) {
    throw new Error(`${path} cannot be read as a Functions host.json (${(e as Error).message}); fix the file or restore it from git.`);
  }
  const q = parsed.extensions?.queues ?? {};
  const batchSize = q.batchSize ?? HOST_DEFAULTS.batchSize;
  return {
    batchSize,
    // the host's default threshold is half the batch size
    newBatchThreshold: q.newBatchThreshold ?? Math.floor(batchSize / 2),
    maxDequeueCount: maxDequeueOverride(appSettings) ?? q.maxDequeueCount ?? HOST_DEFAULTS.maxDequeueCount,
    visibilityTimeoutSeconds: Math.round((q.visibilityTimeout ?? 0) / 1000),
    maxPollingIntervalMs: q.maxPollingInterval ?? HOST_DEFAULTS.maxPollingIntervalMs,
  };
}

function maxDequeueOverride(appSettings: Record<string, string | undefined>): number | undefined {
  const raw = appSettings[MAX_DEQUEUE_COUNT_SETTING]?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${MAX_DEQUEUE_COUNT_SETTING} is "${raw}": set it to a whole number of attempts (1 or more), or remove it to use host.json's value.`);
  return n;
}
