import { type Fixture, blob, feedPath, publisherId, startFixture } from "./fixture";
import { sendJson } from "./scripted-server";

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(() => fx.close());
beforeEach(() => fx.reset());

const records = [{ Id: "r1" }];

describe("the token goes only to the configured API origin", () => {
  const hostile = () => [
    ["another port on the same machine", `${fx.foreign.url}${feedPath}/audit/x`],
    ["another host name for the same machine", `http://localhost:${fx.api.port}${feedPath}/audit/x`],
    ["userinfo that looks like the API host", `http://127.0.0.1:${fx.api.port}@127.0.0.1:${fx.foreign.port}${feedPath}/audit/x`],
    ["a scheme change", `https://127.0.0.1:${fx.api.port}${feedPath}/audit/x`],
  ];

  it("refuses a hostile contentUri before any request: the foreign server hears nothing, the API nothing either", async () => {
    const { client, events, requests } = fx.client();
    for (const [what, contentUri] of hostile()) {
      const err = await client.fetchContent(contentUri).catch((e) => e);
      expect({ what, code: err.code, transient: err.transient }).toEqual({ what, code: "HostNotAllowed", transient: false });
      expect(err.message).toContain(fx.api.url);
      expect(err.message).not.toMatch(/tok-\d/);
    }
    expect(fx.foreign.requests).toEqual([]);
    expect(fx.api.requests).toEqual([]);
    expect(requests).toEqual([]);
    expect(events.filter((e) => e.type === "hostRefused")).toHaveLength(hostile().length);
    expect(JSON.stringify(events)).not.toMatch(/tok-\d/);
  });

  it("refuses a NextPageUri pointing elsewhere after yielding the page it came with", async () => {
    fx.api.script = (_req, res) =>
      sendJson(res, 200, [blob(1, fx.api.url)], { NextPageUri: `${fx.foreign.url}${feedPath}/subscriptions/content?nextPage=2` });
    const { client } = fx.client();
    const seen: string[] = [];
    const err = await (async () => {
      for await (const ref of client.listContent("Audit.Exchange", new Date(Date.now() - 3600_000), new Date())) seen.push(ref.contentId);
    })().catch((e) => e);
    expect(seen).toEqual([blob(1, fx.api.url).contentId]);
    expect(err.code).toBe("HostNotAllowed");
    expect(fx.foreign.requests).toEqual([]);
  });

  it("does not follow a redirect off the API origin", async () => {
    fx.api.script = (_req, res) => res.writeHead(302, { location: `${fx.foreign.url}/steal` }).end();
    const err = await fx.client().client.fetchContent(blob(1, fx.api.url).contentUri).catch((e) => e);
    expect(err.code).toBe("HostNotAllowed");
    expect(fx.foreign.requests).toEqual([]);
  });

  it("adds PublisherIdentifier to a contentUri that lacks it and keeps one that has it", async () => {
    fx.api.script = (_req, res) => sendJson(res, 200, records);
    const { client } = fx.client();
    await client.fetchContent(blob(1, fx.api.url).contentUri);
    await client.fetchContent(`${blob(2, fx.api.url).contentUri}?PublisherIdentifier=${publisherId}`);
    expect(fx.api.requests.map((r) => r.query.getAll("PublisherIdentifier"))).toEqual([[publisherId], [publisherId]]);
  });
});

describe("blob size cap", () => {
  const big = Array.from({ length: 200 }, (_, i) => ({ Id: `record-${i}`, Operation: "MailItemsAccessed" }));
  const bigText = JSON.stringify(big);

  it("refuses a blob whose Content-Length exceeds maxBlobBytes, naming the cap and the setting to raise", async () => {
    fx.api.script = (_req, res) => sendJson(res, 200, big);
    const { client } = fx.client({ maxBlobBytes: 1024 });
    const err = await client.fetchContent(blob(1, fx.api.url).contentUri).catch((e) => e);
    expect(err).toMatchObject({ code: "BlobTooLarge", transient: false });
    expect(err.message).toMatch(/above the cap of 1024 bytes/);
    expect(err.message).toMatch(/MAX_BLOB_BYTES/);
    expect(fx.api.requests).toHaveLength(1);
  });

  it("counts streamed bytes when no Content-Length is announced, and stops reading at the cap", async () => {
    fx.api.script = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }); // chunked
      for (let i = 0; i < bigText.length; i += 512) res.write(bigText.slice(i, i + 512));
      res.end();
    };
    const err = await fx.client({ maxBlobBytes: 2048 }).client.fetchContent(blob(1, fx.api.url).contentUri).catch((e) => e);
    expect(err).toMatchObject({ code: "BlobTooLarge", transient: false });
    expect(fx.api.requests).toHaveLength(1);
  });

  it("accepts a blob at or under the cap and reports its size", async () => {
    fx.api.script = (_req, res) => sendJson(res, 200, big);
    const got = await fx.client({ maxBlobBytes: bigText.length }).client.fetchContent(blob(1, fx.api.url).contentUri);
    expect(got).toEqual({ records: big, bytes: bigText.length });
  });
});

describe("configuration", () => {
  it("refuses a plain-http API base URL that is not loopback", () => {
    expect(() => fx.client({ baseUrl: "http://manage.office.com" })).toThrow(expect.objectContaining({ code: "InsecureEndpoint" }));
  });

  it("defaults to the Enterprise API host and its scope, and follows the configured cloud", async () => {
    const { client } = fx.client({ baseUrl: undefined });
    expect([client.apiBaseUrl, client.tokenScope]).toEqual(["https://manage.office.com", "https://manage.office.com/.default"]);
    const dod = fx.client({ baseUrl: undefined, cloud: "DoD" }).client;
    expect([dod.apiBaseUrl, dod.tokenScope]).toEqual([
      "https://manage.protection.apps.mil",
      "https://manage.protection.apps.mil/.default",
    ]);
    expect(dod.isAllowedUrl("https://manage.protection.apps.mil/api/v1.0/t/activity/feed/audit/x")).toBe(true);
    expect(dod.isAllowedUrl("https://manage.office.com/api/v1.0/t/activity/feed/audit/x")).toBe(false);
  });

  it("requests the token for the configured scope from the configured authority", async () => {
    fx.api.script = (_req, res) => sendJson(res, 200, records);
    await fx.client().client.fetchContent(blob(1, fx.api.url).contentUri);
    expect(new URLSearchParams(fx.login.requests[0].body).get("scope")).toBe("https://manage.office.com/.default");
  });
});
