import { startEmulatedCloud, type EmulatedCloud } from "../../local/cloud";
import { CONTENT_TYPES } from "../../local/management-api/types";
import { Tables } from "../../kql/tables";
import { viewRows } from "../../local/runner/views";
import { appSettings } from "../../local/runner/app-settings";
import { InvocationLog } from "../../local/runner/invocation-log";
import { runLocalJob, type JobOutcome } from "../../local/runner/job";
import { summarizeJob, type JobSummary } from "../../local/runner/summary";

// The local host runs the real handlers against the emulated cloud with the standard faults (server errors,
// throttling, resets, truncated bodies, late and duplicate listings, expired blobs…) and ADX failing some queued
// ingestions after they were accepted, and still lands every record the emulator made available exactly once.

jest.setTimeout(240_000);

let cloud: EmulatedCloud;
let outcome: JobOutcome;
let summary: JobSummary;

beforeAll(async () => {
  const startedAt = new Date();
  // the emulator's clock stands still, so "available" does not move while the job runs; slow answers come after 1.5 s
  // (still past the local queue's 1 s visibility timeout) rather than 35 s: the same fault, without minutes of idle wait
  cloud = await startEmulatedCloud({ seed: 3, users: 4, faults: "standard,slow-ms=1500", adxFaults: { transient: 0.02 }, now: () => startedAt });
  const log = new InvocationLog();
  outcome = await runLocalJob({
    settings: appSettings({
      storageConnectionString: cloud.storage.connectionString,
      managementApiUrl: cloud.managementApi,
      loginUrl: cloud.login,
      loginCaFile: cloud.ca,
      tenants: cloud.tenants,
      adxIngestUri: cloud.adx,
      sentinel: { endpoint: cloud.logsIngestion, ...cloud.sentinel, caFile: cloud.ca },
    }),
    log,
    adxIdle: () => cloud.adxStore.idle(),
    timeBoundMs: 180_000,
  });
  summary = summarizeJob({
    tenants: cloud.tenants,
    contentTypes: CONTENT_TYPES,
    rows: (db, table) => cloud.adxStore.rows(db, table),
    truth: cloud.truth,
    job: outcome,
    poisonMessages: 0,
  });
});

afterAll(async () => {
  await cloud?.close();
});

test("the job finishes: the planner finds nothing new, the queue drains and ADX settles within the time bound", () => {
  expect(outcome.stoppedBecause).toBeUndefined();
  expect(outcome.finished).toBe(true);
  expect(outcome.blobsEnqueued).toBeGreaterThan(0);
});

test("every record the emulator made available landed in microsoft_unified_audit", () => {
  const tenant = cloud.tenants[0];
  const landed = new Set(cloud.adxStore.rows(tenant.database, Tables.unifiedAudit).map((r) => r.Id as string));
  for (const contentType of CONTENT_TYPES) {
    const missing = [...cloud.truth.availableRecordIds(tenant.tenantId, contentType)].filter((id) => !landed.has(id));
    expect({ contentType, missing }).toEqual({ contentType, missing: [] });
  }
  expect(summary.completeness).toBe(1);
});

test("no record twice in the _dedup views, though the API answered with faults and ADX failed ingestions it had accepted", () => {
  const tenant = cloud.tenants[0];
  const rows = cloud.adxStore.rows(tenant.database, Tables.unifiedAudit);
  const inView = viewRows(Tables.unifiedAudit, rows).map((r) => String(r.Id));
  expect(inView.length - new Set(inView).size).toBe(0);
  const mail = viewRows(Tables.accessMail, cloud.adxStore.rows(tenant.database, Tables.accessMail)).map((r) => [r.RecordId, r.FolderPath, r.ItemId, r.InternetMessageId].join("|"));
  expect(mail.length - new Set(mail).size).toBe(0);
  const ledger = viewRows(Tables.ledger, cloud.adxStore.rows(tenant.database, Tables.ledger)).map((r) => r.ContentId as string);
  expect(ledger.length - new Set(ledger).size).toBe(0);
  expect(summary.recordsTwiceInViews).toBe(0);
  // The raw tables are at least once: the figure is reported, whatever it is.
  expect(Object.keys(summary.rawDuplicateRowsByTable).sort()).toEqual(Object.values(Tables).sort());
  const byStatus = cloud.truth.requests(tenant.tenantId).byStatus;
  const faulted = Object.entries(byStatus).filter(([status]) => status !== "200" && status !== "204").reduce((n, [, c]) => n + c, 0);
  expect(faulted).toBeGreaterThan(0);
  expect(cloud.adxStore.counters.injectedTransient).toBeGreaterThan(0); // ADX failed some accepted ingestions later
});

test("Microsoft's cross-blob duplicates (and replays) are counted as what the audit view removes", () => {
  const tenant = cloud.tenants[0];
  const rows = cloud.adxStore.rows(tenant.database, Tables.unifiedAudit);
  expect(summary.duplicatesRemoved).toBe(rows.length - new Set(rows.map((r) => r.Id)).size);
});

test("the incident's scope from the ingested rows claims nothing the ground truth does not, and misses only what expired", () => {
  const tenantId = cloud.tenants[0].tenantId;
  const incident = summary.incident!;
  expect(incident).not.toBeNull();
  for (const part of [incident.messagesRead, incident.foldersSynced, incident.throttled, incident.attackerSessions]) {
    expect(part.unexpected).toEqual([]);
  }
  // The "expired" fault loses whole blobs (their records are gone for any collector); anything missing must be theirs.
  const missing = incident.messagesRead.missing.length + incident.foldersSynced.missing.length + incident.throttled.missing.length + incident.footprint.missing.length;
  const expired = CONTENT_TYPES.flatMap((ct) => cloud.truth.expiredContentIds(tenantId, ct)).length;
  if (missing > 0) expect(expired).toBeGreaterThan(0);
  // a lost removal leaves its persistence looking active: the footprint may differ only when blobs expired
  if (incident.footprint.unexpected.length > 0) expect(expired).toBeGreaterThan(0);
  expect(incident.matchesGroundTruth).toBe(missing === 0);
});

test("blobs the emulator expired are quarantined in ingestion_errors with AF20051, not dropped silently", () => {
  const tenant = cloud.tenants[0];
  const expired = CONTENT_TYPES.flatMap((ct) => cloud.truth.expiredContentIds(tenant.tenantId, ct)).sort();
  const recorded = cloud.adxStore
    .rows(tenant.database, Tables.errors)
    .filter((r) => r.ErrorCode === "AF20051")
    .map((r) => r.ContentId as string)
    .sort();
  expect(recorded).toEqual(expired);
  expect(summary.quarantinedByCode.AF20051 ?? 0).toBe(expired.length);
});
