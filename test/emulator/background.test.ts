import { buildTenantScenario } from "../../local/management-api/scenario/index";
import { CONTENT_TYPES, type ContentTypeName } from "../../local/management-api/types";

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Monday 00:05 UTC: the week before it ends on a whole weekend. */
const MONDAY_0005 = Date.UTC(2026, 11, 7, 0, 5, 0);

function recordTimes(users: number, anchorMs: number): Record<ContentTypeName, number[]> {
  const scenario = buildTenantScenario({ seed: 3, index: 1, users, anchorMs, multiTenantApp: false });
  const out = {} as Record<ContentTypeName, number[]>;
  for (const ct of CONTENT_TYPES) {
    out[ct] = scenario.blobs[ct].flatMap((b) => b.records.map((r) => Date.parse(`${JSON.parse(r).CreationTime}Z`))).sort((a, b) => a - b);
  }
  return out;
}

describe("the emulated tenant's weekends", () => {
  const times = recordTimes(3, MONDAY_0005);

  test("every content type of a tenant with three users has records on every day of the week, Saturday and Sunday included", () => {
    const missing: string[] = [];
    for (const ct of CONTENT_TYPES) {
      for (let day = MONDAY_0005 - 7 * DAY; day + DAY <= MONDAY_0005; day += DAY) {
        if (!times[ct].some((t) => t >= day && t < day + DAY)) missing.push(`${ct} ${new Date(day).toISOString()}`);
      }
    }
    expect(missing).toEqual([]);
  });

  test("no six-hour stretch of the weekend is silent in the content types published at least hourly", () => {
    const silent: string[] = [];
    for (const ct of CONTENT_TYPES.filter((c) => c !== "DLP.All")) {
      for (let from = MONDAY_0005 - 2 * DAY; from + 6 * HOUR <= MONDAY_0005; from += HOUR) {
        if (!times[ct].some((t) => t >= from && t < from + 6 * HOUR)) silent.push(`${ct} ${new Date(from).toISOString()}`);
      }
    }
    expect(silent).toEqual([]);
  });

  test("people still work less at the weekend: a weekday holds clearly more records than a Sunday", () => {
    const busy = recordTimes(12, MONDAY_0005);
    const on = (day: number) => CONTENT_TYPES.reduce((n, ct) => n + busy[ct].filter((t) => t >= day && t < day + DAY).length, 0);
    const wednesday = MONDAY_0005 - 5 * DAY - 5 * 60_000;
    const sunday = MONDAY_0005 - DAY - 5 * 60_000;
    expect(new Date(wednesday).getUTCDay()).toBe(3);
    expect(new Date(sunday).getUTCDay()).toBe(0);
    expect(on(wednesday)).toBeGreaterThan(2 * on(sunday));
  });
});
