// A queue message whose rows pass the part budget lands in parts of whole blobs: more than one ingestion per table per
// message, each part's blobs finished in the ledger before the next part, every record once in the views, and a part
// that fails leaves the parts before it landed (the retry skips them).
import { Tables } from "../../kql/tables";
import { twiceInView, viewRows } from "../../local/runner/views";
import { availableContentIds, availableRecordIds, seenTwice, startFixture, type Fixture, type Lane } from "./engine-fixture";
import type { Engine } from "../../functions/src/use-cases/engine";
import { parseContentMessage } from "../../functions/src/state/content-queue";

let f: Fixture;

beforeAll(async () => {
  f = await startFixture({ seed: 23, tenants: 3, faults: "none" });
}, 120_000);
afterAll(async () => {
  await f?.close();
});

const TYPES = ["Audit.Exchange"];
// The emulated blobs are a few KB: a 4 KB budget makes a part of one to a few blobs.
const SMALL_PART = 4 * 1024;

/** Ingestions ADX accepted for the table, once its queue is idle: counted earlier, the last parts may still be queued. */
async function ingestions(lane: Lane, table: string): Promise<number> {
  await f.cloud.adxStore.idle();
  return f.cloud.adxStore.tableFigures().find((t) => t.database === lane.database && t.table === table)?.ingestions ?? 0;
}

async function everyRecordOnce(lane: Lane, engine: Engine): Promise<void> {
  const audit = await lane.rows(Tables.unifiedAudit);
  expect(seenTwice(audit, (r) => `${r.ContentId}|${r.Id}`)).toEqual([]);
  expect(twiceInView(Tables.unifiedAudit, audit)).toBe(0);
  expect(new Set(viewRows(Tables.unifiedAudit, audit).map((r) => String(r.Id)))).toEqual(availableRecordIds(f.cloud, lane.tenantId, TYPES));
  const mail = await lane.rows(Tables.accessMail);
  expect(mail.length).toBeGreaterThan(0);
  expect(twiceInView(Tables.accessMail, mail)).toBe(0);
  const ledgerRows = viewRows(Tables.ledger, await lane.rows(Tables.ledger));
  expect(ledgerRows.map((r) => String(r.ContentId)).sort()).toEqual(availableContentIds(f.cloud, lane.tenantId, TYPES).sort());
  expect(ledgerRows.every((r) => r.Status === "ingested")).toBe(true);
  const first = ledgerRows[0];
  const entry = await engine.ledger.get({ tenantId: lane.tenantId, contentType: String(first.ContentType), contentId: String(first.ContentId), contentCreated: String(first.ContentCreated) });
  expect(entry?.state).toBe("ingested");
}

test("under the default budget a message's rows land in one ingestion per table", async () => {
  const lane = await f.lane(0, {}, { contentTypes: TYPES });
  const engine = lane.engine();
  await lane.planUntilQuiet(engine);
  const stats = await lane.drain(engine);
  expect(stats.failedAttempts).toBe(0);
  expect(stats.succeeded).toBeGreaterThan(1);
  expect(await ingestions(lane, Tables.unifiedAudit)).toBe(stats.succeeded);
  expect(await ingestions(lane, Tables.accessMail)).toBeLessThanOrEqual(stats.succeeded);
  await everyRecordOnce(lane, engine);
}, 240_000);

test("a message over the part budget lands in parts of whole blobs, each landed once, and every record lands", async () => {
  const lane = await f.lane(1, {}, { contentTypes: TYPES });
  const parts: string[][] = [];
  const engine = lane.engine({
    config: { messagePartBytes: SMALL_PART },
    onWorkerStep: (s) => {
      if (s.step === "rows-ingested") parts.push(s.contentIds);
    },
  });
  await lane.planUntilQuiet(engine);
  const stats = await lane.drain(engine);
  expect(stats.failedAttempts).toBe(0);
  expect(stats.poisoned).toBe(0);

  // More than one ingestion per table per message: one per part.
  expect(parts.length).toBeGreaterThan(stats.succeeded);
  expect(await ingestions(lane, Tables.unifiedAudit)).toBe(parts.length);
  expect(await ingestions(lane, Tables.ledger)).toBe(parts.length);
  // Each blob in exactly one part.
  const blobs = parts.flat();
  expect(seenTwice(blobs, (id) => id)).toEqual([]);
  expect(blobs.sort()).toEqual(availableContentIds(f.cloud, lane.tenantId, TYPES).sort());
  await everyRecordOnce(lane, engine);
}, 240_000);

test("a part that fails leaves the parts before it landed: the retry lands only the rest, and nothing twice", async () => {
  const lane = await f.lane(2, {}, { contentTypes: TYPES });
  let crashAt: number | undefined = 2;
  const parts: string[][] = [];
  const engine = lane.engine({
    config: { messagePartBytes: SMALL_PART },
    onWorkerStep: (s) => {
      if (s.step !== "rows-ingested") return;
      // The message's second part dies after its rows reached ADX, before its ledger rows and entries.
      if (parts.length + 1 === crashAt) {
        crashAt = undefined;
        throw new Error("process killed after a part's rows reached ADX");
      }
      parts.push(s.contentIds);
    },
  });
  await lane.planUntilQuiet(engine);
  // One message, delivered by hand: first attempt, then the retry the queue would make.
  const received = await lane.queue.receiveMessages({ numberOfMessages: 1, visibilityTimeout: 300 });
  const msg = parseContentMessage(received.receivedMessageItems[0].messageText);
  expect(msg.blobs.length).toBeGreaterThan(3);
  const ids = msg.blobs.map((b) => b.contentId);

  await expect(engine.worker.ingest(msg, 1, lane.log)).rejects.toThrow("process killed");
  expect(parts).toHaveLength(1);
  const [firstPart] = parts;
  expect(firstPart.length).toBeLessThan(ids.length);
  const entries = await engine.ledger.getMany(msg.blobs);
  expect(ids.filter((id) => entries.get(id)?.state === "ingested").sort()).toEqual([...firstPart].sort());

  const outcomes = await engine.worker.ingest(msg, 2, lane.log);
  // The retry skips the part that landed and lands every other blob.
  expect(outcomes.filter((o) => o.status === "skipped").map((o) => o.contentId).sort()).toEqual([...firstPart].sort());
  expect(outcomes.filter((o) => o.status === "ingested").map((o) => o.contentId).sort()).toEqual(ids.filter((id) => !firstPart.includes(id)).sort());
  const after = await engine.ledger.getMany(msg.blobs);
  for (const id of ids) expect(after.get(id)).toEqual(expect.objectContaining({ state: "ingested", attempts: firstPart.includes(id) ? 1 : 2 }));

  // Every record of the message's blobs landed; only the crashed attempt's rows are twice in the raw table, never in the views.
  const expected = new Set(f.cloud.truth.availableBlobs(lane.tenantId, TYPES[0]).filter((b) => ids.includes(b.contentId)).flatMap((b) => b.recordIds));
  const audit = await lane.rows(Tables.unifiedAudit);
  expect(new Set(audit.map((r) => String(r.Id)))).toEqual(expected);
  const twice = new Set(seenTwice(audit, (r) => `${r.ContentId}|${r.Id}`).map((k) => k.split("|")[0]));
  expect(twice.size).toBeGreaterThan(0);
  expect([...twice].some((id) => firstPart.includes(id))).toBe(false);
  expect(twiceInView(Tables.unifiedAudit, audit)).toBe(0);
}, 240_000);
