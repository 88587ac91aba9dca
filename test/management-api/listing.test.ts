import { formatApiTime, MAX_LOOKBACK_MS } from "../../functions/src/management-api/windows";
import { afError, sendJson } from "./scripted-server";
import { type Fixture, blob, collect, feedPath, publisherId, startFixture } from "./fixture";

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(() => fx.close());
beforeEach(() => fx.reset());

const contentRequests = () => fx.api.requests.filter((r) => r.path === `${feedPath}/subscriptions/content`);
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

describe("listing content", () => {
  it("sends the documented time format and PublisherIdentifier, and follows NextPageUri in either casing to the last page", async () => {
    fx.api.script = (req, res) => {
      const page = req.query.get("nextPage");
      const next = (p: string) => {
        const u = new URL(`${fx.api.url}${req.path}`);
        for (const k of ["contentType", "startTime", "endTime"]) u.searchParams.set(k, req.query.get(k)!);
        u.searchParams.set("nextPage", p); // no PublisherIdentifier: the client must add it
        return u.toString();
      };
      if (!page) return sendJson(res, 200, [blob(1, fx.api.url), blob(2, fx.api.url)], { NextPageUri: next("p2") });
      if (page === "p2") return sendJson(res, 200, [blob(3, fx.api.url)], { Nextpageuri: next("p3") });
      return sendJson(res, 200, [blob(4, fx.api.url)]);
    };
    const { client, requests } = fx.client({ now: () => new Date("2024-03-14T12:00:00Z") });
    const refs = await collect(
      client.listContent("Audit.Exchange", new Date("2024-03-14T06:00:00.500Z"), new Date("2024-03-14T07:00:00Z"), {}),
    );
    expect(refs.map((r) => r.contentId)).toEqual([1, 2, 3, 4].map((n) => blob(n, fx.api.url).contentId));
    expect(refs[0]).toEqual(blob(1, fx.api.url));
    const seen = contentRequests();
    expect(seen.map((r) => r.query.get("nextPage"))).toEqual([null, "p2", "p3"]);
    for (const r of seen) {
      expect(r.query.get("PublisherIdentifier")).toBe(publisherId);
      expect(r.query.get("contentType")).toBe("Audit.Exchange");
      expect(r.query.get("startTime")).toMatch(TIME);
      expect(r.headers.authorization).toBe("Bearer tok-1");
    }
    expect(seen[0].query.get("startTime")).toBe("2024-03-14T06:00:00");
    expect(seen[0].query.get("endTime")).toBe("2024-03-14T07:00:00");
    expect(requests).toEqual([1, 2, 3].map(() => ({ operation: "subscriptions/content", status: 200, attempt: 1 })));
  });

  it("splits a 60 h range into ≤24 h windows listed one after another", async () => {
    fx.api.script = (_req, res) => sendJson(res, 200, []);
    const { client } = fx.client({ now: () => new Date("2024-03-14T12:00:00Z") });
    await collect(client.listContent("Audit.General", new Date("2024-03-11T00:00:00Z"), new Date("2024-03-13T12:00:00Z")));
    expect(contentRequests().map((r) => [r.query.get("startTime"), r.query.get("endTime")])).toEqual([
      ["2024-03-11T00:00:00", "2024-03-12T00:00:00"],
      ["2024-03-12T00:00:00", "2024-03-13T00:00:00"],
      ["2024-03-13T00:00:00", "2024-03-13T12:00:00"],
    ]);
  });

  it("clamps a start older than 167 h 55 min and reports the lost coverage as an event", async () => {
    fx.api.script = (_req, res) => sendJson(res, 200, []);
    const now = new Date("2024-03-14T12:00:00Z");
    const { client, events } = fx.client({ now: () => now });
    const requested = new Date("2024-03-01T00:00:00Z");
    await collect(client.listContent("Audit.SharePoint", requested, now));
    const limit = new Date(now.getTime() - MAX_LOOKBACK_MS);
    expect(contentRequests()[0].query.get("startTime")).toBe(formatApiTime(limit));
    expect(events).toContainEqual({
      type: "windowClamped",
      contentType: "Audit.SharePoint",
      requestedStart: requested,
      effectiveStart: limit,
      lostMs: limit.getTime() - requested.getTime(),
    });
  });

  it("starts the subscription on AF20022 and lists the window again", async () => {
    let subscribed = false;
    fx.api.script = (req, res) => {
      if (req.path.endsWith("/subscriptions/start")) {
        subscribed = true;
        return sendJson(res, 200, { contentType: req.query.get("contentType"), status: "enabled", webhook: null });
      }
      if (!subscribed) return afError(res, 400, "AF20022", "No subscription found for the specified content type");
      return sendJson(res, 200, [blob(1, fx.api.url)]);
    };
    const { client, events } = fx.client();
    const refs = await collect(client.listContent("Audit.Exchange", new Date(Date.now() - 3600_000), new Date()));
    expect(refs).toHaveLength(1);
    expect(fx.api.requests.map((r) => `${r.method} ${r.path.slice(feedPath.length)}`)).toEqual([
      "GET /subscriptions/content",
      "POST /subscriptions/start",
      "GET /subscriptions/content",
    ]);
    expect(fx.api.requests[1].query.get("contentType")).toBe("Audit.Exchange");
    expect(fx.api.requests[1].query.get("PublisherIdentifier")).toBe(publisherId);
    expect(events).toContainEqual({ type: "subscriptionStarted", contentType: "Audit.Exchange" });
  });

  it("treats AF20024 'already enabled' on start as success when a listing said AF20023", async () => {
    let listed = 0;
    fx.api.script = (req, res) => {
      if (req.path.endsWith("/subscriptions/start")) {
        return afError(res, 400, "AF20024", "The subscription is already enabled. No property change.");
      }
      return listed++ === 0 ? afError(res, 400, "AF20023", "The subscription was disabled") : sendJson(res, 200, []);
    };
    const { client } = fx.client();
    await expect(collect(client.listContent("DLP.All", new Date(Date.now() - 3600_000), new Date()))).resolves.toEqual([]);
    expect(fx.api.requests).toHaveLength(3);
  });

  it("backs off from a throttled subscription start: the stated wait is returned, and no second start is sent before it", async () => {
    fx.api.script = (req, res) =>
      req.path.endsWith("/subscriptions/start")
        ? afError(res, 400, "AF429", "Too many frequent subscription start requests. Please retry again after 14m 56s")
        : afError(res, 400, "AF20022", "No subscription found for the specified content type");
    const { client, events } = fx.client();
    const range = [new Date(Date.now() - 3600_000), new Date()] as const;
    const first = await collect(client.listContent("Audit.Exchange", ...range)).catch((e) => e);
    expect(first).toMatchObject({ code: "SubscriptionStartThrottled", transient: true, retryAfterMs: 896_000 });
    const second = await collect(client.listContent("Audit.Exchange", ...range)).catch((e) => e);
    expect(second.code).toBe("SubscriptionStartThrottled");
    expect(second.retryAfterMs).toBeGreaterThan(890_000);
    expect(fx.api.requests.filter((r) => r.path.endsWith("/subscriptions/start"))).toHaveLength(1);
    expect(events).toContainEqual({ type: "subscriptionStartThrottled", contentType: "Audit.Exchange", retryAfterMs: 896_000 });
  });

  it("refuses to loop when NextPageUri points back to a page already read", async () => {
    fx.api.script = (req, res) => sendJson(res, 200, [], { NextPageUri: `${fx.api.url}${req.url}` });
    const { client } = fx.client();
    await expect(collect(client.listContent("Audit.Exchange", new Date(Date.now() - 3600_000), new Date()))).rejects.toMatchObject({
      code: "PagingLoop",
    });
    expect(contentRequests()).toHaveLength(1);
  });

  it("retries a page whose items lack contentUri (a malformed listing) instead of yielding broken references", async () => {
    fx.api.script = (_req, res, n) => sendJson(res, 200, n === 1 ? [{ contentId: "x" }] : [blob(1, fx.api.url)]);
    const { client } = fx.client();
    const refs = await collect(client.listContent("Audit.Exchange", new Date(Date.now() - 3600_000), new Date()));
    expect(refs.map((r) => r.contentId)).toEqual([blob(1, fx.api.url).contentId]);
  });
});

describe("subscriptions", () => {
  it("ensureSubscription only lists when the content type is already enabled", async () => {
    fx.api.script = (_req, res) => sendJson(res, 200, [{ contentType: "Audit.Exchange", status: "enabled", webhook: null }]);
    const { client } = fx.client();
    await client.ensureSubscription("Audit.Exchange");
    expect(fx.api.requests.map((r) => `${r.method} ${r.path.slice(feedPath.length)}`)).toEqual(["GET /subscriptions/list"]);
  });

  it("ensureSubscription starts a disabled content type, passing the webhook", async () => {
    fx.api.script = (req, res) =>
      req.path.endsWith("/list")
        ? sendJson(res, 200, [{ contentType: "Audit.General", status: "disabled", webhook: null }])
        : sendJson(res, 200, { contentType: "Audit.General", status: "enabled", webhook: JSON.parse(req.body).webhook });
    const { client } = fx.client();
    await client.ensureSubscription("Audit.General", { webhook: { address: "https://hook.example/api/webhook", authId: "abc" } });
    const start = fx.api.requests[1];
    expect(`${start.method} ${start.path.slice(feedPath.length)}`).toBe("POST /subscriptions/start");
    expect(JSON.parse(start.body)).toEqual({ webhook: { address: "https://hook.example/api/webhook", authId: "abc" } });
    expect(start.headers["content-type"]).toBe("application/json");
  });

  it("lists subscriptions", async () => {
    fx.api.script = (_req, res) =>
      sendJson(res, 200, [
        { contentType: "Audit.Exchange", status: "enabled", webhook: null },
        { contentType: "DLP.All", status: "disabled", webhook: { address: "https://x", status: "disabled" } },
      ]);
    const { client } = fx.client();
    await expect(client.listSubscriptions()).resolves.toEqual([
      { contentType: "Audit.Exchange", status: "enabled", webhook: null },
      { contentType: "DLP.All", status: "disabled", webhook: { address: "https://x", status: "disabled" } },
    ]);
  });
});
