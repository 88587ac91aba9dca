// The listing window rules of subscriptions/content and subscriptions/notifications.
import { ApiErrors } from "./api-errors";

const HOUR = 3_600_000;
export const MAX_WINDOW_MS = 24 * HOUR;
/** The documented limit is 7 days; the service tolerates about an hour more (observed by mature collectors). */
export const MAX_LOOKBACK_MS = 7 * 24 * HOUR + HOUR;

// Documented: YYYY-MM-DD, YYYY-MM-DDTHH:MM, YYYY-MM-DDTHH:MM:SS (UTC). Also accepted, as by the real service:
// full ISO 8601 with fractional seconds and a Z or an offset (JavaScript's toISOString()).
const TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** Milliseconds since the epoch, or null when the text is not one of the accepted forms or not a real instant. */
export function parseApiTime(text: string): number | null {
  const m = TIME.exec(text);
  if (!m) return null;
  const [, y, mo, d, h = "00", mi = "00", s = "00", frac = "", zone = "Z"] = m;
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}.${(frac + "000").slice(0, 3)}${zone}`);
  if (Number.isNaN(ms)) return null;
  // Date.parse rolls 2024-02-31 over into March; the service rejects it
  if (zone === "Z") {
    const back = new Date(ms).toISOString();
    if (back.slice(0, 19) !== `${y}-${mo}-${d}T${h}:${mi}:${s}`) return null;
  }
  return ms;
}

/** The documented form the emulator writes into NextPageUri when the client gave no window. */
export function formatApiTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

export interface ListingWindow {
  startMs: number;
  endMs: number;
  /** As they go into NextPageUri: the client's own text, or the documented form for the default window. */
  startText: string;
  endText: string;
}

/** [start, end): start inclusive, end exclusive, on contentCreated. */
export function resolveWindow(startText: string | null, endText: string | null, nowMs: number): ListingWindow {
  if (startText === null && endText === null) {
    return { startMs: nowMs - MAX_WINDOW_MS, endMs: nowMs, startText: formatApiTime(nowMs - MAX_WINDOW_MS), endText: formatApiTime(nowMs) };
  }
  if (startText === null || endText === null) throw ApiErrors.windowMalformed();
  const startMs = parseApiTime(startText);
  if (startMs === null) throw ApiErrors.invalidParameter("startTime", "DateTime");
  const endMs = parseApiTime(endText);
  if (endMs === null) throw ApiErrors.invalidParameter("endTime", "DateTime");
  if (startMs >= endMs) throw ApiErrors.windowMalformed();
  if (endMs - startMs > MAX_WINDOW_MS) throw ApiErrors.windowRejected();
  if (startMs < nowMs - MAX_LOOKBACK_MS) throw ApiErrors.windowRejected();
  return { startMs, endMs, startText, endText };
}
