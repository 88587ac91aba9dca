// Listing windows: the API filters on contentCreated in [startTime, endTime), at most 24 h apart, start ≤ 7 days back.

export const MAX_WINDOW_MS = 24 * 60 * 60_000;
/** The service tolerates ~7 d + 1 h; staying at 167 h 55 min keeps a margin for clock skew and request latency. */
export const MAX_LOOKBACK_MS = (167 * 60 + 55) * 60_000;

export interface ListingWindow {
  start: Date;
  end: Date;
}

export interface WindowClamp {
  requestedStart: Date;
  effectiveStart: Date;
  /** Milliseconds of the requested range that can no longer be listed (coverage lost unless fetched earlier). */
  lostMs: number;
}

export interface ListingPlan {
  windows: ListingWindow[];
  /** Set when the requested start was older than the 7-day limit and was moved forward. */
  clamp: WindowClamp | null;
}

const floorToSecond = (ms: number) => Math.floor(ms / 1000) * 1000;
const ceilToSecond = (ms: number) => Math.ceil(ms / 1000) * 1000;

/**
 * Splits [start, end) into consecutive windows of at most 24 h, with the start clamped inside the 7-day limit.
 * Times are whole seconds (the documented format has no fractions): the start is floored and the end ceiled, so
 * rounding only ever widens the range.
 */
export function planListingWindows(start: Date, end: Date, now: Date): ListingPlan {
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) {
    throw new RangeError("planListingWindows: start and end must be valid dates");
  }
  const earliest = ceilToSecond(now.getTime() - MAX_LOOKBACK_MS);
  let from = floorToSecond(start.getTime());
  const to = ceilToSecond(end.getTime());
  let clamp: WindowClamp | null = null;
  if (from < earliest) {
    const effective = Math.min(earliest, Math.max(to, from));
    clamp = { requestedStart: new Date(from), effectiveStart: new Date(earliest), lostMs: effective - from };
    from = earliest;
  }
  const windows: ListingWindow[] = [];
  for (let s = from; s < to; s += MAX_WINDOW_MS) {
    windows.push({ start: new Date(s), end: new Date(Math.min(s + MAX_WINDOW_MS, to)) });
  }
  return { windows, clamp };
}

/** The documented time format, `YYYY-MM-DDTHH:MM:SS` in UTC (no fraction, no zone designator). */
export function formatApiTime(d: Date): string {
  return d.toISOString().slice(0, 19);
}
