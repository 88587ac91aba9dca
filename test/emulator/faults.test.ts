import {
  FaultSpecError,
  parseFaultSpec,
  startManagementApiEmulator,
  STANDARD_FAULTS,
  CONTENT_TYPES,
  type ManagementApiEmulator,
} from "../../local/management-api/index";
import { DAY, FeedClient, json, TestClock, type ContentItem } from "./feed-client";

type ErrorBody = { error: { code: string; message: string } };
const T0 = Date.UTC(2024, 2, 14, 9, 30, 0);

describe("fault spec", () => {
  test("kinds with rates, percentages, slow-ms, presets, and later items overriding earlier ones", () => {
    expect(parseFaultSpec("none")).toMatchObject({ serverError: 0, expired: 0, slowMs: 35_000 });
    expect(parseFaultSpec("server-error=0.03,throttle=2%,slow=0.01,slow-ms=1500")).toMatchObject({ serverError: 0.03, throttle: 0.02, slow: 0.01, slowMs: 1500, reset: 0 });
    expect(parseFaultSpec("standard,slow=0")).toEqual({ ...STANDARD_FAULTS, slow: 0 });
    expect(parseFaultSpec(" duplicate-listing=0.1 , late-listing=0.2, expired=0.05, token-expiry=0.01, truncated=0.02, reset=0.01 ")).toMatchObject({
      duplicateListing: 0.1,
      lateListing: 0.2,
      expired: 0.05,
      tokenExpiry: 0.01,
      truncated: 0.02,
      reset: 0.01,
    });
  });

  test("the standard preset mixes every kind at a few percent", () => {
    const { slowMs, ...rates } = STANDARD_FAULTS;
    expect(slowMs).toBeGreaterThan(30_000);
    for (const rate of Object.values(rates)) {
      expect(rate).toBeGreaterThan(0);
      expect(rate).toBeLessThanOrEqual(0.05);
    }
  });

  test.each(["explode=0.1", "server-error=2", "throttle=", "slow-ms=fast", "reset=-0.1"])("%s is rejected with a message naming what to write", (spec) => {
    expect(() => parseFaultSpec(spec)).toThrow(FaultSpecError);
    try {
      parseFaultSpec(spec);
    } catch (e) {
      expect((e as FaultSpecError).code).toBe("FaultSpecInvalid");
      expect((e as Error).message).toMatch(/kind one of|between 0 and 1|whole number/);
    }
  });
});

describe("per-request faults, each kind on its own", () => {
  const emulators: ManagementApiEmulator[] = [];
  const start = async (faults: string) => {
    const emu = await startManagementApiEmulator({ users: 5, faults, initialSubscriptions: "enabled" });
    emulators.push(emu);
    return new FeedClient(emu);
  };
  afterAll(() => Promise.all(emulators.map((e) => e.close())));

  test("server-error: HTTP 500 AF50000 (or 503 AF50005)", async () => {
    const c = await start("server-error=1");
    for (let i = 0; i < 5; i++) {
      const r = await c.get("subscriptions/list");
      expect([500, 503]).toContain(r.status);
      expect(["AF50000", "AF50005"]).toContain(json<ErrorBody>(r).error.code);
    }
  });

  test("throttle: AF429", async () => {
    const c = await start("throttle=1");
    const r = await c.get("subscriptions/list");
    expect([429, 403]).toContain(r.status);
    expect(json<ErrorBody>(r).error.code).toBe("AF429");
  });

  test("reset: the connection is dropped without an answer", async () => {
    const c = await start("reset=1");
    await expect(c.get("subscriptions/list")).rejects.toThrow();
    expect(c.emu.truth.requests(c.tenant.tenantId).byStatus.reset).toBeGreaterThanOrEqual(1);
  });

  test("slow: the answer comes after slow-ms", async () => {
    const c = await start("slow=1,slow-ms=400");
    await c.token();
    const t = performance.now();
    const r = await c.get("subscriptions/list");
    expect(r.status).toBe(200);
    expect(performance.now() - t).toBeGreaterThanOrEqual(390);
  });

  test("truncated: a 200 whose JSON body stops part-way (listings and blobs only)", async () => {
    const c = await start("truncated=1");
    const r = await c.get(c.contentQuery("Audit.Exchange"));
    expect(r.status).toBe(200);
    expect(() => JSON.parse(r.text)).toThrow();
    expect((await c.get("subscriptions/list")).status).toBe(200);
  });

  test("token-expiry: the token is retired early; it keeps failing until a new one is fetched", async () => {
    const c = await start("token-expiry=0.5");
    const token = await c.token();
    let r = await c.get("subscriptions/list", { token });
    for (let i = 0; i < 50 && r.status === 200; i++) r = await c.get("subscriptions/list", { token });
    expect(r.status).toBe(401);
    expect((await c.get("subscriptions/list", { token })).status).toBe(401);
    let fresh = 0;
    for (let i = 0; i < 20; i++) if ((await c.get("subscriptions/list", { token: await c.token(true) })).status === 200) fresh++;
    expect(fresh).toBeGreaterThan(0);
  });
});

describe("per-blob faults", () => {
  const clock = new TestClock(T0);
  const faults = "duplicate-listing=0.2,late-listing=0.2,expired=0.1";
  let emu: ManagementApiEmulator;
  let client: FeedClient;
  beforeAll(async () => {
    emu = await startManagementApiEmulator({ seed: 21, users: 10, now: clock.now, faults, initialSubscriptions: "enabled" });
    client = new FeedClient(emu);
  });
  afterAll(() => emu.close());

  test("late-listing: missing from the first listing of its window, found by a re-listing; duplicate-listing: listed again in a later window", async () => {
    const first = await client.listWeek("Audit.SharePoint", T0);
    const second = await client.listWeek("Audit.SharePoint", T0);
    const firstIds = new Set(first.map((i) => i.contentId));
    const late = second.filter((i) => !firstIds.has(i.contentId));
    expect(late.length).toBeGreaterThan(5);
    // a third pass finds nothing new: late blobs are late once
    const third = new Set((await client.listWeek("Audit.SharePoint", T0)).map((i) => i.contentId));
    expect([...new Set(second.map((i) => i.contentId))].sort()).toEqual([...third].sort());

    const windows = new Map<string, number>();
    for (let w = 7; w >= 1; w--) {
      const { items } = await client.listAll("Audit.SharePoint", new Date(T0 - w * DAY + (w === 7 ? 60_000 : 0)), new Date(T0 - (w - 1) * DAY));
      for (const i of items) windows.set(i.contentId, (windows.get(i.contentId) ?? 0) + 1);
    }
    const relisted = [...windows].filter(([, n]) => n > 1);
    expect(relisted.length).toBeGreaterThan(5);
  });

  test("expired: listed, but fetching answers AF20051; reported in expiredContentIds and left out of availableRecordIds", async () => {
    const tenantId = client.tenant.tenantId;
    const expired = emu.truth.expiredContentIds(tenantId, "Audit.General");
    expect(expired.length).toBeGreaterThan(3);
    // listed twice: some expired blobs are also late-listed
    const listed = new Set([...(await client.listWeek("Audit.General", T0)), ...(await client.listWeek("Audit.General", T0))].map((i) => i.contentId));
    for (const id of expired) {
      expect(listed.has(id)).toBe(true);
      const r = await client.get(`${emu.managementApi}/api/v1.0/${tenantId}/activity/feed/audit/${id}`);
      expect(json<ErrorBody>(r).error.code).toBe("AF20051");
    }
    const available = new Set(emu.truth.availableBlobs(tenantId, "Audit.General").map((b) => b.contentId));
    for (const id of expired) expect(available.has(id)).toBe(false);
  });

  test("the same seed gives the same blobs the same faults", async () => {
    const twin = await startManagementApiEmulator({ seed: 21, users: 10, now: clock.now, faults, initialSubscriptions: "enabled" });
    try {
      for (const ct of CONTENT_TYPES) expect(twin.truth.expiredContentIds(twin.tenants[0].tenantId, ct)).toEqual(emu.truth.expiredContentIds(client.tenant.tenantId, ct));
    } finally {
      await twin.close();
    }
  });
});

describe("every fault kind at once", () => {
  test("a careful client (retries, fresh token on 401, re-listing with overlap) still gets every record except those in expired blobs", async () => {
    const clock = new TestClock(T0);
    const emu = await startManagementApiEmulator({
      seed: 33,
      users: 6,
      now: clock.now,
      initialSubscriptions: "enabled",
      requestBudgetPerMinute: 100_000,
      faults: "server-error=0.08,throttle=0.06,reset=0.05,slow=0.03,slow-ms=30,truncated=0.06,token-expiry=0.05,duplicate-listing=0.1,late-listing=0.1,expired=0.05",
    });
    try {
      const client = new FeedClient(emu);
      const tenantId = client.tenant.tenantId;
      const seen = new Map<string, number>();
      const note = (what: string) => seen.set(what, (seen.get(what) ?? 0) + 1);

      /** One call with retries; returns the parsed body, or the AF code of a permanent error. */
      const robust = async (url: string): Promise<{ body?: unknown; next?: string | null; code?: string }> => {
        for (let attempt = 0; attempt < 40; attempt++) {
          let r;
          try {
            const started = performance.now();
            r = await client.get(url);
            if (performance.now() - started >= 30) note("slow");
          } catch {
            note("reset");
            continue;
          }
          if (r.status === 401) {
            note("token-expiry");
            await client.token(true);
            continue;
          }
          if (r.status >= 500) {
            note("server-error");
            continue;
          }
          if (r.status === 429 || (r.status === 403 && r.text.includes("AF429"))) {
            note("throttle");
            continue;
          }
          if (r.status !== 200) return { code: json<ErrorBody>(r).error.code };
          try {
            return { body: JSON.parse(r.text), next: r.headers.get("NextPageUri") };
          } catch {
            note("truncated");
          }
        }
        throw new Error(`gave up on ${url}`);
      };

      const listed = new Map<string, ContentItem>();
      // two passes over the week: the second (overlapping) pass is what catches late-listed blobs
      for (let pass = 0; pass < 2; pass++) {
        for (let w = 7; w >= 1; w--) {
          let url: string | null = client.feedUrl(client.contentQuery("Audit.AzureActiveDirectory", new Date(T0 - w * DAY + (w === 7 ? 60_000 : 0)), new Date(T0 - (w - 1) * DAY)));
          while (url) {
            const page = await robust(url);
            for (const i of page.body as ContentItem[]) {
              if (listed.has(i.contentId)) note(pass === 0 ? "listed twice" : "relisted");
              else if (pass === 1) note("late-listing");
              listed.set(i.contentId, i);
            }
            url = page.next ?? null;
          }
        }
      }
      const got = new Set<string>();
      for (const item of listed.values()) {
        const r = await robust(item.contentUri);
        if (r.code) {
          expect(r.code).toBe("AF20051");
          note("expired");
          continue;
        }
        for (const rec of r.body as Array<{ Id: string }>) got.add(rec.Id);
      }
      for (const kind of ["server-error", "throttle", "reset", "slow", "truncated", "token-expiry", "late-listing", "expired", "listed twice"]) {
        expect([kind, seen.get(kind) ?? 0]).not.toEqual([kind, 0]);
      }
      expect(got).toEqual(emu.truth.availableRecordIds(tenantId, "Audit.AzureActiveDirectory"));
      expect(emu.truth.servedRecordIds(tenantId, "Audit.AzureActiveDirectory")).toEqual(got);
      expect(emu.truth.expiredContentIds(tenantId, "Audit.AzureActiveDirectory").length).toBe(seen.get("expired"));
    } finally {
      await emu.close();
    }
  });
});
