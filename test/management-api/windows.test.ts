import { MAX_LOOKBACK_MS, formatApiTime, planListingWindows } from "../../functions/src/management-api/windows";

const H = 60 * 60_000;
const now = new Date("2024-03-14T12:00:00Z");

describe("listing windows", () => {
  it("splits a range into consecutive windows of at most 24 h, the last one shorter", () => {
    const { windows, clamp } = planListingWindows(new Date("2024-03-11T00:00:00Z"), new Date("2024-03-13T06:00:00Z"), now);
    expect(clamp).toBeNull();
    expect(windows.map((w) => [formatApiTime(w.start), formatApiTime(w.end)])).toEqual([
      ["2024-03-11T00:00:00", "2024-03-12T00:00:00"],
      ["2024-03-12T00:00:00", "2024-03-13T00:00:00"],
      ["2024-03-13T00:00:00", "2024-03-13T06:00:00"],
    ]);
  });

  it("leaves a range of 24 h or less as one window", () => {
    const { windows } = planListingWindows(new Date("2024-03-13T12:00:00Z"), new Date("2024-03-14T12:00:00Z"), now);
    expect(windows).toHaveLength(1);
  });

  it("allows an end in the future (the service accepts it)", () => {
    const { windows } = planListingWindows(new Date("2024-03-14T11:00:00Z"), new Date("2024-03-14T13:00:00Z"), now);
    expect(windows.map((w) => formatApiTime(w.end))).toEqual(["2024-03-14T13:00:00"]);
  });

  it("clamps a start older than 167 h 55 min to exactly that limit and reports the lost span", () => {
    const requested = new Date(now.getTime() - 8 * 24 * H);
    const { windows, clamp } = planListingWindows(requested, now, now);
    const limit = new Date(now.getTime() - MAX_LOOKBACK_MS);
    expect(formatApiTime(limit)).toBe("2024-03-07T12:05:00");
    expect(windows[0].start).toEqual(limit);
    expect(clamp).toEqual({ requestedStart: requested, effectiveStart: limit, lostMs: limit.getTime() - requested.getTime() });
    // 167h55m of range left: seven windows, the last one 23h55m long
    expect(windows).toHaveLength(7);
    expect(windows.every((w) => w.end.getTime() - w.start.getTime() <= 24 * H)).toBe(true);
  });

  it("lists nothing, and reports the whole range lost, when the range ended before the 7-day limit", () => {
    const start = new Date(now.getTime() - 10 * 24 * H);
    const end = new Date(now.getTime() - 9 * 24 * H);
    const { windows, clamp } = planListingWindows(start, end, now);
    expect(windows).toEqual([]);
    expect(clamp?.lostMs).toBe(24 * H);
  });

  it("widens fractional-second bounds to whole seconds (floor the start, ceil the end)", () => {
    const { windows } = planListingWindows(new Date("2024-03-14T07:00:00.750Z"), new Date("2024-03-14T08:00:00.250Z"), now);
    expect(windows.map((w) => [w.start.toISOString(), w.end.toISOString()])).toEqual([
      ["2024-03-14T07:00:00.000Z", "2024-03-14T08:00:01.000Z"],
    ]);
  });

  it("yields no window for an empty or inverted range", () => {
    expect(planListingWindows(now, now, now).windows).toEqual([]);
    expect(planListingWindows(now, new Date(now.getTime() - H), now).windows).toEqual([]);
  });

  it("formats times as the documented YYYY-MM-DDTHH:MM:SS in UTC", () => {
    expect(formatApiTime(new Date("2024-03-14T07:00:51.748Z"))).toBe("2024-03-14T07:00:51");
    expect(formatApiTime(new Date("2024-03-14T07:00:51.748+02:00"))).toBe("2024-03-14T05:00:51");
  });
});
