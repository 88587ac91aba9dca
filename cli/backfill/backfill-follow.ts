// Follows a back-fill job until it ends: a cli-progress bar of intervals done (records landed beside it) on a terminal,
// nothing under --json; the job as it ended is returned.
import { SingleBar } from "cli-progress";
import { setTimeout as sleep } from "node:timers/promises";
import type { BackfillJob } from "../../functions/src/backfill/backfill-job";
import type { CommandIo } from "../output/command-io";

export interface FollowOptions {
  io: CommandIo;
  json: boolean;
  pollMs: number;
  read: () => Promise<BackfillJob>;
}

export async function followBackfill(first: BackfillJob, o: FollowOptions): Promise<BackfillJob> {
  const bar =
    o.json || !o.io.interactive
      ? undefined
      : new SingleBar({
          format: "back-fill |{bar}| {value}/{total} intervals · {landed} records landed · {state}",
          barCompleteChar: "█",
          barIncompleteChar: "░",
          hideCursor: true,
          stream: process.stderr,
        });
  let job = first;
  bar?.start(job.intervals.total, 0, { landed: 0, state: job.state });
  let shown = "";
  try {
    while (job.state === "queued" || job.state === "running") {
      await sleep(o.pollMs);
      job = await o.read();
      const finished = job.intervals.done + job.intervals.failed;
      bar?.update(finished, { landed: job.records.landed, state: job.state });
      // without a terminal, a line when something moved: logs of a pipeline stay readable
      const line = `${job.state}: ${finished}/${job.intervals.total} intervals, ${job.records.landed} records landed`;
      if (!bar && !o.json && line !== shown) o.io.stderr(`back-fill ${job.id} ${line}\n`);
      shown = line;
    }
  } finally {
    bar?.stop();
  }
  return job;
}
