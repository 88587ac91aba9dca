// A Functions host of its own: this process takes its app settings from the environment (as the real host does),
// runs the local job (timer → queue → handlers) once, and prints ONE JSON line: the outcome, when its job started,
// and its own peak RSS. The bench runs the engine here so its memory is measured apart from the emulated cloud.
import { InvocationLog } from "./invocation-log";
import { runLocalJob } from "./job";
import { storageServices, tallyRequests } from "./request-tally";

async function main(): Promise<void> {
  const settings = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
  const log = new InvocationLog({ file: process.env.LOCAL_HOST_LOG_FILE });
  // every request the engine (and this stand-in host's queue polling) sends, by kind: the bench's requests per blob
  const requests = tallyRequests(
    storageServices(settings.AzureWebJobsStorage ?? ""),
    settings.ADX_INGEST_URI ? new URL(settings.ADX_INGEST_URI).host : undefined,
    settings.CONTENT_QUEUE ?? "audit-content",
  );
  const startedAt = Date.now();
  // what the peak is made of: live JS heap, or buffers outside it (bodies, gzip chunks)
  const peak = { heapUsedMb: 0, externalMb: 0, arrayBuffersMb: 0 };
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peak.heapUsedMb = Math.max(peak.heapUsedMb, m.heapUsed / 1048576);
    peak.externalMb = Math.max(peak.externalMb, m.external / 1048576);
    peak.arrayBuffersMb = Math.max(peak.arrayBuffersMb, m.arrayBuffers / 1048576);
  }, 500);
  const outcome = await runLocalJob({
    settings,
    log,
    timeBoundMs: Number(process.env.LOCAL_HOST_TIME_BOUND_MS ?? 600_000),
    hostJsonPath: process.env.LOCAL_HOST_JSON,
    // overrides host.json's queue batch (experiments on memory vs concurrency)
    queue: process.env.LOCAL_HOST_BATCH_SIZE
      ? { batchSize: Number(process.env.LOCAL_HOST_BATCH_SIZE), newBatchThreshold: Math.floor(Number(process.env.LOCAL_HOST_BATCH_SIZE) / 2) }
      : undefined,
  });
  clearInterval(sampler);
  await log.close();
  const line = {
    startedAt,
    outcome,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    peak,
    requests,
    cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    logCounts: log.counts,
    recentErrors: log.recentErrors,
  };
  process.stdout.write(JSON.stringify(line) + "\n");
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`local host: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
