// How a back-fill period is cut into Graph queries, and which content type a back-filled record's rows carry.
import { INTERVAL_MS, splitIntervals } from "../../functions/src/backfill/intervals";
import { contentTypeOfRecord } from "../../functions/src/backfill/record-content-type";

test("a period becomes consecutive one-day intervals from its start, the last one cut at its end, none overlapping or missing", () => {
  const from = new Date("2026-08-01T06:30:00Z");
  const to = new Date("2026-08-04T00:00:00Z");
  const ivs = splitIntervals("job", from, to);
  expect(ivs.map((i) => [i.from.toISOString(), i.to.toISOString()])).toEqual([
    ["2026-08-01T06:30:00.000Z", "2026-08-02T06:30:00.000Z"],
    ["2026-08-02T06:30:00.000Z", "2026-08-03T06:30:00.000Z"],
    ["2026-08-03T06:30:00.000Z", "2026-08-04T00:00:00.000Z"],
  ]);
  expect(ivs.map((i) => i.index)).toEqual([0, 1, 2]);
  expect(ivs.every((i) => i.state === "pending" && i.attempts === 0 && i.fetched === 0)).toBe(true);
  expect(INTERVAL_MS).toBe(86_400_000);
  expect(splitIntervals("job", new Date(0), new Date(90 * INTERVAL_MS))).toHaveLength(90);
  expect(splitIntervals("job", new Date(0), new Date(1))).toHaveLength(1);
});

test("a back-filled record's rows carry the content type the live feed would have given it", () => {
  expect(contentTypeOfRecord({ RecordType: 50, Workload: "Exchange" })).toBe("Audit.Exchange");
  expect(contentTypeOfRecord({ RecordType: 6, Workload: "OneDrive" })).toBe("Audit.SharePoint");
  expect(contentTypeOfRecord({ RecordType: 15, Workload: "AzureActiveDirectory" })).toBe("Audit.AzureActiveDirectory");
  expect(contentTypeOfRecord({ RecordType: 13, Workload: "Exchange" })).toBe("DLP.All");
  expect(contentTypeOfRecord({ RecordType: 25, Workload: "MicrosoftTeams" })).toBe("Audit.General");
});
