// The whole engine through its handlers (plan, ingest-content, health) in the local Functions host stand-in, against
// the emulator's "standard" fault preset: every fault kind at once. Completeness is measured against ground truth.
import { HttpRequest, InvocationContext } from "@azure/functions";
import { Tables } from "../../kql/tables";
import { runLocalJob } from "../../local/runner/job";
import { InvocationLog } from "../../local/runner/invocation-log";
import { health } from "../../functions/src/handlers/health";
import { MAX_DEQUEUE_COUNT_SETTING } from "../../functions/src/config";
import { closeAuditLake } from "../../functions/src/composition-root";
import { CONTENT_TYPES } from "../../functions/src/management-api";
import type { HealthReport } from "../../functions/src/use-cases/health";
import { twiceInView, viewRows } from "../../local/runner/views";
import { availableRecordIds, seenTwice, startFixture, type Fixture } from "./engine-fixture";

let f: Fixture;

beforeAll(async () => {
  // slow answers after 1.5 s rather than 35 s: still slow (past the 1 s local visibility timeout), without the idle wait.
  // The job runs the real handlers, which read the machine's clock: the emulated week ends when the test starts (and the
  // scenario writes every day of the week, so which day that is does not matter).
  const startedAt = new Date();
  f = await startFixture({ seed: 5, faults: "standard,slow-ms=1500", now: () => startedAt });
}, 120_000);
afterAll(async () => {
  await closeAuditLake();
  await f?.close();
});

test("with every fault kind of the emulator, every available record is in the views exactly once and every lost blob is recorded", async () => {
  const lane = await f.lane(0);
  const log = new InvocationLog();
  const outcome = await runLocalJob({
    settings: { ...lane.settings, [MAX_DEQUEUE_COUNT_SETTING]: "5" },
    log,
    adxIdle: () => f.cloud.adxStore.idle(),
    timeBoundMs: 240_000,
  });
  expect(outcome.stoppedBecause).toBeUndefined();
  expect(outcome.finished).toBe(true);
  expect(outcome.poisoned).toBe(0);

  const audit = await lane.rows(Tables.unifiedAudit);
  expect(twiceInView(Tables.unifiedAudit, audit)).toBe(0);
  expect(twiceInView(Tables.accessMail, await lane.rows(Tables.accessMail))).toBe(0);
  const landed = new Set(viewRows(Tables.unifiedAudit, audit).map((r) => String(r.Id)));
  const available = availableRecordIds(f.cloud, lane.tenantId, CONTENT_TYPES);
  const missing = [...available].filter((id) => !landed.has(id));
  expect(missing).toEqual([]);
  expect(landed.size).toBe(available.size);

  // The records the fault preset destroyed are not silently gone: each lost blob has its row.
  const expired = CONTENT_TYPES.flatMap((ct) => f.cloud.truth.expiredContentIds(lane.tenantId, ct));
  expect(expired.length).toBeGreaterThan(0);
  const errorRows = await lane.rows(Tables.errors);
  for (const id of expired) expect(errorRows).toContainEqual(expect.objectContaining({ ContentId: id, ErrorCode: "AF20051" }));
  const ledger = viewRows(Tables.ledger, await lane.rows(Tables.ledger));
  expect(seenTwice(ledger, (r) => String(r.ContentId))).toEqual([]);
  expect(ledger.filter((r) => r.Status === "expired").length).toBe(expired.length);

  // Health after the run: caught up, nothing pending or failed; the expired blobs are counted.
  const restore = { ...process.env };
  Object.assign(process.env, lane.settings);
  try {
    const res = await health(new HttpRequest({ method: "GET", url: "http://localhost/api/health" }), new InvocationContext());
    const report = res.jsonBody as HealthReport;
    expect(report.tenants).toHaveLength(CONTENT_TYPES.length);
    for (const h of report.tenants) {
      expect(h).toEqual(expect.objectContaining({ pending: 0, failed: 0, expiring: 0 }));
      expect(h.lagMinutes).toBeLessThan(10);
      expect(h.lastPlanSuccessAt).not.toBeNull();
    }
    expect(report.tenants.reduce((n, h) => n + h.expired, 0)).toBe(expired.length);
    expect(report.tenants.some((h) => h.lastIngestedAt !== null)).toBe(true);
    // landed per content type: the blobs ingestion_ledger says were ingested
    for (const h of report.tenants) expect(h.landed).toBe(ledger.filter((r) => r.Status === "ingested" && r.ContentType === h.contentType).length);
  } finally {
    process.env = restore;
  }
}, 300_000);
