// Checkpoints and the content ledger in Azure Table storage (Azurite), through the real @azure/data-tables client.
import { TableClient } from "@azure/data-tables";
import { startAzurite, type Azurite } from "../../local/azurite";
import { CheckpointStore } from "../../functions/src/state/checkpoints";
import { ContentLedger, type ContentRef } from "../../functions/src/state/content-ledger";
import { decodeKeyPart, encodeKeyPart } from "../../functions/src/state/entity-keys";

let azurite: Azurite;
let n = 0;
const table = (prefix: string) => TableClient.fromConnectionString(azurite.connectionString, `${prefix}${++n}`, { allowInsecureConnection: true });

beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const TENANT = "2f0c1a9e-7d41-4c8b-9e3f-5a6b7c8d9e0f";
const hour = 3600_000;

function blob(contentId: string, createdMsAgo: number, now = Date.now()): ContentRef {
  const created = new Date(now - createdMsAgo);
  return {
    tenantId: TENANT,
    contentType: "Audit.Exchange",
    contentId,
    contentUri: `https://manage.office.com/api/v1.0/${TENANT}/activity/feed/audit/${encodeURIComponent(contentId)}`,
    contentCreated: created.toISOString(),
    contentExpiration: new Date(created.getTime() + 7 * 24 * hour).toISOString(),
  };
}

describe("checkpoints", () => {
  test("two planners racing from the same read: one advances, the other re-reads and never moves it twice", async () => {
    const store = new CheckpointStore(table("cp"));
    await store.advance(await store.read(TENANT, "Audit.Exchange"), new Date("2024-03-14T07:00:00Z"));
    const a = await store.read(TENANT, "Audit.Exchange");
    const b = await store.read(TENANT, "Audit.Exchange");
    expect(a.etag).toBe(b.etag);

    const outcomes = await Promise.all([store.advance(a, new Date("2024-03-14T07:05:00Z")), store.advance(b, new Date("2024-03-14T07:05:00Z"))]);
    expect(outcomes.sort()).toEqual(["advanced", "superseded"]);
    expect((await store.read(TENANT, "Audit.Exchange")).listedThrough).toEqual(new Date("2024-03-14T07:05:00Z"));
  });

  test("the loser of a race that listed further still moves the checkpoint forward, never back", async () => {
    const store = new CheckpointStore(table("cp"));
    const first = await store.read(TENANT, "Audit.SharePoint");
    const second = await store.read(TENANT, "Audit.SharePoint");
    expect(first.etag).toBeUndefined(); // nothing stored yet: both planners create
    expect(await store.advance(first, new Date("2024-03-14T07:10:00Z"))).toBe("advanced");
    expect(await store.advance(second, new Date("2024-03-14T07:05:00Z"))).toBe("superseded");
    expect((await store.read(TENANT, "Audit.SharePoint")).listedThrough).toEqual(new Date("2024-03-14T07:10:00Z"));

    const stale = await store.read(TENANT, "Audit.SharePoint");
    await store.advance(await store.read(TENANT, "Audit.SharePoint"), new Date("2024-03-14T07:12:00Z"));
    expect(await store.advance(stale, new Date("2024-03-14T07:15:00Z"))).toBe("advanced");
    expect((await store.read(TENANT, "Audit.SharePoint")).listedThrough).toEqual(new Date("2024-03-14T07:15:00Z"));
  });

  test("a failed run is recorded without touching how far listing got", async () => {
    const store = new CheckpointStore(table("cp"));
    await store.advance(await store.read(TENANT, "Audit.General"), new Date("2024-03-14T07:00:00Z"), { swept: true });
    await store.recordFailure(TENANT, "Audit.General", "[AF429] throttled");
    const cp = await store.read(TENANT, "Audit.General");
    expect(cp.listedThrough).toEqual(new Date("2024-03-14T07:00:00Z"));
    expect(cp.lastError).toBe("[AF429] throttled");
    expect(cp.lastSweepAt).toBeInstanceOf(Date);
  });
});

describe("content ledger", () => {
  test("of any number of racing claims for one contentId, exactly one wins", async () => {
    const ledger = new ContentLedger(table("ledger"));
    const ref = blob("20240314070051748005825$20240314070051748005825$audit_exchange$Audit_Exchange$emea0036", hour);
    const claims = await Promise.all(Array.from({ length: 8 }, () => ledger.claim(ref, "listing")));
    expect(claims.filter((c) => c.claimed)).toHaveLength(1);
    expect((await ledger.get(ref))?.state).toBe("listed");
  });

  test("contentIds holding characters Table keys refuse are stored and read back unchanged", async () => {
    const ledger = new ContentLedger(table("ledger"));
    const hostile = "a/b\\c#d?e%f'g~h$i\u0001j";
    expect(decodeKeyPart(encodeKeyPart(hostile))).toBe(hostile);
    expect(encodeKeyPart(hostile)).not.toMatch(/[\/\\#?\u0000-\u001f]/);
    const ref = blob(hostile, hour);
    expect((await ledger.claim(ref, "listing")).claimed).toBe(true);
    expect((await ledger.claim(ref, "listing")).claimed).toBe(false);
    const entry = await ledger.get(ref);
    expect(entry).toEqual(expect.objectContaining({ contentId: hostile, contentUri: ref.contentUri, contentCreated: ref.contentCreated, state: "listed" }));
  });

  test("listed → queued only with the claim's ETag; the worker's outcome wins whatever came before", async () => {
    const ledger = new ContentLedger(table("ledger"));
    const ref = blob("blob-1", hour);
    const claim = await ledger.claim(ref, "listing");
    if (!claim.claimed) throw new Error("claim expected");
    await ledger.markIngested(ref, { records: 3, auditRows: 3, mailAccessRows: 1, quarantinedRecords: 0 }, 1);
    // The planner's late markQueued must not undo the ingestion.
    expect(await ledger.markQueued(ref, claim.etag)).toBe(false);
    expect(await ledger.get(ref)).toEqual(expect.objectContaining({ state: "ingested", records: 3, attempts: 1 }));
  });

  test("entries are found by the hours of contentCreated, filtered by state, and purged after 8 days", async () => {
    const ledger = new ContentLedger(table("ledger"));
    const now = Date.now();
    const refs = [blob("new", 1 * hour, now), blob("day-old", 25 * hour, now), blob("nine-days", 9 * 24 * hour, now), blob("ten-days", 10 * 24 * hour, now)];
    for (const r of refs) await ledger.claim(r, "listing");
    await ledger.markFailed(refs[1], "AF50000", "boom", 5);

    const ids = async (from: number, to: number, states?: ("listed" | "failed")[]) => {
      const out: string[] = [];
      for await (const e of ledger.entries(TENANT, "Audit.Exchange", new Date(now - from), new Date(now - to), states ? { states } : undefined)) out.push(e.contentId);
      return out.sort();
    };
    expect(await ids(2 * hour, 0)).toEqual(["new"]);
    expect(await ids(30 * 24 * hour, 0)).toEqual(["day-old", "new", "nine-days", "ten-days"]);
    expect(await ids(30 * 24 * hour, 0, ["failed"])).toEqual(["day-old"]);

    expect(await ledger.purge(TENANT, "Audit.Exchange", new Date(now - 8 * 24 * hour))).toBe(2);
    expect(await ids(30 * 24 * hour, 0)).toEqual(["day-old", "new"]);
    // Other tenants and content types are untouched by a purge.
    expect(await ledger.purge(TENANT, "Audit.SharePoint", new Date(now))).toBe(0);
  });
});
