import { startManagementApiEmulator, type ManagementApiEmulator } from "../../local/management-api/index";
import { FeedClient, HOUR, json, TestClock, type ContentItem } from "./feed-client";

type ErrorBody = { error: { code: string; message: string } };
const MINUTE = 60_000;

describe("subscriptions: start, stop, list", () => {
  const clock = new TestClock(Date.UTC(2024, 2, 14, 9, 0, 0));
  let emu: ManagementApiEmulator;
  let client: FeedClient;
  beforeAll(async () => {
    emu = await startManagementApiEmulator({ seed: 7, users: 8, now: clock.now });
    client = new FeedClient(emu);
  });
  afterAll(() => emu.close());

  test("a content type never started: list is empty, listing and stop answer AF20022", async () => {
    expect(json((await client.get("subscriptions/list")))).toEqual([]);
    const listing = await client.get(client.contentQuery("Audit.Exchange"));
    expect(listing.status).toBe(400);
    expect(json<ErrorBody>(listing).error.code).toBe("AF20022");
    expect(json<ErrorBody>(await client.stop("Audit.Exchange")).error.code).toBe("AF20022");
  });

  test("start enables it; a second start with nothing changed is HTTP 400 AF20024", async () => {
    const started = await client.start("Audit.Exchange");
    expect(started.status).toBe(200);
    expect(json(started)).toEqual({ contentType: "Audit.Exchange", status: "enabled", webhook: null });
    expect(json(await client.get("subscriptions/list"))).toEqual([{ contentType: "Audit.Exchange", status: "enabled", webhook: null }]);
    const again = await client.start("Audit.Exchange");
    expect(again.status).toBe(400);
    expect(json<ErrorBody>(again).error).toEqual({ code: "AF20024", message: "The subscription is already enabled. No property change." });
  });

  test("an unknown content type is AF20020 and a missing one AF20001", async () => {
    expect(json<ErrorBody>(await client.start("Audit.Everything")).error.code).toBe("AF20020");
    const missing = await client.call("POST", "subscriptions/start");
    expect(json<ErrorBody>(missing).error.code).toBe("AF20001");
  });

  test("stop disables it: listing answers AF20023, and a restart within 15 minutes of the last start is throttled", async () => {
    clock.advance(4 * MINUTE);
    expect((await client.stop("Audit.Exchange")).status).toBe(200);
    expect(json(await client.get("subscriptions/list"))).toEqual([{ contentType: "Audit.Exchange", status: "disabled", webhook: null }]);
    expect(json<ErrorBody>(await client.get(client.contentQuery("Audit.Exchange"))).error.code).toBe("AF20023");

    const throttled = await client.start("Audit.Exchange");
    expect(throttled.status).toBe(429);
    const error = json<ErrorBody>(throttled).error;
    expect(error.code).toBe("AF429");
    // 15 min after the first start, 4 min have passed
    expect(error.message).toBe("Too many frequent subscription start requests. Please retry again after 11m 0s.");

    clock.advance(11 * MINUTE);
    expect((await client.start("Audit.Exchange")).status).toBe(200);
  });

  test("the start throttle is per content type", async () => {
    expect((await client.start("Audit.SharePoint")).status).toBe(200);
    expect((await client.start("Audit.General")).status).toBe(200);
  });
});

describe("content produced while a subscription is stopped", () => {
  test("is never listed nor fetchable, not even after a restart; content before and after stays available", async () => {
    const clock = new TestClock(Date.UTC(2024, 2, 14, 9, 0, 0));
    const emu = await startManagementApiEmulator({ seed: 11, users: 20, now: clock.now });
    try {
      const client = new FeedClient(emu);
      const tenantId = client.tenant.tenantId;
      await client.start("Audit.Exchange");
      const stopAt = clock.ms + HOUR;
      const restartAt = stopAt + 3 * HOUR;

      // which blobs will appear while it is stopped (reading the truth has no side effects)
      clock.ms = restartAt + 12 * HOUR;
      const gap = emu.truth
        .availableBlobs(tenantId, "Audit.Exchange")
        .map((b) => b.contentId)
        .filter((id) => contentIdMs(id) >= stopAt && contentIdMs(id) < restartAt);
      expect(gap.length).toBeGreaterThan(3);

      clock.ms = stopAt;
      expect((await client.stop("Audit.Exchange")).status).toBe(200);
      clock.ms = restartAt;
      expect((await client.start("Audit.Exchange")).status).toBe(200);
      clock.ms = restartAt + 12 * HOUR;

      const listed = (await client.listAll("Audit.Exchange", new Date(clock.ms - 23 * HOUR), new Date(clock.ms))).items;
      const listedIds = new Set(listed.map((i: ContentItem) => i.contentId));
      for (const id of gap) expect(listedIds.has(id)).toBe(false);
      expect(listed.some((i) => Date.parse(i.contentCreated) < stopAt)).toBe(true);
      expect(listed.some((i) => Date.parse(i.contentCreated) >= restartAt)).toBe(true);

      const fetched = await client.get(`${emu.managementApi}/api/v1.0/${tenantId}/activity/feed/audit/${gap[0]}`);
      expect(fetched.status).toBe(404);
      expect(json<ErrorBody>(fetched).error.code).toBe("AF20050");
      const available = new Set(emu.truth.availableBlobs(tenantId, "Audit.Exchange").map((b) => b.contentId));
      for (const id of gap) expect(available.has(id)).toBe(false);
    } finally {
      await emu.close();
    }
  });
});

describe("tenant options", () => {
  test("audit logging off: every call answers a 400 whose message says the tenant does not exist", async () => {
    const emu = await startManagementApiEmulator({ tenants: 2, users: 5, auditLoggingDisabledTenants: [1] });
    try {
      const off = new FeedClient(emu, emu.tenants[1]);
      const r = await off.start("Audit.Exchange");
      expect(r.status).toBe(400);
      expect(json<ErrorBody>(r).error.message).toContain(`Tenant ${emu.tenants[1].tenantId} does not exist`);
      expect((await off.get("subscriptions/list")).status).toBe(400);
      expect((await new FeedClient(emu, emu.tenants[0]).start("Audit.Exchange")).status).toBe(200);
    } finally {
      await emu.close();
    }
  });

  test("initialSubscriptions 'enabled' starts every content type up front, without a pending start throttle", async () => {
    const emu = await startManagementApiEmulator({ users: 5, initialSubscriptions: "enabled" });
    try {
      const client = new FeedClient(emu);
      const list = json<Array<{ contentType: string; status: string }>>(await client.get("subscriptions/list"));
      expect(list.map((s) => s.status)).toEqual(["enabled", "enabled", "enabled", "enabled", "enabled"]);
      expect(list.map((s) => s.contentType).sort()).toEqual(["Audit.AzureActiveDirectory", "Audit.Exchange", "Audit.General", "Audit.SharePoint", "DLP.All"]);
      expect((await client.stop("DLP.All")).status).toBe(200);
      expect((await client.start("DLP.All")).status).toBe(200);
    } finally {
      await emu.close();
    }
  });
});

/** contentCreated to the millisecond, read from the contentId's leading timestamp. */
function contentIdMs(contentId: string): number {
  const s = contentId.slice(0, 17);
  return Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(8, 10), +s.slice(10, 12), +s.slice(12, 14), +s.slice(14, 17));
}
