// Figure: records per second a back-fill lands end to end — Graph queries submitted and polled on timer runs, pages
// read over HTTPS, unwrapped, transformed and sent to the ADX emulator by queued ingestion, progress saved to Table
// storage after each page — against the emulated cloud. The emulated clock jumps 5 minutes between timer runs (the
// schedule in Azure), so only the engine's and the emulators' work is timed, not Graph's minutes of searching.
// Run: npx tsx test/backfill/bench.ts [--days 90] [--users 50] [--json]
import { startBackfillFixture, DAY, MINUTE } from "./backfill-fixture";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const days = arg("days", 90);
  const users = arg("users", 50);
  const f = await startBackfillFixture({ seed: 3, tenants: 1, users, graph: { requestsPerWindow: 1_000_000 } });
  try {
    const lane = await f.lane(0, { GRAPH_AUDIT_BASE_URL: `${f.cloud.graph}/v1.0`, GRAPH_AUDIT_CA_FILE: f.cloud.ca }, { backfill: true });
    const engine = lane.engine();
    const to = f.now();
    const started = await engine.backfill.jobs.start({ tenantId: lane.tenantId, from: new Date(to.getTime() - days * DAY).toISOString(), to: to.toISOString() });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let runs = 0;
    let job = started;
    while (job.state === "queued" || job.state === "running") {
      await engine.backfill.runner.run(lane.log);
      runs++;
      job = await engine.backfill.jobs.get(started.id);
      f.advance(5 * MINUTE);
    }
    const engineSeconds = (performance.now() - t0) / 1000;
    await f.cloud.adxStore.idle();
    const settledSeconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const figures = {
      days,
      users,
      state: job.state,
      intervals: job.intervals,
      records: job.records,
      timerRuns: runs,
      queries: f.cloud.graphAudit.truth.queries(lane.tenantId).length,
      engineSeconds: Number(engineSeconds.toFixed(1)),
      recordsPerSecond: Math.round(job.records.landed / engineSeconds),
      // ADX's queued ingestion lands the rows after the engine handed them over: until the emulator has ingested them all
      recordsPerSecondUntilInAdx: Math.round(job.records.landed / settledSeconds),
      // engine, Graph emulator, ADX emulator and Azurite share this process and the machine's two cores
      processCpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(1)),
    };
    if (process.argv.includes("--json")) console.log(JSON.stringify(figures));
    else {
      console.log(`${days}-day back-fill, ${users} users: ${job.records.landed.toLocaleString()} records landed (${job.intervals.done}/${job.intervals.total} intervals, ${figures.queries} queries, ${runs} timer runs, ${job.state})`);
      console.log(`  engine: ${figures.engineSeconds} s = ${figures.recordsPerSecond.toLocaleString()} records/s; until in ADX: ${settledSeconds.toFixed(1)} s = ${figures.recordsPerSecondUntilInAdx.toLocaleString()} records/s; process CPU ${figures.processCpuSeconds} s`);
    }
  } finally {
    await f.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
