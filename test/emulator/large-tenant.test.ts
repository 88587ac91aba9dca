import { startManagementApiEmulator, type ManagementApiEmulator } from "../../local/management-api/index";
import { creationMs, DAY, FeedClient, json, TestClock, type AuditRecord } from "./feed-client";

const T0 = Date.UTC(2024, 2, 14, 9, 30, 0);

describe("a large tenant generated lazily", () => {
  const clock = new TestClock(T0);
  const options = { seed: 12, users: 5, now: clock.now, largeTenantRecords: 30_000, initialSubscriptions: "enabled" as const };
  let emu: ManagementApiEmulator;
  let client: FeedClient;
  beforeAll(async () => {
    emu = await startManagementApiEmulator(options);
    client = new FeedClient(emu);
  });
  afterAll(() => emu.close());

  const bulkBlobs = () => {
    const all = emu.truth.availableBlobs(client.tenant.tenantId, "Audit.Exchange");
    // bulk blobs hold hundreds of records; the scenario's at most 150
    return all.filter((b) => b.recordIds.length >= 400);
  };

  test("holds the requested number of extra records across all content types", () => {
    let slots = 0;
    for (const ct of ["Audit.AzureActiveDirectory", "Audit.Exchange", "Audit.SharePoint", "Audit.General", "DLP.All"]) {
      slots += emu.truth.availableBlobs(client.tenant.tenantId, ct).reduce((n, b) => n + b.recordIds.length, 0);
    }
    expect(slots).toBeGreaterThanOrEqual(30_000);
    expect(bulkBlobs().length).toBeGreaterThan(5);
  });

  test("a blob's records are rebuilt identically on every read and match the ground truth", async () => {
    const [blob] = bulkBlobs();
    const uri = `${emu.managementApi}/api/v1.0/${client.tenant.tenantId}/activity/feed/audit/${blob.contentId}`;
    const first = await client.get(uri);
    const second = await client.get(uri);
    expect(first.status).toBe(200);
    expect(second.text).toBe(first.text);
    const records = json<AuditRecord[]>(first);
    expect(records.map((r) => r.Id)).toEqual(blob.recordIds);
    expect(new Set(blob.recordIds).size).toBe(blob.recordIds.length);
    for (const r of records.slice(0, 50)) {
      expect(r.CreationTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      expect(creationMs(r)).toBeLessThan(T0);
      expect(creationMs(r)).toBeGreaterThan(T0 - 8 * DAY);
    }
  });

  test("records are republished across neighbouring blobs (same Id, same content) and never throttled", async () => {
    const blobs = bulkBlobs();
    const texts = new Map<string, string>();
    let duplicates = 0;
    for (const b of blobs.slice(0, 6)) {
      const r = await client.get(`${emu.managementApi}/api/v1.0/${client.tenant.tenantId}/activity/feed/audit/${b.contentId}`);
      for (const rec of json<AuditRecord[]>(r)) {
        const text = JSON.stringify(rec);
        const seen = texts.get(rec.Id);
        if (seen !== undefined) {
          duplicates++;
          expect(text).toBe(seen);
        } else texts.set(rec.Id, text);
        if (rec.Operation === "MailItemsAccessed") {
          expect((rec.OperationProperties as Array<{ Name: string; Value: string }>)[1]).toEqual({ Name: "IsThrottled", Value: "False" });
        }
      }
    }
    expect(duplicates).toBeGreaterThan(0);
    const ids = emu.truth.availableRecordIds(client.tenant.tenantId, "Audit.Exchange");
    const slots = emu.truth.availableBlobs(client.tenant.tenantId, "Audit.Exchange").reduce((n, b) => n + b.recordIds.length, 0);
    expect(ids.size).toBeLessThan(slots);
  });

  test("the same seed builds the same large tenant", async () => {
    const twin = await startManagementApiEmulator(options);
    try {
      const mine = bulkBlobs();
      const theirs = twin.truth.availableBlobs(twin.tenants[0].tenantId, "Audit.Exchange").filter((b) => b.recordIds.length >= 400);
      expect(theirs).toEqual(mine);
    } finally {
      await twin.close();
    }
  });

  test("the incident is still there beside the bulk", () => {
    expect(emu.truth.incident(client.tenant.tenantId).boundInternetMessageIds.length).toBeGreaterThan(0);
  });
});

describe("faults on streamed blobs", () => {
  test("truncated: a 200 whose JSON stops part-way; reset: the connection drops before or during the body", async () => {
    const clock = new TestClock(T0);
    const base = { seed: 12, users: 5, now: clock.now, largeTenantRecords: 3_000, initialSubscriptions: "enabled" as const };
    const [truncating, resetting] = await Promise.all([
      startManagementApiEmulator({ ...base, faults: "truncated=1" }),
      startManagementApiEmulator({ ...base, faults: "reset=1" }),
    ]);
    try {
      const big = (emu: ManagementApiEmulator) => {
        const blob = emu.truth.availableBlobs(emu.tenants[0].tenantId, "Audit.Exchange").find((b) => b.recordIds.length >= 400)!;
        return `${emu.managementApi}/api/v1.0/${emu.tenants[0].tenantId}/activity/feed/audit/${blob.contentId}`;
      };
      const t = new FeedClient(truncating);
      for (let i = 0; i < 3; i++) {
        const r = await t.get(big(truncating));
        expect(r.status).toBe(200);
        expect(r.text.length).toBeGreaterThan(1000);
        expect(() => JSON.parse(r.text)).toThrow();
      }
      const c = new FeedClient(resetting);
      for (let i = 0; i < 4; i++) await expect(c.get(big(resetting))).rejects.toThrow();
      expect(truncating.truth.servedRecordIds(truncating.tenants[0].tenantId, "Audit.Exchange").size).toBe(0);
      expect(resetting.truth.servedRecordIds(resetting.tenants[0].tenantId, "Audit.Exchange").size).toBe(0);
    } finally {
      await Promise.all([truncating.close(), resetting.close()]);
    }
  });
});
