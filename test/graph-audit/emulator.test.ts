import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startGraphAuditEmulator, type GraphAuditEmulator, type GraphAuditEmulatorOptions } from "../../local/graph-audit/index";
import { createLocalTls, type LocalTls } from "../../local/tls";
import { DAY, graphRequest, MINUTE, TestClock } from "./graph-http";

type GraphErrorBody = { error: { code: string; message: string; innerError: Record<string, string> } };
type Query = { id: string; status: string; filterStartDateTime: string; filterEndDateTime: string };
type RecordsPage = { value: Array<Record<string, unknown> & { id: string; createdDateTime: string; auditData: Record<string, unknown> }>; "@odata.nextLink"?: string };

const T0 = Date.UTC(2026, 10, 24, 10, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

describe("Graph audit log query emulator", () => {
  let tls: LocalTls;
  const started: GraphAuditEmulator[] = [];
  beforeAll(async () => {
    tls = await createLocalTls(join(mkdtempSync(join(tmpdir(), "graph-audit-test-")), "ca.pem"));
  });
  afterAll(() => Promise.all(started.map((e) => e.close())));

  async function start(clock: TestClock, extra: GraphAuditEmulatorOptions = {}) {
    const emu = await startGraphAuditEmulator({ seed: 5, users: 12, now: clock.now, tls, failedShare: 0, ...extra });
    started.push(emu);
    const token = emu.issueToken(0).token;
    const base = `${emu.url}/beta/security/auditLog/queries`;
    const call = (method: string, url: string, body?: unknown, bearer: string | null = token) => graphRequest(emu.caPem, method, url, bearer, body);
    return { emu, token, base, call, tenantId: emu.tenants[0].tenantId };
  }

  /** Runs a query to its end on the test clock and reads every page. */
  async function runToEnd(t: Awaited<ReturnType<typeof start>>, clock: TestClock, body: unknown, top?: number) {
    const created = await t.call("POST", t.base, body);
    expect(created.status).toBe(201);
    const q = created.json<Query>();
    clock.advance(DAY);
    const done = await t.call("GET", `${t.base}/${q.id}`);
    expect(done.json<Query>().status).toBe("succeeded");
    const records: RecordsPage["value"] = [];
    let url: string | undefined = `${t.base}/${q.id}/records${top ? `?$top=${top}` : ""}`;
    let pages = 0;
    while (url) {
      const page = await t.call("GET", url);
      expect(page.status).toBe(200);
      const body = page.json<RecordsPage>();
      records.push(...body.value);
      url = body["@odata.nextLink"];
      pages++;
    }
    return { q, records, pages };
  }

  test("a request without a bearer token, or with a token for another audience, is refused in Graph's error shape", async () => {
    const clock = new TestClock(T0);
    const t = await start(clock);
    const none = await t.call("GET", t.base, undefined, null);
    expect(none.status).toBe(401);
    const body = none.json<GraphErrorBody>();
    expect(body.error.code).toBe("InvalidAuthenticationToken");
    expect(body.error.innerError["request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    const manageToken = t.emu.tokens.issue(t.tenantId, t.emu.tenants[0].clientId, "https://manage.office.com", 600).raw;
    const wrong = await t.call("GET", t.base, undefined, manageToken);
    expect(wrong.status).toBe(401);
    expect(wrong.json<GraphErrorBody>().error.message).toMatch(/audience/);
    const unknown = await t.call("GET", t.base, undefined, "emu.not-issued");
    expect(unknown.status).toBe(401);
  });

  test("a query is notStarted, then running, then succeeded on the emulator's clock; its records stay empty until it succeeded", async () => {
    const clock = new TestClock(T0);
    const t = await start(clock);
    const created = await t.call("POST", t.base, { displayName: "week", filterStartDateTime: iso(T0 - 10 * DAY), filterEndDateTime: iso(T0 - 9 * DAY) });
    expect(created.status).toBe(201);
    const q = created.json<Query & { "@odata.context": string }>();
    expect(q.status).toBe("notStarted");
    expect(created.headers.location).toBe(`${t.base}/${q.id}`);
    const statusAt = async () => (await t.call("GET", `${t.base}/${q.id}`)).json<Query>().status;
    const recordsNow = async () => (await t.call("GET", `${t.base}/${q.id}/records`)).json<RecordsPage>().value.length;
    clock.advance(10_000);
    expect(await statusAt()).toBe("notStarted");
    expect(await recordsNow()).toBe(0);
    clock.advance(MINUTE);
    expect(await statusAt()).toBe("running");
    expect(await recordsNow()).toBe(0);
    clock.advance(10 * MINUTE);
    expect(await statusAt()).toBe("succeeded");
    expect(await recordsNow()).toBeGreaterThan(0);
    const list = await t.call("GET", t.base);
    expect(list.json<{ value: Query[] }>().value.map((x) => x.id)).toEqual([q.id]);
    const missing = await t.call("GET", `${t.base}/00000000-0000-4000-8000-000000000000`);
    expect(missing.status).toBe(404);
  });

  test("records come as auditLogRecords wrapping the original record, paged by @odata.nextLink, each exactly once, equal to the ground truth", async () => {
    const clock = new TestClock(T0);
    const t = await start(clock);
    const from = T0 - 12 * DAY;
    const to = T0 - 9 * DAY;
    const { records, pages } = await runToEnd(t, clock, { filterStartDateTime: iso(from), filterEndDateTime: iso(to) }, 100);
    expect(pages).toBeGreaterThan(2);
    const truth = t.emu.truth.records(t.tenantId, { from: new Date(from), to: new Date(to) });
    expect(records.map((r) => r.id)).toEqual(truth.map((r) => r.id));
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
    for (const r of records) {
      const ms = Date.parse(r.createdDateTime);
      expect(ms).toBeGreaterThanOrEqual(from);
      expect(ms).toBeLessThan(to);
      expect(r.createdDateTime.endsWith("Z")).toBe(true);
      expect(r.auditData.Id).toBe(r.id);
      expect(`${r.auditData.CreationTime as string}Z`).toBe(r.createdDateTime);
      expect(r.operation).toBe(r.auditData.Operation);
      expect(r.service).toBe(r.auditData.Workload);
      expect(typeof r.auditLogRecordType).toBe("string");
    }
  });

  test("the API answers under /beta and /v1.0; another version is no route", async () => {
    const clock = new TestClock(T0);
    const t = await start(clock);
    for (const version of ["/beta", "/v1.0"]) {
      const r = await t.call("POST", `${t.emu.url}${version}/security/auditLog/queries`, { filterStartDateTime: iso(T0 - 20 * DAY), filterEndDateTime: iso(T0 - 19 * DAY) });
      expect(r.status).toBe(201);
      expect(r.json<{ "@odata.context": string }>()["@odata.context"]).toContain(`${version}/$metadata`);
    }
    const other = await t.call("GET", `${t.emu.url}/v2.0/security/auditLog/queries`);
    expect(other.status).toBe(400);
  });

  test("filters on operation, user and record type return only matching records, and all of them", async () => {
    const clock = new TestClock(T0);
    const t = await start(clock);
    const from = T0 - 30 * DAY;
    const to = T0 - 23 * DAY;
    const all = t.emu.truth.records(t.tenantId, { from: new Date(from), to: new Date(to), operations: ["MailItemsAccessed"] });
    expect(all.length).toBeGreaterThan(0);
    const first = await runToEnd(t, clock, { filterStartDateTime: iso(from), filterEndDateTime: iso(to), operationFilters: ["mailitemsaccessed"], recordTypeFilters: ["exchangeItemAggregated"] }, 1000);
    expect(first.records.map((r) => r.id)).toEqual(all.map((r) => r.id));
    expect(new Set(first.records.map((r) => r.auditLogRecordType))).toEqual(new Set(["exchangeItemAggregated"]));
    const user = first.records[0].userPrincipalName as string;
    const mine = await runToEnd(t, clock, { filterStartDateTime: iso(from), filterEndDateTime: iso(to), userPrincipalNameFilters: [user.toUpperCase()] }, 1000);
    expect(mine.records.length).toBeGreaterThan(0);
    expect(mine.records.every((r) => r.userPrincipalName === user)).toBe(true);
    expect(mine.records.map((r) => r.id)).toEqual(t.emu.truth.records(t.tenantId, { from: new Date(from), to: new Date(to), users: [user] }).map((r) => r.id));
  });

  test("a bad filter is a 400 that names the property", async () => {
    const clock = new TestClock(T0);
    const t = await start(clock);
    const unknownType = await t.call("POST", t.base, { recordTypeFilters: ["mailItemsAccessed"] });
    expect(unknownType.status).toBe(400);
    expect(unknownType.json<GraphErrorBody>().error.message).toContain("mailItemsAccessed");
    const reversed = await t.call("POST", t.base, { filterStartDateTime: iso(T0 - DAY), filterEndDateTime: iso(T0 - 2 * DAY) });
    expect(reversed.status).toBe(400);
    const badDate = await t.call("POST", t.base, { filterStartDateTime: "last tuesday" });
    expect(badDate.json<GraphErrorBody>().error.message).toContain("filterStartDateTime");
    const unknownProperty = await t.call("POST", t.base, { startTime: iso(T0 - DAY) });
    expect(unknownProperty.json<GraphErrorBody>().error.message).toContain("startTime");
    const created = (await t.call("POST", t.base, { filterStartDateTime: iso(T0 - 9 * DAY), filterEndDateTime: iso(T0 - 8 * DAY) })).json<Query>();
    const badTop = await t.call("GET", `${t.base}/${created.id}/records?$top=5000`);
    expect(badTop.status).toBe(400);
    const badSkip = await t.call("GET", `${t.base}/${created.id}/records?$skiptoken=bm9wZQ`);
    expect(badSkip.status).toBe(400);
  });

  test("over its request budget the API answers 429 TooManyRequests with Retry-After, and serves again once the window passed", async () => {
    const clock = new TestClock(T0);
    const t = await start(clock, { requestsPerWindow: 3, requestWindowMs: 1000 });
    for (let i = 0; i < 3; i++) expect((await t.call("GET", t.base)).status).toBe(200);
    const throttled = await t.call("GET", t.base);
    expect(throttled.status).toBe(429);
    expect(throttled.json<GraphErrorBody>().error.code).toBe("TooManyRequests");
    expect(Number(throttled.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await t.call("GET", t.base)).status).toBe(200);
  });

  test("a tenant at its limit of unfinished queries gets 429 on the next submission", async () => {
    const clock = new TestClock(T0);
    const t = await start(clock, { maxUnfinishedQueries: 1 });
    const body = { filterStartDateTime: iso(T0 - 9 * DAY), filterEndDateTime: iso(T0 - 8 * DAY) };
    expect((await t.call("POST", t.base, body)).status).toBe(201);
    const second = await t.call("POST", t.base, body);
    expect(second.status).toBe(429);
    expect(second.headers["retry-after"]).toBeDefined();
    clock.advance(DAY);
    expect((await t.call("POST", t.base, body)).status).toBe(201);
  });

  test("injected server errors answer 500/503/504 in Graph's shape (503 with Retry-After); injected resets drop the connection", async () => {
    const clock = new TestClock(T0);
    const failing = await start(clock, { serverErrorShare: 1, injectedRetryAfterSeconds: 3 });
    const statuses = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const r = await failing.call("GET", failing.base);
      statuses.add(r.status);
      expect(r.json<GraphErrorBody>().error.code).toMatch(/^(InternalServerError|ServiceUnavailable|GatewayTimeout)$/);
      if (r.status === 503) expect(r.headers["retry-after"]).toBe("3");
    }
    expect([...statuses].every((s) => [500, 503, 504].includes(s))).toBe(true);
    const dropping = await start(clock, { resetShare: 1 });
    await expect(dropping.call("GET", dropping.base)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(dropping.emu.truth.requests(dropping.tenantId).faulted).toBe(1);
  });

  test("a failed query ends with status failed and has no records", async () => {
    const clock = new TestClock(T0);
    const t = await start(clock, { failedShare: 1 });
    const q = (await t.call("POST", t.base, { filterStartDateTime: iso(T0 - 9 * DAY), filterEndDateTime: iso(T0 - 8 * DAY) })).json<Query>();
    clock.advance(DAY);
    expect((await t.call("GET", `${t.base}/${q.id}`)).json<Query>().status).toBe("failed");
    expect((await t.call("GET", `${t.base}/${q.id}/records`)).json<RecordsPage>().value).toEqual([]);
  });

  test("without an audit role the API answers 403 naming the role; a per-workload role allows only its workload's queries", async () => {
    const clock = new TestClock(T0);
    const none = await start(clock, { grantedRoles: { 0: [] } });
    const refused = await none.call("GET", none.base);
    expect(refused.status).toBe(403);
    expect(refused.json<GraphErrorBody>().error.message).toContain("AuditLogsQuery.Read.All");
    const exchange = await start(clock, { grantedRoles: { 0: ["AuditLogsQuery-Exchange.Read.All"] } });
    const body = { filterStartDateTime: iso(T0 - 9 * DAY), filterEndDateTime: iso(T0 - 8 * DAY) };
    expect((await exchange.call("POST", exchange.base, { ...body, recordTypeFilters: ["exchangeItemAggregated"] })).status).toBe(201);
    const everything = await exchange.call("POST", exchange.base, body);
    expect(everything.status).toBe(403);
    expect(everything.json<GraphErrorBody>().error.message).toContain("AuditLogsQuery.Read.All");
  });

  test("a record of the last hours is found only once the service has published it, as the live feed does", async () => {
    const clock = new TestClock(T0);
    const t = await start(clock);
    const range = { filterStartDateTime: iso(T0 - DAY), filterEndDateTime: iso(T0) };
    const early = await runToEnd(t, clock, range, 1000);
    const late = await runToEnd(t, clock, range, 1000);
    expect(early.records.length).toBeLessThan(late.records.length);
    const settled = t.emu.truth.records(t.tenantId, { from: new Date(T0 - DAY), to: new Date(T0), asOf: new Date(T0 + 3 * DAY) });
    expect(late.records.map((r) => r.id)).toEqual(settled.map((r) => r.id));
  });

  test("GET /_emulator/truth/{tenantId} lists the records of a range, the queries and the requests, without a token", async () => {
    const clock = new TestClock(T0);
    const t = await start(clock);
    await runToEnd(t, clock, { filterStartDateTime: iso(T0 - 10 * DAY), filterEndDateTime: iso(T0 - 9 * DAY) }, 1000);
    const r = await t.call("GET", `${t.emu.url}/_emulator/truth/${t.tenantId}?from=${iso(T0 - 10 * DAY)}&to=${iso(T0 - 9 * DAY)}&operation=MailItemsAccessed`, undefined, null);
    expect(r.status).toBe(200);
    const body = r.json<{ records: string[]; recordCount: number; queries: Array<{ status: string; records: number }>; requests: Record<string, number> }>();
    const truth = t.emu.truth.records(t.tenantId, { from: new Date(T0 - 10 * DAY), to: new Date(T0 - 9 * DAY), operations: ["MailItemsAccessed"] });
    expect(body.records).toEqual(truth.map((x) => x.id));
    expect(body.recordCount).toBeGreaterThan(0);
    expect(body.queries).toEqual([expect.objectContaining({ status: "succeeded", records: t.emu.truth.records(t.tenantId, { from: new Date(T0 - 10 * DAY), to: new Date(T0 - 9 * DAY) }).length })]);
    expect(body.requests["POST queries"]).toBe(1);
    expect((await t.call("GET", `${t.emu.url}/_emulator/truth/00000000-0000-4000-8000-000000000000`, undefined, null)).status).toBe(404);
  });

  test("the log reaches back retentionDays and no further", async () => {
    const clock = new TestClock(T0);
    const t = await start(clock, { retentionDays: 30 });
    expect(t.emu.truth.records(t.tenantId, { from: new Date(T0 - 40 * DAY), to: new Date(T0 - 31 * DAY) })).toEqual([]);
    const inside = t.emu.truth.records(t.tenantId, { from: new Date(T0 - 40 * DAY), to: new Date(T0 - 29 * DAY) });
    expect(inside.length).toBeGreaterThan(0);
    expect(Date.parse(inside[0].creationTime)).toBeGreaterThanOrEqual(T0 - 30 * DAY);
  });
  test("a create takes what its page lists: serviceFilter (one string), not the resource page's serviceFilters; every documented record type", async () => {
    const clock = new TestClock(T0);
    const t = await start(clock);
    const range = { filterStartDateTime: iso(T0 - 9 * DAY), filterEndDateTime: iso(T0 - 8 * DAY) };
    const collection = await t.call("POST", t.base, { ...range, serviceFilters: ["Exchange"] });
    expect(collection.status).toBe(400);
    expect(collection.json<GraphErrorBody>().error.message).toContain("serviceFilters");
    expect((await t.call("POST", `${t.emu.url}/v1.0/security/auditLog/queries`, { ...range, serviceFilter: "Exchange" })).status).toBe(201);
    expect((await t.call("POST", t.base, { ...range, serviceFilter: ["Exchange"] })).status).toBe(400);
    expect((await t.call("POST", t.base, { ...range, recordTypeFilters: ["threatIntelligence", "mapgOnboard", "sparkCoreCustomLivePool"] })).status).toBe(201);
  });

  test("documented variants per tenant: a Get wrapped in value, a Get with no query in it, $top refused, a range reaching past its ends", async () => {
    const clock = new TestClock(T0);
    const t = await start(clock, { tenants: 2, variants: { 0: { wrappedGet: true, refuseTop: true, rangeSlackMs: 3_600_000 }, 1: { malformedGet: true } } });
    const from = T0 - 12 * DAY;
    const to = T0 - 11 * DAY;
    const created = (await t.call("POST", t.base, { filterStartDateTime: iso(from), filterEndDateTime: iso(to) })).json<Query>();
    clock.advance(DAY);
    const got = (await t.call("GET", `${t.base}/${created.id}`)).json<{ value: Query }>();
    expect(got.value).toMatchObject({ id: created.id, status: "succeeded", filterEndDateTime: iso(to).replace(".000Z", "Z") });
    const refused = await t.call("GET", `${t.base}/${created.id}/records?$top=100`);
    expect(refused.status).toBe(400);
    expect(refused.json<GraphErrorBody>().error.message).toContain("$top");
    const records: RecordsPage["value"] = [];
    for (let url: string | undefined = `${t.base}/${created.id}/records`; url; ) {
      const page: RecordsPage = (await t.call("GET", url)).json<RecordsPage>();
      records.push(...page.value);
      url = page["@odata.nextLink"];
    }
    const inside = t.emu.truth.records(t.tenantId, { from: new Date(from), to: new Date(to) }).map((r) => r.id);
    const widened = t.emu.truth.records(t.tenantId, { from: new Date(from - 3_600_000), to: new Date(to + 3_600_000) }).map((r) => r.id);
    expect(records.map((r) => r.id)).toEqual(widened);
    expect(widened.length).toBeGreaterThan(inside.length);

    const other = graphRequest.bind(null, t.emu.caPem);
    const token1 = t.emu.issueToken(1).token;
    const q1 = (await other("POST", t.base, token1, { filterStartDateTime: iso(from), filterEndDateTime: iso(to) })).json<Query>();
    const malformed = await other("GET", `${t.base}/${q1.id}`, token1, undefined);
    expect(malformed.status).toBe(200);
    expect(malformed.json<Record<string, unknown>>()).not.toHaveProperty("id");
    expect(malformed.json<Record<string, unknown>>()).not.toHaveProperty("status");
  });
});
