// `npm run bench [-- --json]`: the engine's figures, end to end through the real handlers.
//
// The emulated cloud (Management API, ADX and Logs Ingestion emulators) runs in THIS process; Azurite in its own;
// the engine (timer → queue → handlers, i.e. what a Function App instance runs) in a child process of its own
// (local/runner/host-process.ts, app settings in its environment), so its peak RSS is its own and not the emulator's.
//
// Figures: records/s and MB/s from the first planner run until the ADX emulator settled; this machine's raw limit for
// the same bytes (JSON.parse of every blob + serialising its rows as multijson + gzip level 1, one core, nothing
// else) and the ratio to it; the engine's peak RSS; Management API requests per blob (no faults).
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync, constants } from "node:zlib";
import { Command, InvalidArgumentError } from "commander";
import { build } from "esbuild";
import { ManagementActivityClient, cloudEndpoints, createManagementCredential } from "../../functions/src/management-api";
import { transformBlob } from "../../functions/src/transform/transform";
import { Tables } from "../../kql/tables";
import { startEmulatedCloud, type EmulatedCloud } from "../../local/cloud";
import { CONTENT_TYPES } from "../../local/management-api/types";
import { appSettings, NODE_WORKER_ARGUMENTS } from "../../local/runner/app-settings";
import type { JobOutcome } from "../../local/runner/job";

const root = join(__dirname, "..", "..");
const MB = 1e6;

interface BenchOptions {
  json: boolean;
  seed: number;
  users: number;
  tenants: number;
  largeTenantRecords?: number;
  timeout: number;
  profile?: string;
  batchSize?: number;
  blobsPerMessage?: number;
  messagePartBytes?: number;
  engineNodeArgs?: string;
}

interface HostReport {
  startedAt: number;
  peak: { heapUsedMb: number; externalMb: number; arrayBuffersMb: number };
  cpuSeconds: number;
  outcome: JobOutcome;
  peakRssMb: number;
  /** requests the engine process sent, by kind (local/runner/request-tally.ts) */
  requests: Record<string, number>;
  logCounts: { warning: number; error: number };
  recentErrors: string[];
}

function integer(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number >= ${min}.`);
    return n;
  };
}

/** Runs the engine in its own process until it has nothing left to do; samples its RSS from /proc meanwhile. */
/**
 * The engine process runs from an esbuild bundle, like the deployed package (dist/functions/app.js), not through tsx:
 * tsx's loader thread and transpile caches would add ~60 MB of RSS that Azure never sees.
 */
async function bundleHostProcess(outDir: string): Promise<string> {
  const outfile = join(outDir, "host-process.js");
  await build({
    entryPoints: [join(root, "local", "runner", "host-process.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    sourcemap: false,
    // provided by the Functions worker in Azure; outside it @azure/functions runs in test mode without it
    external: ["@azure/functions-core"],
    logLevel: "warning",
  });
  return outfile;
}

function runEngineProcess(
  script: string,
  settings: Record<string, string>,
  logFile: string,
  timeoutMs: number,
  tuning: { profileDir?: string; batchSize?: number; nodeArgs?: string },
): Promise<HostReport & { sampledPeakRssMb: number }> {
  return new Promise((resolve, reject) => {
    const profile = tuning.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${tuning.profileDir}`] : [];
    const nodeArgs = tuning.nodeArgs ? tuning.nodeArgs.split(/\s+/).filter(Boolean) : [];
    // as the Functions host does: the worker's node flags come from the app settings
    const hostArgs = (settings[NODE_WORKER_ARGUMENTS] ?? "").split(/\s+/).filter(Boolean);
    const child = spawn(process.execPath, [...hostArgs, ...nodeArgs, ...profile, script], {
      cwd: root,
      env: {
        ...process.env,
        ...settings,
        LOCAL_HOST_LOG_FILE: logFile,
        LOCAL_HOST_JSON: join(root, "functions", "host.json"),
        LOCAL_HOST_TIME_BOUND_MS: String(timeoutMs),
        ...(tuning.batchSize ? { LOCAL_HOST_BATCH_SIZE: String(tuning.batchSize) } : {}),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let sampledPeakKb = 0;
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const sampler = setInterval(() => {
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (m) sampledPeakKb = Math.max(sampledPeakKb, Number(m[1]));
      } catch {
        // the child just exited, or /proc is not there (not Linux): its own maxRSS still counts
      }
    }, 100);
    const killer = setTimeout(() => child.kill("SIGKILL"), timeoutMs + 30_000);
    child.on("exit", (code) => {
      clearInterval(sampler);
      clearTimeout(killer);
      const line = stdout.trim().split("\n").pop() ?? "";
      if (code !== 0 || !line.startsWith("{")) return reject(new Error(`the engine process failed (exit ${code}):\n${stderr || stdout}`));
      resolve({ ...(JSON.parse(line) as HostReport), sampledPeakRssMb: sampledPeakKb / 1024 });
    });
  });
}

/** CPU seconds used so far by this process's Azurite child (Linux /proc; null elsewhere). */
function azuriteCpuSeconds(): number | null {
  try {
    const ticksPerSecond = 100; // USER_HZ on Linux
    for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) !== process.pid) continue;
      if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("azurite")) continue;
      return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
    }
  } catch {
    // not Linux
  }
  return null;
}

/** JSON.parse + multijson serialisation + gzip of the very blobs the engine ingested, on one core. */
async function rawLimit(cloud: EmulatedCloud): Promise<{ bytes: number; seconds: number; blobs: number }> {
  let bytes = 0;
  let nanos = 0n;
  let blobs = 0;
  const endpoints = cloudEndpoints("Enterprise");
  for (const tenant of cloud.tenants) {
    const credential = createManagementCredential(
      tenant.tenantId,
      { kind: "secret", clientId: tenant.clientId, clientSecret: tenant.clientSecret, authorityCaFile: cloud.ca },
      { authorityHost: cloud.login, tokenScope: endpoints.tokenScope },
    );
    const client = new ManagementActivityClient({
      tenantId: tenant.tenantId,
      credential,
      baseUrl: cloud.managementApi,
      publisherId: tenant.publisherId,
    });
    // the client clamps the start inside the 7-day limit, as the planner's listing does
    const end = new Date(Date.now() + 60_000);
    const start = new Date(end.getTime() - 8 * 24 * 3600_000);
    for (const contentType of CONTENT_TYPES) {
      for await (const ref of client.listContent(contentType, start, end)) {
        const token = await credential.getToken(endpoints.tokenScope);
        const url = new URL(ref.contentUri);
        url.searchParams.set("PublisherIdentifier", tenant.publisherId);
        const response = await fetch(url, { headers: { Authorization: `Bearer ${token!.token}` } });
        if (!response.ok) throw new Error(`GET ${ref.contentUri} answered ${response.status}`);
        const text = await response.text();
        const ctx = { tenantId: tenant.tenantId, contentType, contentId: ref.contentId };
        const rows = transformBlob(JSON.parse(text) as unknown[], ctx); // the engine's own work, not timed
        const t0 = process.hrtime.bigint();
        JSON.parse(text);
        gzipSync(multijson(rows.auditRows, rows.mailAccessRows), { level: constants.Z_BEST_SPEED });
        nanos += process.hrtime.bigint() - t0;
        bytes += Buffer.byteLength(text, "utf8");
        blobs++;
      }
    }
  }
  return { bytes, seconds: Number(nanos) / 1e9, blobs };
}

/** Newline-delimited JSON written straight into a Buffer (the fastest way measured; a growing string is a rope). */
function multijson(...tables: Record<string, unknown>[][]): Buffer {
  let buf = Buffer.allocUnsafe(1 << 20);
  let off = 0;
  for (const rows of tables) {
    for (const row of rows) {
      const line = JSON.stringify(row);
      if (buf.length - off < line.length * 3 + 1) {
        const bigger = Buffer.allocUnsafe(Math.max(buf.length * 2, off + line.length * 3 + 1));
        buf.copy(bigger, 0, 0, off);
        buf = bigger;
      }
      off += buf.write(line, off, "utf8");
      buf[off++] = 10;
    }
  }
  return buf.subarray(0, off);
}

async function main(): Promise<void> {
  const o = new Command()
    .name("npm run bench --")
    .description("End-to-end engine throughput, the raw limit for the same bytes, peak RSS and API requests per blob.")
    .option("--json", "print one JSON line instead of the table", false)
    .option("--seed <n>", "scenario seed", integer("--seed", 0), 1)
    .option("--users <n>", "users per tenant", integer("--users", 3), 3)
    .option("--tenants <k>", "tenants", integer("--tenants", 1), 1)
    .option("--large-tenant-records <n>", "tenant 0 also holds this many lazily generated records (blobs of 400–1,600 records)", integer("--large-tenant-records", 0), 200_000)
    .option("--timeout <seconds>", "give up after this long", integer("--timeout", 10), 600)
    .option("--batch-size <n>", "queue batch size instead of host.json's (the new-batch threshold is half of it)", integer("--batch-size", 1))
    .option("--blobs-per-message <n>", "content blobs per queue message instead of the default (app setting BLOBS_PER_MESSAGE)", integer("--blobs-per-message", 1))
    .option("--message-part-bytes <n>", "compressed row bytes a message holds before it lands them as a part, instead of the default (app setting MESSAGE_PART_BYTES)", integer("--message-part-bytes", 1 << 20))
    .option("--engine-node-args <args>", 'node flags for the engine process, after those of the app setting languageWorkers__node__arguments, e.g. "--max-old-space-size=160"')
    .option("--profile <dir>", "write a CPU profile of the engine process into this folder (node --cpu-prof)")
    .parse()
    .opts<BenchOptions>();

  const say = (line: string) => {
    if (!o.json) process.stdout.write(line + "\n");
  };
  say(`bench: seed ${o.seed}, ${o.tenants} tenant(s), ${o.users} users${o.largeTenantRecords ? `, +${o.largeTenantRecords} records in tenant 0` : ""}, no faults`);
  const startedAt = new Date();
  const cloud = await startEmulatedCloud({
    // a still clock: no blob becomes available mid-run, so the engine and the raw pass read the same blobs
    now: () => startedAt,
    seed: o.seed,
    users: o.users,
    tenants: o.tenants,
    largeTenantRecords: o.largeTenantRecords || undefined,
    faults: "none",
  });
  try {
    const settings = appSettings({
      storageConnectionString: cloud.storage.connectionString,
      managementApiUrl: cloud.managementApi,
      loginUrl: cloud.login,
      loginCaFile: cloud.ca,
      tenants: cloud.tenants,
      adxIngestUri: cloud.adx,
    });
    if (o.blobsPerMessage) settings.BLOBS_PER_MESSAGE = String(o.blobsPerMessage);
    if (o.messagePartBytes) settings.MESSAGE_PART_BYTES = String(o.messagePartBytes);
    const script = await bundleHostProcess(cloud.dataDir);
    say("running the engine (its own process) …");
    const cloudCpuBefore = process.cpuUsage();
    const azuriteBefore = azuriteCpuSeconds();
    const host = await runEngineProcess(script, settings, join(cloud.dataDir, "functions.log"), o.timeout * 1000, {
      profileDir: o.profile,
      batchSize: o.batchSize,
      nodeArgs: o.engineNodeArgs,
    });
    await cloud.adxStore.idle();
    const seconds = (Date.now() - host.startedAt) / 1000;
    if (!host.outcome.finished) throw new Error(`the engine did not finish: ${host.outcome.stoppedBecause}`);
    const cloudPeakRssMb = process.resourceUsage().maxRSS / 1024;
    const cloudCpu = process.cpuUsage(cloudCpuBefore);
    const azuriteAfter = azuriteCpuSeconds();

    let auditRows = 0;
    let blobs = 0;
    let requests = 0;
    let contentRequests = 0;
    // counts only: reading the rows back would hold gigabytes for a large tenant
    const rowCount = (db: string, table: string) => cloud.adxStore.tables().find((t) => t.database === db && t.table === table)?.rows ?? 0;
    for (const t of cloud.tenants) {
      auditRows += rowCount(t.database, Tables.unifiedAudit);
      blobs += rowCount(t.database, Tables.ledger);
      const r = cloud.truth.requests(t.tenantId);
      requests += r.total;
      contentRequests += r.byOperation.content ?? 0;
    }

    say("measuring the raw limit for the same blobs …");
    const raw = await rawLimit(cloud);
    const mbPerSec = raw.bytes / MB / seconds;
    const rawLimitMbPerSec = raw.bytes / MB / raw.seconds;
    const figures = {
      blobs,
      rawPassBlobs: raw.blobs,
      records: auditRows,
      megabytes: round(raw.bytes / MB, 2),
      seconds: round(seconds, 2),
      recordsPerSec: round(auditRows / seconds, 0),
      mbPerSec: round(mbPerSec, 2),
      rawLimitMbPerSec: round(rawLimitMbPerSec, 2),
      ratioToRawLimit: round(mbPerSec / rawLimitMbPerSec, 3),
      peakRssMb: round(Math.max(host.peakRssMb, host.sampledPeakRssMb), 1),
      peakHeapUsedMb: round(host.peak.heapUsedMb, 1),
      peakExternalMb: round(host.peak.externalMb, 1),
      // where the 2 cores went during the run: the engine, the emulated cloud (this process), Azurite
      engineCpuSeconds: round(host.cpuSeconds, 1),
      cloudCpuSeconds: round((cloudCpu.user + cloudCpu.system) / 1e6, 1),
      azuriteCpuSeconds: azuriteBefore !== null && azuriteAfter !== null ? round(azuriteAfter - azuriteBefore, 1) : null,
      // the engine's own work per CPU-second, against the same raw limit
      engineMbPerCpuSec: round(raw.bytes / MB / host.cpuSeconds, 2),
      engineRatioToRawLimit: round(raw.bytes / MB / host.cpuSeconds / rawLimitMbPerSec, 3),
      cloudPeakRssMb: round(cloudPeakRssMb, 1),
      requestsPerBlob: round(requests / blobs, 3),
      contentRequestsPerBlob: round(contentRequests / blobs, 3),
      failedAttempts: host.outcome.failedAttempts,
      plannerRuns: host.outcome.ticks,
      // storage and ingestion requests the engine sends per blob, by kind (target: ≤ 3 together); the host's own
      // queue polling (receive, delete, the stand-in's length samples) is reported apart
      requestsPerBlobByKind: perBlob(host.requests, blobs, ["table", "queueSend", "ingestionUpload", "ingestionQueue", "ingestionStatusQueue", "adx"]),
      storageAndIngestionRequestsPerBlob: round(
        ["table", "queueSend", "ingestionUpload", "ingestionQueue"].reduce((n, k) => n + (host.requests[k] ?? 0), 0) / blobs,
        3,
      ),
      hostQueueRequestsPerBlob: perBlob(host.requests, blobs, ["queueReceive", "queueDelete", "queueOther"]),
      // ADX's side: queued ingestions and the extents its batching made of them, per 1,000 blobs, per table
      adxPer1000Blobs: Object.fromEntries(
        Object.values(Tables).map((table) => {
          const f = cloud.adxStore.tableFigures().filter((t) => t.table === table);
          const sum = (k: "ingestions" | "extents") => f.reduce((n, t) => n + t[k], 0);
          return [table, { ingestions: round((sum("ingestions") * 1000) / blobs, 1), extents: round((sum("extents") * 1000) / blobs, 1) }];
        }),
      ),
    };
    if (o.json) {
      process.stdout.write(JSON.stringify(figures) + "\n");
      return;
    }
    const check = (ok: boolean) => (ok ? "✓" : "✗ target missed");
    say("");
    say(`  blobs, records             ${figures.blobs} blobs, ${figures.records} records, ${figures.megabytes} MB of blob JSON`);
    say(`  end to end                 ${figures.recordsPerSec} records/s, ${figures.mbPerSec} MB/s (${figures.seconds} s, emulator → ADX emulator)`);
    say(`  raw limit (1 core)         ${figures.rawLimitMbPerSec} MB/s (JSON.parse + multijson + gzip -1 of the same blobs)`);
    say(`  ratio to raw limit         ${figures.ratioToRawLimit}  ${check(figures.ratioToRawLimit >= 0.5)} (target ≥ 0.5)`);
    say(`  engine peak RSS            ${figures.peakRssMb} MB  ${check(figures.peakRssMb < 300)} (target < 300 MB; engine process only)`);
    say(`    of which at most          ${figures.peakHeapUsedMb} MB live JS heap, ${figures.peakExternalMb} MB buffers`);
    say(`  CPU during the run          engine ${figures.engineCpuSeconds} s · emulated cloud ${figures.cloudCpuSeconds} s · Azurite ${figures.azuriteCpuSeconds ?? "?"} s (2 cores)`);
    say(`  engine per CPU-second      ${figures.engineMbPerCpuSec} MB/s = ${figures.engineRatioToRawLimit} of the raw limit`);
    say(`  emulated cloud peak RSS    ${figures.cloudPeakRssMb} MB (this process: Management API, ADX, Logs Ingestion emulators)`);
    say(`  API requests per blob      ${figures.requestsPerBlob} (content GETs ${figures.contentRequestsPerBlob} per blob  ${check(figures.contentRequestsPerBlob <= 1.05)}, target ≤ 1.05)`);
    say(
      `  storage + ingestion / blob ${figures.storageAndIngestionRequestsPerBlob}  ${check(figures.storageAndIngestionRequestsPerBlob <= 3)} (target ≤ 3): ` +
        Object.entries(figures.requestsPerBlobByKind).map(([k, v]) => `${k} ${v}`).join(" · "),
    );
    say(`  host queue polling / blob  ${Object.entries(figures.hostQueueRequestsPerBlob).map(([k, v]) => `${k} ${v}`).join(" · ")}`);
    for (const [table, f] of Object.entries(figures.adxPer1000Blobs)) say(`  ADX per 1,000 blobs        ${table}: ${f.ingestions} ingestions → ${f.extents} extents`);
  } finally {
    await cloud.close();
  }
}

function perBlob(counts: Record<string, number>, blobs: number, kinds: string[]): Record<string, number> {
  return Object.fromEntries(kinds.map((k) => [k, round((counts[k] ?? 0) / blobs, 3)]));
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    process.stderr.write(`bench: ${e.message}\n`);
    process.exit(1);
  },
);
