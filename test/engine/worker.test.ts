// The worker against the emulated cloud: content blobs from the Management API emulator into the ADX emulator, with
// crashes, expired and oversized content, and a contentUri pointing at a foreign server.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Tables } from "../../kql/tables";
import { twiceInView, viewRows } from "../../local/runner/views";
import { availableRecordIds, seenTwice, startFixture, type Fixture } from "./engine-fixture";

let f: Fixture;

beforeAll(async () => {
  // One blob in ten is listed but answers AF20051 when fetched: the only fault that loses records.
  f = await startFixture({ seed: 11, tenants: 5, faults: "expired=0.1" });
}, 120_000);
afterAll(async () => {
  await f?.close();
});

const idKey = (r: Record<string, unknown>) => `${r.ContentId}|${r.Id}`;

test("a crash between ADX ingestion and the ledger update replays the message: the raw tables hold its rows twice, the views once", async () => {
  const lane = await f.lane(0, {}, { contentTypes: ["Audit.Exchange"] });
  const crashedOnce = new Set<string>();
  const crashedBlobs = new Set<string>();
  const engine = lane.engine({
    onWorkerStep: (s) => {
      // Rows and the ingestion_ledger rows are in ADX; the process dies before the ledger entities say "ingested".
      if (s.step === "ledger-row-ingested" && !crashedOnce.has(s.contentIds[0])) {
        crashedOnce.add(s.contentIds[0]);
        for (const id of s.contentIds) crashedBlobs.add(id);
        throw new Error("process killed after ADX ingestion");
      }
    },
  });
  await lane.planUntilQuiet(engine);
  const stats = await lane.drain(engine);
  expect(crashedBlobs.size).toBeGreaterThan(50);
  expect(crashedOnce.size).toBeLessThan(crashedBlobs.size); // several blobs per message
  expect(stats.failedAttempts).toBe(crashedOnce.size);
  expect(stats.poisoned).toBe(0);

  const audit = await lane.rows(Tables.unifiedAudit);
  // At least once below the views: the replayed messages' rows are in the raw table twice...
  expect(seenTwice(audit, idKey).length).toBeGreaterThan(0);
  // ...and exactly once where people read.
  expect(twiceInView(Tables.unifiedAudit, audit)).toBe(0);
  expect(new Set(viewRows(Tables.unifiedAudit, audit).map((r) => String(r.Id)))).toEqual(availableRecordIds(f.cloud, lane.tenantId, ["Audit.Exchange"]));
  const mail = await lane.rows(Tables.accessMail);
  expect(mail.length).toBeGreaterThan(0);
  expect(twiceInView(Tables.accessMail, mail)).toBe(0);
  const ledgerRows = viewRows(Tables.ledger, await lane.rows(Tables.ledger));
  // One row per blob in the view (the raw table has the crashed messages' rows twice); expired blobs (the lane's fault) say so.
  expect(new Set(ledgerRows.map((r) => String(r.ContentId)))).toEqual(crashedBlobs);
  expect(ledgerRows.length).toBe(crashedBlobs.size);
  expect(ledgerRows.filter((r) => r.Status !== "ingested").every((r) => r.Status === "expired")).toBe(true);

  // The retry found the blobs unfinished and sent them again: every blob's ledger entry is ingested on its second attempt.
  for (const row of ledgerRows.filter((r) => r.Status === "ingested").slice(0, 5)) {
    const id = String(row.ContentId);
    const entry = await engine.ledger.get({ tenantId: lane.tenantId, contentType: String(row.ContentType), contentId: id, contentCreated: String(row.ContentCreated) });
    expect(entry).toEqual(expect.objectContaining({ state: "ingested", attempts: 2 }));
  }
}, 240_000);

test("expired content is recorded in the ledger, in ingestion_errors and in the error log, and everything else lands", async () => {
  const types = ["Audit.AzureActiveDirectory", "Audit.General", "DLP.All"];
  const lane = await f.lane(1, {}, { contentTypes: types });
  const engine = lane.engine();
  await lane.planUntilQuiet(engine);
  const stats = await lane.drain(engine);
  expect(stats.poisoned).toBe(0);

  const expired = types.flatMap((ct) => f.cloud.truth.expiredContentIds(lane.tenantId, ct));
  expect(expired.length).toBeGreaterThan(0);
  const errors = await lane.rows(Tables.errors);
  const expiredRows = errors.filter((r) => r.ErrorCode === "AF20051");
  expect(expiredRows.map((r) => String(r.ContentId)).sort()).toEqual([...expired].sort());
  expect(expiredRows.every((r) => r.Stage === "fetch" && /expired/i.test(String(r.Reason)))).toBe(true);
  expect((await lane.rows(Tables.ledger)).filter((r) => r.Status === "expired").length).toBe(expired.length);
  const expiredLines = lane.logs.lines.filter((l) => l.level === "error" && l.fields.outcome === "expired");
  expect(expiredLines.map((l) => l.fields.contentId).sort()).toEqual([...expired].sort());
  expect(expiredLines.every((l) => l.fields.code === "AF20051" && l.fields.stage === "fetch" && l.fields.tenant === lane.tenantId)).toBe(true);
  expect(expiredLines.every((l) => /content expired before it was fetched \[AF20051\]/.test(l.message))).toBe(true);

  const audit = await lane.rows(Tables.unifiedAudit);
  expect(seenTwice(audit, idKey)).toEqual([]);
  expect(new Set(audit.map((r) => String(r.Id)))).toEqual(availableRecordIds(f.cloud, lane.tenantId, types));
}, 240_000);

test("a contentUri on a foreign host is refused: the foreign server receives nothing and the blob is quarantined", async () => {
  const lane = await f.lane(2, {}, { contentTypes: ["Audit.General"] });
  const received: IncomingMessage[] = [];
  const foreign: Server = createServer((req, res) => {
    received.push(req);
    res.end("[]");
  });
  await new Promise<void>((r) => foreign.listen(0, "127.0.0.1", r));
  try {
    const foreignUri = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}/api/v1.0/${lane.tenantId}/activity/feed/audit/stolen`;
    const engine = lane.engine();
    const created = new Date(f.now().getTime() - 3600_000);
    const hostile = {
      tenantId: lane.tenantId,
      contentType: "Audit.General",
      contentId: "20240314070051748005825$hostile$audit_general$Audit_General$emea0036",
      contentUri: foreignUri,
      contentCreated: created.toISOString(),
      contentExpiration: new Date(created.getTime() + 7 * 86400_000).toISOString(),
    };
    expect(await engine.intake.admit(hostile, "listing")).toBe("enqueued");
    const stats = await lane.drain(engine);
    // Permanent: quarantined on the first attempt, no retries burnt.
    expect(stats.failedAttempts).toBe(0);
    expect(received).toHaveLength(0);

    expect(await engine.ledger.get(hostile)).toEqual(expect.objectContaining({ state: "failed", lastErrorCode: "HostNotAllowed", attempts: 1 }));
    const errors = (await lane.rows(Tables.errors)).filter((r) => r.ContentId === hostile.contentId);
    expect(errors).toEqual([expect.objectContaining({ Stage: "fetch", ErrorCode: "HostNotAllowed" })]);
    expect(lane.logs.lines).toContainEqual(
      expect.objectContaining({ level: "error", fields: expect.objectContaining({ contentId: hostile.contentId, outcome: "quarantined", code: "HostNotAllowed", attempt: 1 }) }),
    );
  } finally {
    await new Promise((r) => foreign.close(r));
  }
}, 240_000);

test("an oversized blob is refused with a clear error while every other blob lands", async () => {
  const lane = await f.lane(3, {}, { contentTypes: ["Audit.General"] });
  // Measure every blob through the real client, then cap just below the largest.
  const probe = lane.engine();
  const client = probe.tenants.get(lane.tenantId)!.client;
  const sizes = new Map<string, { bytes: number; recordIds: string[] }>();
  const expiredIds = new Set(f.cloud.truth.expiredContentIds(lane.tenantId, "Audit.General"));
  for await (const b of client.listContent("Audit.General", new Date(f.now().getTime() - 7 * 86400_000 + 600_000), f.now())) {
    if (expiredIds.has(b.contentId) || sizes.has(b.contentId)) continue;
    const { records, bytes } = await client.fetchContent(b.contentUri);
    sizes.set(b.contentId, { bytes, recordIds: records.map((r) => String((r as { Id: string }).Id)) });
  }
  const cap = Math.max(...[...sizes.values()].map((s) => s.bytes)) - 1;
  const refused = [...sizes].filter(([, s]) => s.bytes > cap).map(([id]) => id);
  expect(refused.length).toBeGreaterThan(0);

  // The emulated blobs are a few KB, smaller than a listing page: plan with the default cap, ingest with the small one.
  await lane.planUntilQuiet(probe);
  const engine = lane.engine({ config: { maxBlobBytes: cap } });
  const stats = await lane.drain(engine);
  expect(stats.failedAttempts).toBe(0);

  const errors = (await lane.rows(Tables.errors)).filter((r) => r.ErrorCode === "BlobTooLarge");
  expect(errors.map((r) => String(r.ContentId)).sort()).toEqual([...refused].sort());
  expect(String(errors[0].Reason)).toMatch(/MAX_BLOB_BYTES|larger than|exceeds/i);

  const landed = new Set((await lane.rows(Tables.unifiedAudit)).map((r) => String(r.Id)));
  const expected = new Set([...sizes].filter(([id]) => !refused.includes(id)).flatMap(([, s]) => s.recordIds));
  expect(landed).toEqual(expected);
}, 240_000);

test("with Sentinel configured for a forwarding tenant, every mail-access row landed in ADX is also sent to the Logs Ingestion API", async () => {
  const lane = await f.lane(
    4,
    {
      SENTINEL_DCE_URI: f.cloud.logsIngestion,
      SENTINEL_DCR_ID: f.cloud.sentinel.dcrImmutableId,
      SENTINEL_STREAM: f.cloud.sentinel.streamName,
      SENTINEL_CA_FILE: f.cloud.ca,
    },
    { contentTypes: ["Audit.Exchange"], forwardMailAccess: true },
  );
  const engine = lane.engine();
  await lane.planUntilQuiet(engine);
  const stats = await lane.drain(engine);
  expect(stats.failedAttempts).toBe(0);

  const inAdx = await lane.rows(Tables.accessMail);
  const inSentinel = f.cloud.logsStore.rows(f.cloud.sentinel.streamName) as Record<string, unknown>[];
  expect(inAdx.length).toBeGreaterThan(0);
  const key = (r: Record<string, unknown>) => `${r.RecordId}|${r.InternetMessageId}|${r.FolderPath}`;
  expect(inSentinel.map(key).sort()).toEqual(inAdx.map(key).sort());
}, 240_000);
