import { listingWindow } from "../../functions/src/use-cases/listing-window";

const settings = { overlapMinutes: 60, sweepIntervalMinutes: 360, sweepHours: 168 };
const now = new Date("2024-03-14T12:00:00Z");
const at = (iso: string) => new Date(iso);
const base = { tenantId: "t", contentType: "Audit.Exchange" };

describe("the window a planner run lists", () => {
  test("the first run back-fills the whole 7-day retention", () => {
    const w = listingWindow(base, now, settings);
    expect(w).toEqual({ start: at("2024-03-07T12:06:00Z"), end: now, firstRun: true, sweep: true, lostMs: 0 });
  });

  test("later runs re-list from the checkpoint minus the overlap, so blobs listed late are still found", () => {
    const w = listingWindow({ ...base, listedThrough: at("2024-03-14T11:55:00Z"), lastSweepAt: at("2024-03-14T09:00:00Z") }, now, settings);
    expect(w).toEqual({ start: at("2024-03-14T10:55:00Z"), end: now, firstRun: false, sweep: false, lostMs: 0 });
  });

  test("every sweep interval the whole retention is re-listed for blobs listed more than the overlap late", () => {
    const w = listingWindow({ ...base, listedThrough: at("2024-03-14T11:55:00Z"), lastSweepAt: at("2024-03-14T05:59:00Z") }, now, settings);
    expect(w.sweep).toBe(true);
    expect(w.start).toEqual(at("2024-03-07T12:06:00Z"));
  });

  test("a planner stopped for longer than the retention reports what expired unread", () => {
    const w = listingWindow({ ...base, listedThrough: at("2024-03-05T13:00:00Z"), lastSweepAt: at("2024-03-05T13:00:00Z") }, now, settings);
    expect(w.start).toEqual(at("2024-03-07T12:06:00Z"));
    expect(w.lostMs).toBe(47 * 3600_000 + 6 * 60_000);
  });

  test("a checkpoint ahead of this instance's clock still yields a non-empty window", () => {
    const w = listingWindow({ ...base, listedThrough: at("2024-03-14T12:03:00Z"), lastSweepAt: now }, now, settings);
    expect(w.start).toEqual(at("2024-03-14T11:00:00Z"));
  });

  test("a sweep interval of 0 sweeps on every run", () => {
    const w = listingWindow({ ...base, listedThrough: at("2024-03-14T11:55:00Z"), lastSweepAt: at("2024-03-14T11:55:00Z") }, now, { ...settings, sweepIntervalMinutes: 0 });
    expect(w.sweep).toBe(true);
    expect(w.start).toEqual(at("2024-03-07T12:06:00Z"));
  });
});
