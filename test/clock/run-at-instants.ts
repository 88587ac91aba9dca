// npm run test:clock — the suites that read a clock, run with the machine's clock moved (libfaketime) to the instants a
// calendar makes awkward: a weekend, midnight UTC, the turn of the year, a leap day. Each instant runs its suites from
// a few minutes before (or at) the moment, so "the last day", "yesterday" and "the last 7 days" cross it while they run.
//
// Every process sees one clock: the offset is relative (FAKETIME="-81950"), not an absolute start ("@2026-…"), because
// with a start time each child process (jest workers, Azurite) would restart the clock when it starts.
import { spawnSync } from "node:child_process";

export const INSTANTS = [
  { name: "Saturday 23:55 UTC", at: "2026-12-05T23:55:00Z" },
  { name: "Sunday 12:00 UTC", at: "2026-12-06T12:00:00Z" },
  { name: "Monday 00:05 UTC", at: "2026-12-07T00:05:00Z" },
  { name: "31 December 23:55 UTC", at: "2026-12-31T23:55:00Z" },
  { name: "29 February 12:00 UTC (leap year)", at: "2028-02-29T12:00:00Z" },
];

/**
 * Suites whose emulated cloud runs on the machine's clock (the local Functions host, the local job, onboarding), or that
 * compute windows from "now", and a few on a pinned clock, which must not care what the machine's clock says. Onboarding,
 * the planner's and the engine's fault suites read the clock the same ways as suites listed here; they are left out to
 * keep five instants within CI's time.
 */
export const CLOCK_SUITES = [
  // the machine's clock end to end: host, CLI, local job
  "test/cli/status-requeue.test.ts",
  "test/host/admin-api.test.ts",
  "test/host/backfill-access.test.ts",
  "test/backfill/backfill-cli.test.ts",
  "test/runner/local-job.test.ts",
  "test/cloud/cloud.test.ts",
  "test/emulator/subscriptions.test.ts",
  // windows and intervals computed from "now"
  "test/engine/state.test.ts",
  "test/engine/listing-window.test.ts",
  "test/backfill/intervals.test.ts",
  "test/backfill/backfill-failures.test.ts",
  "test/management-api/listing.test.ts",
  // pinned clocks: the same answer whatever the machine's clock says
  "test/engine/webhook.test.ts",
  "test/backfill/backfill-adx-failures.test.ts",
  "test/emulator/background.test.ts",
];

function faketimeMissing(): string | null {
  const probe = spawnSync("faketime", ["-f", "+0", "true"], { stdio: "ignore" });
  return probe.error || probe.status !== 0 ? "faketime is not installed (Debian package `faketime`: apt-get install faketime)" : null;
}

function main(): number {
  const missing = faketimeMissing();
  if (missing) {
    console.error(`test:clock cannot run: ${missing}.`);
    return 2;
  }
  const only = process.argv.slice(2);
  const instants = only.length ? INSTANTS.filter((i) => only.some((o) => i.name.toLowerCase().includes(o.toLowerCase()))) : INSTANTS;
  const results: Array<{ name: string; ok: boolean; seconds: number }> = [];
  for (const instant of instants) {
    const offsetSeconds = Math.round((Date.parse(instant.at) - Date.now()) / 1000);
    console.log(`\n== ${instant.name}: the clock starts at ${instant.at} (offset ${offsetSeconds} s)`);
    const started = process.hrtime.bigint();
    const run = spawnSync("faketime", ["-f", `${offsetSeconds >= 0 ? "+" : ""}${offsetSeconds}`, "npx", "jest", "--maxWorkers=2", ...CLOCK_SUITES], {
      stdio: "inherit",
      // the monotonic clock stays real: timers and timeouts measure durations, not dates
      env: { ...process.env, TZ: "UTC", FAKETIME_DONT_FAKE_MONOTONIC: "1" },
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    results.push({ name: instant.name, ok: run.status === 0, seconds });
  }
  console.log("\ntest:clock, each instant:");
  for (const r of results) console.log(`  ${r.ok ? "passed" : "FAILED"}  ${r.name}  (${r.seconds.toFixed(0)} s)`);
  const failed = results.filter((r) => !r.ok).length;
  console.log(`instants: ${results.length - failed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

process.exit(main());
