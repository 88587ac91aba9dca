import { afError, sendJson } from "./scripted-server";
import { type Fixture, blob, feedPath, startFixture } from "./fixture";

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(() => fx.close());
beforeEach(() => fx.reset());

const uri = () => blob(1, fx.api.url).contentUri;
const records = [{ Id: "r1" }, { Id: "r2" }];

describe("transient failures are retried", () => {
  it("retries AF429 sent as HTTP 403 (matched on the code in the body)", async () => {
    fx.api.script = (_req, res, n) =>
      n === 1 ? afError(res, 403, "AF429", "Too many requests. Method=GetBlob") : sendJson(res, 200, records);
    const { client, requests, events } = fx.client();
    await expect(client.fetchContent(uri())).resolves.toEqual({ records, bytes: JSON.stringify(records).length });
    expect(requests).toEqual([
      { operation: "content", status: 403, attempt: 1 },
      { operation: "content", status: 200, attempt: 2 },
    ]);
    expect(events).toContainEqual(expect.objectContaining({ type: "retry", operation: "content", code: "AF429" }));
  });

  it("waits as long as Retry-After says before trying again", async () => {
    const at: number[] = [];
    fx.api.script = (_req, res, n) => {
      at.push(Date.now());
      return n === 1 ? afError(res, 429, "AF429", "Too many requests", { "Retry-After": "1" }) : sendJson(res, 200, records);
    };
    const { client } = fx.client();
    await client.fetchContent(uri());
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(990);
  });

  it("retries the service's internal errors (AF50000, AF50005) until an answer comes", async () => {
    fx.api.script = (_req, res, n) =>
      n === 1 ? afError(res, 500, "AF50000", "internal") : n === 2 ? afError(res, 500, "AF50005", "internal") : sendJson(res, 200, records);
    const { client } = fx.client();
    await expect(client.fetchContent(uri())).resolves.toMatchObject({ records });
    expect(fx.api.requests).toHaveLength(3);
  });

  it("gives up after maxRetries with a transient error saying so", async () => {
    fx.api.script = (_req, res) => res.writeHead(503).end("busy");
    const { client } = fx.client({ retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 10 } });
    const err = await client.fetchContent(uri()).catch((e) => e);
    expect(err).toMatchObject({ code: "HTTP503", status: 503, transient: true });
    expect(err.message).toMatch(/gave up after 3 attempts/);
    expect(fx.api.requests).toHaveLength(3);
  });

  it("retries a body cut short mid-stream and a complete-looking but truncated JSON body", async () => {
    fx.api.script = (_req, res, n) => {
      if (n === 1) {
        res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
        res.write('[{"Id":"r1"},');
        setTimeout(() => res.socket?.destroy(), 10);
        return;
      }
      if (n === 2) return res.writeHead(200, { "content-type": "application/json" }).end('[{"Id":"r1"},{"Id":');
      sendJson(res, 200, records);
    };
    const { client } = fx.client();
    await expect(client.fetchContent(uri())).resolves.toMatchObject({ records });
    expect(fx.api.requests).toHaveLength(3);
  });

  it("reports MalformedResponse when every answer is truncated", async () => {
    fx.api.script = (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end('[{"Id":"r1"');
    const { client } = fx.client({ retry: { maxRetries: 1, baseDelayMs: 1 } });
    await expect(client.fetchContent(uri())).rejects.toMatchObject({ code: "MalformedResponse", transient: true });
  });

  it("retries a reset connection, and reports ConnectionReset when resets persist", async () => {
    fx.api.script = (_req, res, n) => (n === 1 ? res.socket?.destroy() : sendJson(res, 200, records));
    const { client, requests } = fx.client();
    await expect(client.fetchContent(uri())).resolves.toMatchObject({ records });
    expect(requests.map((r) => r.status)).toEqual([0, 200]);

    fx.api.script = (_req, res) => res.socket?.destroy();
    const err = await fx.client({ retry: { maxRetries: 1, baseDelayMs: 1 } }).client.fetchContent(uri()).catch((e) => e);
    expect(err).toMatchObject({ code: "ConnectionReset", status: 0, transient: true });
  });

  it("times out a slow response (headers or body) per attempt and retries", async () => {
    // The slow answers never come while the client waits: it can only succeed through its per-attempt timeout (no
    // wall-clock bound to assert, so a loaded machine cannot fail this).
    const held: Array<() => void> = [];
    fx.api.script = (_req, res, n) => {
      if (n === 1) return void held.push(() => sendJson(res, 200, records)); // headers never sent
      if (n === 2) {
        res.writeHead(200, { "content-type": "application/json" });
        res.write("[");
        return void held.push(() => res.end("]")); // body stalls
      }
      sendJson(res, 200, records);
    };
    const { client, events } = fx.client({ requestTimeoutMs: 200 });
    try {
      await expect(client.fetchContent(uri())).resolves.toMatchObject({ records });
      expect(fx.api.requests).toHaveLength(3);
      expect(events.filter((e) => e.type === "retry").map((e) => (e as { code: string }).code)).toEqual(["Timeout", "Timeout"]);
    } finally {
      for (const release of held) release();
    }
  });

  it("gets a fresh token after a 401 and repeats the call once", async () => {
    fx.api.script = (req, res) =>
      req.headers.authorization === "Bearer tok-1"
        ? afError(res, 401, "Unauthorized", "Authorization has been denied for this request.")
        : sendJson(res, 200, records);
    const { client, events } = fx.client();
    await expect(client.fetchContent(uri())).resolves.toMatchObject({ records });
    expect(fx.api.requests.map((r) => r.headers.authorization)).toEqual(["Bearer tok-1", "Bearer tok-2"]);
    expect(fx.login.requests).toHaveLength(2);
    expect(events).toContainEqual({ type: "tokenRefreshed", operation: "content" });
  });

  it("survives a fresh token being revoked too, refreshing on every 401 within the retry budget", async () => {
    fx.api.script = (req, res) =>
      ["Bearer tok-1", "Bearer tok-2"].includes(req.headers.authorization ?? "")
        ? afError(res, 401, "Unauthorized", "Authorization has been denied for this request.")
        : sendJson(res, 200, records);
    await expect(fx.client().client.fetchContent(uri())).resolves.toMatchObject({ records });
    expect(fx.api.requests.map((r) => r.headers.authorization)).toEqual(["Bearer tok-1", "Bearer tok-2", "Bearer tok-3"]);
  });

  it("does not loop on a 401 that fresh tokens do not cure: Unauthorized once the retry budget is spent", async () => {
    fx.api.script = (_req, res) => afError(res, 401, "Unauthorized", "Authorization has been denied for this request.");
    const { client } = fx.client({ retry: { maxRetries: 2, baseDelayMs: 1 } });
    const err = await client.fetchContent(uri()).catch((e) => e);
    expect(err).toMatchObject({ code: "Unauthorized", status: 401, transient: false });
    expect(fx.api.requests.map((r) => r.headers.authorization)).toEqual(["Bearer tok-1", "Bearer tok-2", "Bearer tok-3", "Bearer tok-4"]);
    expect(err.message).toMatch(/consent/);
    expect(err.message).not.toMatch(/tok-\d/);
  });

  it("does not retry a 401 carrying a tenant error code beyond the one fresh token", async () => {
    fx.api.script = (_req, res) => afError(res, 401, "AF20010", "The tenant ID passed in the URL does not match the token.");
    const err = await fx.client().client.fetchContent(uri()).catch((e) => e);
    expect(err).toMatchObject({ code: "AF20010", transient: false });
    expect(fx.api.requests).toHaveLength(2);
  });

  it("shares one token between concurrent calls of a shared client", async () => {
    fx.api.script = (_req, res) => sendJson(res, 200, records);
    const { client } = fx.client();
    await Promise.all(Array.from({ length: 20 }, () => client.fetchContent(uri())));
    expect(fx.login.requests).toHaveLength(1);
    expect(fx.api.requests).toHaveLength(20);
  });

  it("stops at once when the caller aborts during a backoff", async () => {
    // A ten-minute backoff: were the abort not honoured during it, the call would outlive the test's timeout.
    const ac = new AbortController();
    fx.api.script = (_req, res) => {
      afError(res, 500, "AF50000", "internal");
      res.on("finish", () => setTimeout(() => ac.abort(new Error("shutting down")), 50));
    };
    const { client } = fx.client({ retry: { maxRetries: 10, baseDelayMs: 600_000, maxDelayMs: 600_000 } });
    const err = await client.fetchContent(uri(), { signal: ac.signal }).catch((e) => e);
    expect(err.message).toBe("shutting down");
    expect(fx.api.requests).toHaveLength(1);
  });
});

describe("permanent failures are not retried and say what to fix", () => {
  it("missing permission (AF10001)", async () => {
    fx.api.script = (_req, res) => afError(res, 403, "AF10001", "The permission set () sent in the request does not include the expected permission.");
    const err = await fx.client().client.fetchContent(uri()).catch((e) => e);
    expect(err).toMatchObject({ name: "ManagementApiError", code: "AF10001", status: 403, transient: false });
    expect(err.message).toMatch(/ActivityFeed\.Read.*admin consent/s);
    expect(fx.api.requests).toHaveLength(1);
  });

  it("audit logging switched off", async () => {
    fx.api.script = (_req, res) => afError(res, 400, "AF20011", "Tenant 11111111-2222-3333-4444-555555555555 does not exist.");
    const { client } = fx.client();
    const err = await (async () => {
      for await (const _ of client.listContent("Audit.Exchange", new Date(Date.now() - 3600_000), new Date()));
    })().catch((e) => e);
    expect(err).toMatchObject({ code: "AuditLoggingDisabled", transient: false });
    expect(err.message).toMatch(/turn it on in Microsoft Purview/i);
    expect(fx.api.requests.filter((r) => r.path.startsWith(feedPath))).toHaveLength(1);
  });

  it("expired content (AF20051)", async () => {
    fx.api.script = (_req, res) => afError(res, 400, "AF20051", "Content requested with the key has already expired.");
    const err = await fx.client().client.fetchContent(uri()).catch((e) => e);
    expect(err).toMatchObject({ code: "AF20051", transient: false });
    expect(fx.api.requests).toHaveLength(1);
  });
});
