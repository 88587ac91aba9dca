import { AzureLogger, setLogLevel } from "@azure/logger";
import packageJson from "../../package.json";
import { type Fixture, blob, startFixture, tenantId } from "./fixture";
import { sendJson } from "./scripted-server";

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(() => fx.close());
beforeEach(() => fx.reset());

describe("the client's HTTP pipeline", () => {
  it("names itself m365-audit-lake/<version> and gives every request its own client-request-id", async () => {
    fx.api.script = (_req, res) => sendJson(res, 200, [{ Id: "r1" }]);
    const { client } = fx.client();
    await client.fetchContent(blob(1, fx.api.url).contentUri);
    await client.fetchContent(blob(2, fx.api.url).contentUri);
    const [a, b] = fx.api.requests;
    expect(a.headers["user-agent"]).toMatch(new RegExp(`^m365-audit-lake/${packageJson.version.replace(/\./g, "\\.")} `));
    expect(a.headers["x-ms-client-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.headers["x-ms-client-request-id"]).not.toBe(a.headers["x-ms-client-request-id"]);
  });

  it("logs requests and retries through @azure/logger without ever writing the token", async () => {
    fx.api.script = (_req, res, n) => (n === 1 ? sendJson(res, 503, { error: { code: "AF50000", message: "x" } }) : sendJson(res, 200, []));
    const lines: string[] = [];
    const original = AzureLogger.log;
    AzureLogger.log = (...args: unknown[]) => lines.push(args.map(String).join(" "));
    setLogLevel("info");
    try {
      await fx.client().client.fetchContent(blob(1, fx.api.url).contentUri);
    } finally {
      setLogLevel(undefined);
      AzureLogger.log = original;
    }
    const ours = lines.filter((l) => l.includes("m365-audit-lake:management-api"));
    expect(ours.some((l) => /Request: \{/.test(l))).toBe(true);
    expect(ours.some((l) => /Retry 1/.test(l))).toBe(true);
    expect(lines.join("\n")).not.toMatch(/tok-\d/);
  });

  it("logs each client decision as one line of named fields: tenant, stage, outcome, code", async () => {
    fx.api.script = (_req, res, n) => (n === 1 ? sendJson(res, 500, { error: { code: "AF50000", message: "x" } }) : sendJson(res, 200, []));
    const lines: string[] = [];
    const original = AzureLogger.log;
    AzureLogger.log = (...args: unknown[]) => lines.push(args.map(String).join(" "));
    setLogLevel("info");
    try {
      await fx.client().client.fetchContent(blob(1, fx.api.url).contentUri);
    } finally {
      setLogLevel(undefined);
      AzureLogger.log = original;
    }
    const decisions = lines.flatMap((l) => {
      const at = l.indexOf("{\"tenant\"");
      return at === -1 ? [] : [JSON.parse(l.slice(at)) as Record<string, unknown>];
    });
    expect(decisions).toContainEqual(expect.objectContaining({ tenant: tenantId, stage: "content", outcome: "retry", code: "AF50000", attempt: 1 }));
  });

  it("does not follow a redirect even on the API origin: RedirectRefused, one request", async () => {
    fx.api.script = (_req, res) => res.writeHead(301, { location: `${fx.api.url}/elsewhere` }).end();
    const err = await fx.client().client.fetchContent(blob(1, fx.api.url).contentUri).catch((e) => e);
    expect(err).toMatchObject({ code: "RedirectRefused", transient: false });
    expect(fx.api.requests).toHaveLength(1);
  });
});
