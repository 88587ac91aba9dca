// Back-fill against the emulated cloud: the engine fixture's lanes with back-fill on, and an emulator clock the test
// moves on, as Graph's queries take minutes (emulated: 45 s queued, 2 min + 20 s per searched day running).
import type { BackfillJob } from "../../functions/src/backfill/backfill-job";
import type { Engine } from "../../functions/src/use-cases/engine";
import type { EmulatedCloudOptions } from "../../local/cloud";
import { PINNED_NOW, startFixture, type Fixture, type Lane } from "../engine/engine-fixture";

export const MINUTE = 60_000;
export const DAY = 86_400_000;

export interface BackfillFixture extends Fixture {
  /** Moves the emulated clock (Graph's query lifecycle, the Management API's listing) forward. */
  advance(ms: number): void;
  /** Tenant k with back-fill on, Graph at the emulated cloud's /v1.0 (pages of 50 records unless `settings` say). */
  backfillLane(tenantIndex: number, settings?: Record<string, string>): Promise<Lane>;
}

export async function startBackfillFixture(opts: EmulatedCloudOptions = {}): Promise<BackfillFixture> {
  const start = PINNED_NOW;
  let offset = 0;
  const now = () => new Date(start + offset);
  const f = await startFixture({ ...opts, now });
  return {
    ...f,
    advance: (ms) => {
      offset += ms;
    },
    backfillLane: (k, settings = {}) =>
      // small pages, so an interval spans several and a crash can fall between two of them
      f.lane(k, { GRAPH_AUDIT_BASE_URL: `${f.cloud.graph}/v1.0`, GRAPH_AUDIT_CA_FILE: f.cloud.ca, GRAPH_AUDIT_PAGE_SIZE: "50", ...settings }, { backfill: true }),
  };
}

/**
 * Timer runs of run-backfills, five emulated minutes apart (the schedule in Azure), until the job finished. `engine`
 * may be replaced between runs (a restarted app): `engineFor(run)` gives the engine for each run.
 */
export async function runUntilFinished(f: BackfillFixture, lane: Lane, engineFor: (run: number) => Engine, jobId: string, maxRuns = 200): Promise<{ job: BackfillJob; runs: number }> {
  for (let run = 1; run <= maxRuns; run++) {
    const engine = engineFor(run);
    await engine.backfill.runner.run(lane.log);
    const job = await engine.backfill.jobs.get(jobId);
    if (job.state === "succeeded" || job.state === "failed") return { job, runs: run };
    f.advance(5 * MINUTE);
  }
  throw new Error(`back-fill ${jobId} did not finish within ${maxRuns} timer runs`);
}
