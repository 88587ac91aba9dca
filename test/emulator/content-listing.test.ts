import { startManagementApiEmulator, type ManagementApiEmulator } from "../../local/management-api/index";
import { DAY, FeedClient, HOUR, json, rawGet, TestClock, type ContentItem } from "./feed-client";

type ErrorBody = { error: { code: string; message: string } };
const T0 = Date.UTC(2024, 2, 14, 9, 30, 0);

describe("subscriptions/content", () => {
  const clock = new TestClock(T0);
  let emu: ManagementApiEmulator;
  let client: FeedClient;
  beforeAll(async () => {
    emu = await startManagementApiEmulator({ seed: 5, users: 30, now: clock.now });
    client = new FeedClient(emu);
    await client.start("Audit.Exchange");
    await client.start("Audit.SharePoint");
  });
  afterAll(() => emu.close());
  beforeEach(() => {
    clock.ms = T0;
  });

  const code = async (query: string) => {
    const r = await client.get(query);
    return r.status === 200 ? 200 : json<ErrorBody>(r).error.code;
  };

  test("without a window it lists the last 24 hours", async () => {
    const { items } = await client.listAll("Audit.Exchange");
    expect(items.length).toBeGreaterThan(50);
    for (const i of items) {
      expect(Date.parse(i.contentCreated)).toBeGreaterThanOrEqual(T0 - DAY);
      expect(Date.parse(i.contentCreated)).toBeLessThan(T0);
    }
  });

  test("every documented time format is accepted, and ISO 8601 with fractional seconds and Z too", async () => {
    const day = "2024-03-12";
    const variants: Array<[string, string]> = [
      ["2024-03-12", "2024-03-13"],
      ["2024-03-12T00:00", "2024-03-13T00:00"],
      ["2024-03-12T00:00:00", "2024-03-13T00:00:00"],
      ["2024-03-12T00:00:00.000Z", "2024-03-13T00:00:00.000Z"],
    ];
    const results = [];
    for (const [s, e] of variants) results.push((await client.listAll("Audit.Exchange", s, e)).items.map((i) => i.contentId));
    for (const r of results) expect(r).toEqual(results[0]);
    expect(results[0].length).toBeGreaterThan(0);
    for (const i of (await client.listAll("Audit.Exchange", `${day}T00:00`, `${day}T12:00`)).items) {
      expect(i.contentCreated.startsWith(day)).toBe(true);
    }
  });

  test("unparseable or impossible times are AF20002", async () => {
    expect(await code(client.contentQuery("Audit.Exchange", "yesterday", "2024-03-13"))).toBe("AF20002");
    expect(await code(client.contentQuery("Audit.Exchange", "2024-02-30", "2024-03-01"))).toBe("AF20002");
    expect(await code(client.contentQuery("Audit.Exchange", "2024-03-13T25:00", "2024-03-14"))).toBe("AF20002");
  });

  test("both times or neither, start before end: otherwise AF20030", async () => {
    expect(await code(`subscriptions/content?contentType=Audit.Exchange&startTime=2024-03-13T00:00:00`)).toBe("AF20030");
    expect(await code(`subscriptions/content?contentType=Audit.Exchange&endTime=2024-03-13T00:00:00`)).toBe("AF20030");
    expect(await code(client.contentQuery("Audit.Exchange", "2024-03-13T05:00", "2024-03-13T05:00"))).toBe("AF20030");
    expect(await code(client.contentQuery("Audit.Exchange", "2024-03-13T06:00", "2024-03-13T05:00"))).toBe("AF20030");
  });

  test("at most 24 hours apart and no more than 7 days back (the service tolerates ~1 h more): otherwise AF20055", async () => {
    expect(await code(client.contentQuery("Audit.Exchange", new Date(T0 - DAY - 1000), new Date(T0)))).toBe("AF20055");
    expect(await code(client.contentQuery("Audit.Exchange", new Date(T0 - DAY), new Date(T0)))).toBe(200);
    expect(await code(client.contentQuery("Audit.Exchange", new Date(T0 - 7 * DAY - 2 * HOUR), new Date(T0 - 6 * DAY - 2 * HOUR)))).toBe("AF20055");
    expect(await code(client.contentQuery("Audit.Exchange", new Date(T0 - 7 * DAY - 30 * 60_000), new Date(T0 - 6 * DAY - 30 * 60_000)))).toBe(200);
    // the end may lie in the future
    expect(await code(client.contentQuery("Audit.Exchange", new Date(T0 - 2 * HOUR), new Date(T0 + 20 * HOUR)))).toBe(200);
  });

  test("an unknown content type is AF20020", async () => {
    expect(await code("subscriptions/content?contentType=Audit.Nothing")).toBe("AF20020");
  });

  test("the window is on contentCreated: start inclusive, end exclusive", async () => {
    const { items } = await client.listAll("Audit.Exchange", new Date(T0 - 6 * HOUR), new Date(T0));
    const pick = items[Math.floor(items.length / 2)];
    const at = Date.parse(pick.contentCreated);
    const startingAt = (await client.listAll("Audit.Exchange", new Date(at), new Date(at + HOUR))).items.map((i) => i.contentId);
    const endingAt = (await client.listAll("Audit.Exchange", new Date(at - HOUR), new Date(at))).items.map((i) => i.contentId);
    expect(startingAt).toContain(pick.contentId);
    expect(endingAt).not.toContain(pick.contentId);
  });

  test("content objects: contentUri on the API, contentExpiration = contentCreated + 7 days, contentIds shaped like the service's", async () => {
    const { items } = await client.listAll("Audit.SharePoint", new Date(T0 - 12 * HOUR), new Date(T0));
    expect(items.length).toBeGreaterThan(0);
    for (const i of items) {
      expect(i.contentType).toBe("Audit.SharePoint");
      expect(i.contentId).toMatch(/^\d{23}\$\d{23}\$audit_sharepoint\$Audit_SharePoint\$[a-z]+\d{4}$/);
      expect(i.contentUri).toBe(`${emu.managementApi}/api/v1.0/${client.tenant.tenantId}/activity/feed/audit/${i.contentId}`);
      expect(Date.parse(i.contentExpiration) - Date.parse(i.contentCreated)).toBe(7 * DAY);
      expect(i.contentCreated).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
  });

  test("paging: NextPageUri carries the window (and PublisherIdentifier) to the end; both header casings occur", async () => {
    const token = await client.token();
    const publisher = client.tenant.publisherId;
    let url: string | null = `${client.feedUrl(client.contentQuery("Audit.Exchange", new Date(T0 - DAY), new Date(T0)))}&PublisherIdentifier=${publisher}`;
    const casings = new Set<string>();
    const items: ContentItem[] = [];
    let pages = 0;
    while (url) {
      const r = await rawGet(url, token);
      expect(r.status).toBe(200);
      const page = JSON.parse(r.body) as ContentItem[];
      items.push(...page);
      pages++;
      const name = r.rawHeaderNames.find((n) => n.toLowerCase() === "nextpageuri");
      if (name) {
        casings.add(name);
        expect(page.length).toBe(50);
        const next = new URL(r.headers[name]);
        expect(next.searchParams.get("PublisherIdentifier")).toBe(publisher);
        expect(next.searchParams.get("startTime")).toBe(new Date(T0 - DAY).toISOString());
        expect(next.searchParams.get("nextPage")).toBeTruthy();
      }
      url = name ? r.headers[name] : null;
    }
    expect(pages).toBeGreaterThanOrEqual(3);
    expect([...casings].sort()).toEqual(["NextPageUri", "Nextpageuri"]);
    expect(new Set(items.map((i) => i.contentId)).size).toBe(items.length);
  });

  test("a forged nextPage cursor is AF20031", async () => {
    expect(await code(`${client.contentQuery("Audit.Exchange", new Date(T0 - DAY), new Date(T0))}&nextPage=garbage`)).toBe("AF20031");
    expect(await code(`${client.contentQuery("Audit.Exchange", new Date(T0 - DAY), new Date(T0))}&nextPage=999999.0.2`)).toBe("AF20031");
  });

  test("listing the whole week finds exactly the blobs the ground truth calls available", async () => {
    const listed = await client.listWeek("Audit.Exchange", T0);
    const truth = emu.truth.availableBlobs(client.tenant.tenantId, "Audit.Exchange").map((b) => b.contentId);
    expect(listed.map((i) => i.contentId).sort()).toEqual([...truth].sort());
  });

  test("content becomes listable only once its contentCreated has passed on the emulator clock", async () => {
    const window = () => client.listAll("Audit.Exchange", new Date(T0 - 2 * HOUR), new Date(T0 + 20 * HOUR));
    const now = (await window()).items;
    for (const i of now) expect(Date.parse(i.contentCreated)).toBeLessThanOrEqual(T0);
    const availableNow = emu.truth.availableRecordIds(client.tenant.tenantId, "Audit.Exchange").size;
    clock.advance(3 * HOUR);
    const later = (await window()).items;
    expect(later.length).toBeGreaterThan(now.length);
    expect(later.some((i) => Date.parse(i.contentCreated) > T0)).toBe(true);
    expect(emu.truth.availableRecordIds(client.tenant.tenantId, "Audit.Exchange").size).toBeGreaterThan(availableNow);
  });

  test("subscriptions/notifications follows the same window rules and is empty without a webhook", async () => {
    const r = await client.get(`subscriptions/notifications?contentType=Audit.Exchange`);
    expect(r.status).toBe(200);
    expect(json(r)).toEqual([]);
    expect(await code(`subscriptions/notifications?contentType=Audit.Exchange&startTime=2024-03-10&endTime=2024-03-12`)).toBe("AF20055");
  });
});

describe("page size", () => {
  test("is configurable", async () => {
    const clock = new TestClock(T0);
    const emu = await startManagementApiEmulator({ seed: 5, users: 5, now: clock.now, pageSize: 7, initialSubscriptions: "enabled" });
    try {
      const client = new FeedClient(emu);
      const first = await client.get(client.contentQuery("Audit.Exchange", new Date(T0 - DAY), new Date(T0)));
      expect(json<ContentItem[]>(first)).toHaveLength(7);
      const { items, pages } = await client.listAll("Audit.Exchange", new Date(T0 - DAY), new Date(T0));
      expect(pages).toBe(Math.ceil(items.length / 7));
    } finally {
      await emu.close();
    }
  });
});
