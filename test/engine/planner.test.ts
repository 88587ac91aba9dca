// The planner against the emulated Management Activity API and Azurite: what it enqueues, when it checkpoints,
// and what a crash or a race at each point leaves behind.
import { InvocationContext } from "@azure/functions";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { plan } from "../../functions/src/handlers/plan";
import { closeAuditLake } from "../../functions/src/composition-root";
import { CONTENT_TYPES } from "../../functions/src/management-api";
import { healthReport } from "../../functions/src/use-cases/health";
import { availableContentIds, seenTwice, startFixture, takeAll, type Fixture } from "./engine-fixture";

let f: Fixture;
const AUDIT_OFF = 5;

beforeAll(async () => {
  f = await startFixture({ seed: 7, tenants: 6, auditLoggingDisabledTenants: [AUDIT_OFF] });
}, 120_000);
afterAll(async () => {
  await closeAuditLake();
  await f?.close();
});

const sorted = (ids: string[]) => [...ids].sort();
jest.setTimeout(180_000);

test("the first run back-fills the whole 7 days: every available blob is enqueued exactly once, then the checkpoint advances", async () => {
  const lane = await f.lane(0);
  const engine = lane.engine();
  const [first] = await lane.planUntilQuiet(engine, 1);
  expect(first.every((r) => r.window?.firstRun && !r.error)).toBe(true);

  const messages = await takeAll(lane.queue);
  const expected = availableContentIds(f.cloud, lane.tenantId, CONTENT_TYPES);
  expect(expected.length).toBeGreaterThan(20);
  expect(seenTwice(messages, (m) => m.contentId)).toEqual([]);
  expect(sorted(messages.map((m) => m.contentId))).toEqual(sorted(expected));

  for (const r of first) {
    const cp = await engine.checkpoints.read(lane.tenantId, r.contentType);
    expect(cp.listedThrough?.toISOString()).toBe(r.window!.end);
    expect(r.checkpoint).toBe("advanced");
  }

  // The next run re-lists (sweep and overlap) but finds everything in the ledger: nothing is enqueued again.
  const second = await engine.planner.run(lane.log);
  expect(second.map((r) => r.enqueued).reduce((a, b) => a + b)).toBe(0);
  expect(second.map((r) => r.known).reduce((a, b) => a + b)).toBe(expected.length);
  expect(await takeAll(lane.queue)).toEqual([]);
});

test("two planners racing never enqueue a blob twice nor move a checkpoint back", async () => {
  const lane = await f.lane(1);
  const a = lane.engine();
  const b = lane.engine();
  const [ra, rb] = await Promise.all([a.planner.run(lane.log), b.planner.run(lane.log)]);
  expect([...ra, ...rb].filter((r) => r.error)).toEqual([]);

  const messages = await takeAll(lane.queue);
  const expected = availableContentIds(f.cloud, lane.tenantId, CONTENT_TYPES);
  expect(seenTwice(messages, (m) => m.contentId)).toEqual([]);
  expect(sorted(messages.map((m) => m.contentId))).toEqual(sorted(expected));
  // Both planners listed everything; between them each blob was enqueued once.
  const enqueued = [...ra, ...rb].reduce((n, r) => n + r.enqueued, 0);
  expect(enqueued).toBe(expected.length);
  expect(ra.reduce((n, r) => n + r.listed, 0)).toBe(expected.length);
  expect(rb.reduce((n, r) => n + r.listed, 0)).toBe(expected.length);

  for (const contentType of CONTENT_TYPES) {
    const ends = [...ra, ...rb].filter((r) => r.contentType === contentType).map((r) => r.window!.end);
    const cp = await a.checkpoints.read(lane.tenantId, contentType);
    expect(cp.listedThrough?.toISOString()).toBe(sorted(ends)[1]);
  }
});

test("a crash between enqueue and checkpoint replays the window: nothing enqueued twice, nothing lost", async () => {
  const lane = await f.lane(2);
  let enqueuedBeforeCrash = 0;
  const crashing = lane.engine({
    onPlannerStep: (s) => {
      // Exchange: every blob enqueued, then the process dies before the checkpoint is written.
      if (s.step === "listed" && s.contentType === "Audit.Exchange") throw new Error("process killed before checkpoint");
      // SharePoint: the process dies half-way through enqueueing.
      if (s.step === "enqueued" && s.contentType === "Audit.SharePoint" && ++enqueuedBeforeCrash === 5) throw new Error("process killed mid-way");
    },
  });
  const crashed = await crashing.planner.run(lane.log);
  expect(crashed.filter((r) => r.error).map((r) => r.contentType).sort()).toEqual(["Audit.Exchange", "Audit.SharePoint"]);
  for (const contentType of ["Audit.Exchange", "Audit.SharePoint"]) {
    expect((await crashing.checkpoints.read(lane.tenantId, contentType)).listedThrough).toBeUndefined();
  }

  const restarted = lane.engine();
  const runs = await lane.planUntilQuiet(restarted);
  expect(runs[0].find((r) => r.contentType === "Audit.Exchange")!.enqueued).toBe(0);

  const messages = await takeAll(lane.queue);
  const expected = availableContentIds(f.cloud, lane.tenantId, CONTENT_TYPES);
  expect(seenTwice(messages, (m) => m.contentId)).toEqual([]);
  expect(sorted(messages.map((m) => m.contentId))).toEqual(sorted(expected));
  for (const contentType of CONTENT_TYPES) expect((await restarted.checkpoints.read(lane.tenantId, contentType)).listedThrough).toBeDefined();
});

test("blobs claimed in the ledger while the queue was down are re-enqueued once the claim is stale", async () => {
  const lane = await f.lane(3);
  // Table storage up, queue service refusing every request: claims succeed, every enqueue fails.
  const refusing = createServer((_req, res) => res.writeHead(403).end());
  await new Promise<void>((r) => refusing.listen(0, "127.0.0.1", r));
  try {
    const port = (refusing.address() as AddressInfo).port;
    const queueDown = lane.settings.AzureWebJobsStorage.replace(/QueueEndpoint=[^;]+/, `QueueEndpoint=http://127.0.0.1:${port}/devstoreaccount1`);
    const outage = lane.engine({ settings: { AzureWebJobsStorage: queueDown } });
    const failed = await outage.planner.run(lane.log);
    expect(failed.every((r) => r.error && r.checkpoint === undefined)).toBe(true);
  } finally {
    await new Promise((r) => refusing.close(r));
  }

  // Eleven minutes later (past the 10-minute staleness) a healthy planner runs.
  const later = lane.engine({ now: () => new Date(f.now().getTime() + 11 * 60_000) });
  const runs = await lane.planUntilQuiet(later);
  expect(runs[0].reduce((n, r) => n + r.reenqueued, 0)).toBeGreaterThan(0);
  expect(lane.logs.warn.some((l) => /re-enqueued .* never queued/.test(l))).toBe(true);
  expect(lane.logs.lines).toContainEqual(expect.objectContaining({ level: "warn", fields: expect.objectContaining({ tenant: lane.tenantId, stage: "intake", outcome: "reenqueued" }) }));

  const messages = await takeAll(lane.queue);
  const expected = availableContentIds(f.cloud, lane.tenantId, CONTENT_TYPES);
  expect(seenTwice(messages, (m) => m.contentId)).toEqual([]);
  expect(sorted(messages.map((m) => m.contentId))).toEqual(sorted(expected));
});

test("audit logging switched off fails the run with a message that says how to turn it on", async () => {
  const lane = await f.lane(AUDIT_OFF);
  const restore = { ...process.env };
  Object.assign(process.env, lane.settings);
  try {
    const context = new InvocationContext({ functionName: "plan" });
    const timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: "", next: "", lastUpdated: "" } };
    const run = plan(timer, context);
    await expect(run).rejects.toThrow(/Planning failed for 5 tenant × content type pair/);
    await expect(run).rejects.toThrow(/\[AuditLoggingDisabled\] .*unified audit logging is off for tenant .*Turn it on in Microsoft Purview/);
  } finally {
    process.env = restore;
  }
  const engine = lane.engine();
  const cp = await engine.checkpoints.read(lane.tenantId, "Audit.Exchange");
  expect(cp.listedThrough).toBeUndefined();
  expect(cp.lastError).toMatch(/AuditLoggingDisabled/);
  expect(await takeAll(lane.queue)).toEqual([]);
});

test("content still waiting a day before it expires raises an error-level alert and makes health unhealthy", async () => {
  const lane = await f.lane(4, {}, { contentTypes: ["Audit.General"] });
  // Listed six and a half days ago, two hours before this run, and never ingested (say the worker kept failing).
  const created = new Date(f.now().getTime() - (6 * 24 + 12) * 3600_000);
  const stuck = {
    tenantId: lane.tenantId,
    contentType: "Audit.General",
    contentId: "20240314070051748005825$stuck$audit_general$Audit_General$emea0036",
    contentUri: `${f.cloud.managementApi}/api/v1.0/${lane.tenantId}/activity/feed/audit/stuck`,
    contentCreated: created.toISOString(),
    contentExpiration: new Date(created.getTime() + 7 * 86400_000).toISOString(),
  };
  const twoHoursAgo = lane.engine({ now: () => new Date(f.now().getTime() - 2 * 3600_000) });
  expect(await twoHoursAgo.intake.admit(stuck, "listing")).toBe("enqueued");

  const engine = lane.engine();
  const [result] = await engine.planner.run(lane.log);
  const alerts = lane.logs.error.filter((l) => /is still queued and expires in/.test(l));
  expect(alerts).toContainEqual(expect.stringMatching(/content .*\$stuck\$.* is still queued and expires in 720 min/));
  expect(lane.logs.lines).toContainEqual(
    expect.objectContaining({ level: "error", fields: expect.objectContaining({ contentId: stuck.contentId, stage: "expiry-watch", outcome: "expiring", minutesLeft: 720 }) }),
  );
  // Blobs this run back-filled are not alarms yet, unless under two hours of life are left.
  for (const line of alerts.filter((l) => !l.includes("$stuck$"))) expect(Number(/expires in (\d+) min/.exec(line)![1])).toBeLessThan(120);
  expect(result.expiring).toBe(alerts.length);

  const report = await healthReport({ tenants: engine.config.tenants, checkpoints: engine.checkpoints, ledger: engine.ledger }, f.now());
  expect(report.status).toBe("unhealthy");
  expect(report.tenants).toEqual([
    expect.objectContaining({ contentType: "Audit.General", expiring: alerts.length, pending: result.enqueued + 1, failed: 0, lagMinutes: 0, status: "unhealthy" }),
  ]);
  expect(report.tenants[0].problems).toContainEqual(expect.stringMatching(/blob\(s\) not ingested within a day of expiring/));
});
