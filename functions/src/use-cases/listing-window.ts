import { MAX_LOOKBACK_MS } from "../management-api";
import type { Checkpoint } from "../state/checkpoints";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** Blobs are fetchable for 7 days after contentCreated. */
export const CONTENT_LIFETIME_MS = 7 * DAY;
/** How far back a listing may start: the client's safe limit (7 d − 5 min) less a minute, so its clamp never fires. */
export const LISTING_REACH_MS = MAX_LOOKBACK_MS - MINUTE;

export interface ListingSettings {
  overlapMinutes: number;
  /** How often the deep sweep re-lists sweepHours back; 0 = on every run. */
  sweepIntervalMinutes: number;
  sweepHours: number;
}

export interface ListingWindow {
  start: Date;
  end: Date;
  /** Before the first run there is no checkpoint: back-fill the whole retention. */
  firstRun: boolean;
  /** This run re-lists the deep lookback (first run included); recorded so the next sweep is due an interval later. */
  sweep: boolean;
  /** How much of [checkpoint, start) had already expired: content that can no longer be collected. */
  lostMs: number;
}

/**
 * The window one planner run lists: [checkpoint − overlap, now), widened to the deep-sweep lookback when a sweep is
 * due, because Microsoft lists some blobs a day or more after their contentCreated (the ledger makes re-listing cheap).
 */
export function listingWindow(cp: Checkpoint, now: Date, s: ListingSettings): ListingWindow {
  const earliest = now.getTime() - LISTING_REACH_MS;
  if (!cp.listedThrough) return { start: new Date(earliest), end: now, firstRun: true, sweep: true, lostMs: 0 };
  // min(): a checkpoint ahead of our clock (skew between instances) must not produce an empty window.
  let start = Math.min(cp.listedThrough.getTime(), now.getTime()) - s.overlapMinutes * MINUTE;
  // Only what lies beyond the last listing is lost; the overlap had been listed before.
  const lostMs = Math.max(0, earliest - cp.listedThrough.getTime());
  const sweepDue = !cp.lastSweepAt || now.getTime() - cp.lastSweepAt.getTime() >= s.sweepIntervalMinutes * MINUTE;
  if (sweepDue) start = Math.min(start, now.getTime() - s.sweepHours * HOUR);
  return { start: new Date(Math.max(start, earliest)), end: now, firstRun: false, sweep: sweepDue, lostMs };
}
