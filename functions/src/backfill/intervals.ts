// A back-fill period → the intervals queried one Graph query each.
import type { BackfillInterval } from "./backfill-job";

const DAY_MS = 86_400_000;

/**
 * One day per query: a day of a large tenant stays far below Graph's 1,000,000 records per query; a 180-day back-fill
 * is 180 submissions, under the ≥200 per rolling 24 h Graph admits; and a failed query costs one day's search again,
 * not a week's.
 */
export const INTERVAL_MS = DAY_MS;

/** [from, to) in consecutive intervals of `sizeMs`, the last one shorter; aligned to `from`. */
export function splitIntervals(jobId: string, from: Date, to: Date, sizeMs = INTERVAL_MS): BackfillInterval[] {
  const out: BackfillInterval[] = [];
  for (let start = from.getTime(), index = 0; start < to.getTime(); start += sizeMs, index++) {
    out.push({
      jobId,
      index,
      from: new Date(start),
      to: new Date(Math.min(start + sizeMs, to.getTime())),
      state: "pending",
      attempts: 0,
      adxReopens: 0,
      retries: 0,
      pages: 0,
      fetched: 0,
      landed: 0,
      outOfRange: 0,
    });
  }
  return out;
}
