import { startManagementApiEmulator, type ManagementApiEmulator } from "../../local/management-api/index";
import { creationMs, DAY, FeedClient, HOUR, json, TestClock, type ContentItem } from "./feed-client";

type ErrorBody = { error: { code: string; message: string } };
type AuditRecord = Record<string, unknown> & { Id: string; CreationTime: string };
const T0 = Date.UTC(2024, 2, 14, 9, 30, 0);

describe("content blobs", () => {
  const clock = new TestClock(T0);
  let emu: ManagementApiEmulator;
  let client: FeedClient;
  let week: ContentItem[];
  beforeAll(async () => {
    emu = await startManagementApiEmulator({ seed: 9, users: 25, now: clock.now, initialSubscriptions: "enabled" });
    client = new FeedClient(emu);
    week = await client.listWeek("Audit.Exchange", T0);
  });
  afterAll(() => emu.close());
  beforeEach(() => {
    clock.ms = T0;
  });

  const blobUri = (contentId: string) => `${emu.managementApi}/api/v1.0/${client.tenant.tenantId}/activity/feed/audit/${contentId}`;

  test("a blob is a JSON array of audit records: the ones the ground truth lists for it, CreationTime without a trailing Z", async () => {
    const truth = new Map(emu.truth.availableBlobs(client.tenant.tenantId, "Audit.Exchange").map((b) => [b.contentId, b.recordIds]));
    for (const item of week.slice(0, 40)) {
      const r = await client.get(item.contentUri);
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toMatch(/^application\/json/);
      const records = json<AuditRecord[]>(r);
      expect(records.map((x) => x.Id).sort()).toEqual([...truth.get(item.contentId)!].sort());
      for (const rec of records) {
        expect(rec.CreationTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
        expect(rec.Workload).toBe("Exchange");
        // published 60 min to ~24 h after the event
        expect(Date.parse(item.contentCreated) - creationMs(rec)).toBeGreaterThanOrEqual(HOUR);
      }
    }
  });

  test("records inside a blob are not in time order, and some records are published again in a later blob, identical", async () => {
    const bodies = new Map<string, string>();
    let unordered = 0;
    for (const item of week.slice(0, 250)) {
      const records = json<AuditRecord[]>(await client.get(item.contentUri));
      const times = records.map(creationMs);
      if (times.some((t, i) => i > 0 && t < times[i - 1])) unordered++;
      for (const rec of records) {
        const text = JSON.stringify(rec);
        const seen = bodies.get(rec.Id);
        if (seen !== undefined) expect(text).toBe(seen);
        else bodies.set(rec.Id, text);
      }
    }
    expect(unordered).toBeGreaterThan(10);
    const truth = new Map(emu.truth.availableBlobs(client.tenant.tenantId, "Audit.Exchange").map((b) => [b.contentId, b.recordIds]));
    const ids = week.slice(0, 250).flatMap((i) => truth.get(i.contentId)!);
    expect(ids.length - new Set(ids).size).toBeGreaterThan(0);
  });

  test("the contentId may be URL-encoded, and PublisherIdentifier is accepted on blob GETs", async () => {
    const item = week[3];
    const encoded = await client.get(blobUri(encodeURIComponent(item.contentId)));
    const withPublisher = await client.get(`${item.contentUri}?PublisherIdentifier=${client.tenant.publisherId}`);
    expect(encoded.status).toBe(200);
    expect(withPublisher.status).toBe(200);
    expect(encoded.text).toBe(withPublisher.text);
  });

  test("a malformed contentId is AF20052; a well-formed unknown one is AF20050", async () => {
    const bad = await client.get(blobUri("not-a-content-id"));
    expect(bad.status).toBe(400);
    expect(json<ErrorBody>(bad).error.code).toBe("AF20052");
    const unknownId = week[0].contentId.replace(/^\d{23}\$\d{23}/, "20200101000000000000000$20200101000000000000000");
    const unknown = await client.get(blobUri(unknownId));
    expect(unknown.status).toBe(404);
    expect(json<ErrorBody>(unknown).error.code).toBe("AF20050");
  });

  test("a blob that is not created yet does not exist (AF20050) until the clock reaches its contentCreated", async () => {
    clock.ms = T0 + 6 * HOUR;
    const future = emu.truth.availableBlobs(client.tenant.tenantId, "Audit.Exchange").find((b) => !week.some((i) => i.contentId === b.contentId))!;
    clock.ms = T0;
    expect(json<ErrorBody>(await client.get(blobUri(future.contentId))).error.code).toBe("AF20050");
    clock.ms = T0 + 6 * HOUR;
    expect((await client.get(blobUri(future.contentId))).status).toBe(200);
  });

  test("seven days after contentCreated a blob has expired: AF20051, and the ground truth no longer counts it", async () => {
    const item = week[0];
    clock.ms = Date.parse(item.contentExpiration) + 1000;
    const r = await client.get(item.contentUri);
    expect(r.status).toBe(400);
    expect(json<ErrorBody>(r).error).toEqual({
      code: "AF20051",
      message: `Content requested with the key ${item.contentId} has already expired. Content older than 7 days cannot be retrieved.`,
    });
    expect(emu.truth.availableBlobs(client.tenant.tenantId, "Audit.Exchange").some((b) => b.contentId === item.contentId)).toBe(false);
  });

  test("servedRecordIds holds exactly the records of blobs fetched successfully", async () => {
    const other = await startManagementApiEmulator({ seed: 9, users: 25, now: clock.now, initialSubscriptions: "enabled" });
    try {
      const c = new FeedClient(other);
      const tenantId = c.tenant.tenantId;
      expect(other.truth.servedRecordIds(tenantId, "Audit.Exchange").size).toBe(0);
      const items = (await c.listAll("Audit.Exchange", new Date(T0 - DAY), new Date(T0))).items.slice(0, 5);
      const expected = new Set<string>();
      for (const i of items) for (const rec of json<AuditRecord[]>(await c.get(i.contentUri))) expected.add(rec.Id);
      expect(other.truth.servedRecordIds(tenantId, "Audit.Exchange")).toEqual(expected);
      expect(other.truth.requests(tenantId).byOperation.content).toBe(5);
    } finally {
      await other.close();
    }
  });

  test("GET /_emulator/truth/{tenantId} summarises counts per content type and the incident", async () => {
    const r = await fetch(`${emu.managementApi}/_emulator/truth/${client.tenant.tenantId}`);
    expect(r.status).toBe(200);
    const summary = (await r.json()) as {
      contentTypes: Record<string, { blobsAvailable: number; recordsAvailable: number }>;
      incident: { victimUpn: string; attackerIp: string };
      subscriptions: unknown[];
    };
    expect(Object.keys(summary.contentTypes).sort()).toEqual(["Audit.AzureActiveDirectory", "Audit.Exchange", "Audit.General", "Audit.SharePoint", "DLP.All"]);
    expect(summary.contentTypes["Audit.Exchange"].recordsAvailable).toBe(emu.truth.availableRecordIds(client.tenant.tenantId, "Audit.Exchange").size);
    expect(summary.incident.victimUpn).toBe(emu.truth.incident(client.tenant.tenantId).victimUpn);
    expect(summary.subscriptions).toHaveLength(5);
    expect((await fetch(`${emu.managementApi}/_emulator/truth/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
  });
});
