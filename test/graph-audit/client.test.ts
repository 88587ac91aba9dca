import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { queryRequestBody } from "../../functions/src/graph-audit/query-request";
import { GraphAuditError, GraphAuditErrorCodes, GraphAuditLogClient, graphEndpoint, type GraphAuditLogClientOptions, type GraphAuditLogRecord } from "../../functions/src/graph-audit/index";
import { loadConfig } from "../../functions/src/config";
import { startGraphAuditEmulator, type GraphAuditEmulator, type GraphAuditEmulatorOptions } from "../../local/graph-audit/index";
import { createLocalTls, type LocalTls } from "../../local/tls";
import { EmulatedGraphCredential } from "./graph-credential";
import { DAY, FastClock, TestClock } from "./graph-http";

const T0 = Date.UTC(2026, 10, 24, 10, 0, 0);
const APP_SETTINGS = {
  AzureWebJobsStorage: "UseDevelopmentStorage=true",
  ADX_INGEST_URI: "https://ingest-x.kusto.windows.net",
  AUDIT_LAKE_TENANTS: JSON.stringify([{ tenantId: "00000000-0000-4000-8000-000000000000", credential: { kind: "managedIdentity" }, database: "d", backfill: true }]),
};

describe("Graph audit log query client against the emulator", () => {
  let tls: LocalTls;
  const started: GraphAuditEmulator[] = [];
  beforeAll(async () => {
    tls = await createLocalTls(join(mkdtempSync(join(tmpdir(), "graph-client-test-")), "ca.pem"));
  });
  afterAll(() => Promise.all(started.map((e) => e.close())));

  // 3,000× real time: a 30-day query (about 13 emulated minutes) ends in a quarter of a second
  async function setup(extra: GraphAuditEmulatorOptions = {}, clientOptions: GraphAuditLogClientOptions = {}, now: () => Date = new FastClock(T0, 3000).now) {
    const emu = await startGraphAuditEmulator({ seed: 3, users: 15, now, anchor: new Date(T0), tls, failedShare: 0, ...extra });
    started.push(emu);
    const credential = new EmulatedGraphCredential(emu);
    const client = new GraphAuditLogClient(credential, { baseUrl: `${emu.url}/beta`, tls: { ca: emu.caPem }, pollIntervalMs: 20, maxPollIntervalMs: 200, retryDelayMs: 20, ...clientOptions });
    return { emu, client, credential, tenantId: emu.tenants[0].tenantId };
  }

  async function collect(pages: AsyncIterable<GraphAuditLogRecord[]>): Promise<{ records: GraphAuditLogRecord[]; pages: number }> {
    const records: GraphAuditLogRecord[] = [];
    let n = 0;
    for await (const page of pages) {
      records.push(...page);
      n++;
    }
    return { records, pages: n };
  }

  test("a query over 30 days returns exactly the emulator's ground-truth records, each once, across pages", async () => {
    const { emu, client, credential, tenantId } = await setup({}, { pageSize: 1000 });
    const from = new Date(T0 - 32 * DAY);
    const to = new Date(T0 - 2 * DAY);
    const statuses: string[] = [];
    const { records, pages } = await collect(client.runQuery({ from, to }, { onStatus: (q) => statuses.push(q.status) }));
    const truth = emu.truth.records(tenantId, { from, to });
    expect(truth.length).toBeGreaterThan(5000);
    expect(pages).toBeGreaterThan(5);
    expect(records.map((r) => r.id)).toEqual(truth.map((r) => r.id));
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
    expect(statuses.at(-1)).toBe("succeeded");
    expect(credential.scopes.every((s) => s === "https://graph.microsoft.com/.default")).toBe(true);
  }, 120_000);

  test("filters reach the service: a MailItemsAccessed query for one user returns that user's records only", async () => {
    const { emu, client, tenantId } = await setup();
    const from = new Date(T0 - 20 * DAY);
    const to = new Date(T0 - 13 * DAY);
    const any = emu.truth.records(tenantId, { from, to, operations: ["MailItemsAccessed"] });
    const all = await collect(client.runQuery({ from, to, operations: ["MailItemsAccessed"], recordTypes: ["exchangeItemAggregated"] }));
    expect(all.records.map((r) => r.id)).toEqual(any.map((r) => r.id));
    const user = all.records[0].userPrincipalName!;
    const mine = await collect(client.runQuery({ from, to, operations: ["MailItemsAccessed"], userPrincipalNames: [user] }));
    expect(mine.records.length).toBeGreaterThan(0);
    expect(mine.records.every((r) => r.userPrincipalName === user && r.operation === "MailItemsAccessed")).toBe(true);
  });

  test("throttling (429 with Retry-After) is survived: every record still arrives exactly once", async () => {
    const { emu, client, tenantId } = await setup({ throttleShare: 0.3, injectedRetryAfterSeconds: 1 }, { pageSize: 500 });
    const from = new Date(T0 - 12 * DAY);
    const to = new Date(T0 - 9 * DAY);
    const { records } = await collect(client.runQuery({ from, to }));
    expect(emu.truth.requests(tenantId).throttled).toBeGreaterThan(0);
    expect(records.map((r) => r.id)).toEqual(emu.truth.records(tenantId, { from, to }).map((r) => r.id));
  });

  test("server errors (500, 503 + Retry-After, 504) and dropped connections are retried: every record still arrives exactly once", async () => {
    const { emu, client, tenantId } = await setup({ serverErrorShare: 0.15, resetShare: 0.1, injectedRetryAfterSeconds: 0 }, { pageSize: 500 });
    const from = new Date(T0 - 12 * DAY);
    const to = new Date(T0 - 9 * DAY);
    const { records } = await collect(client.runQuery({ from, to }));
    expect(emu.truth.requests(tenantId).faulted).toBeGreaterThan(0);
    expect(records.map((r) => r.id)).toEqual(emu.truth.records(tenantId, { from, to }).map((r) => r.id));
  });

  test("still throttled after the retries allowed, the call fails with TooManyRequests and how long to wait", async () => {
    const { client } = await setup({ requestsPerWindow: 1, requestWindowMs: 60_000 }, { maxRetries: 0 });
    await client.createQuery({ from: new Date(T0 - 9 * DAY), to: new Date(T0 - 8 * DAY) });
    const error = await client.createQuery({ from: new Date(T0 - 9 * DAY), to: new Date(T0 - 8 * DAY) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphAuditError);
    expect((error as GraphAuditError).code).toBe(GraphAuditErrorCodes.Throttled);
    expect((error as GraphAuditError).status).toBe(429);
    expect((error as GraphAuditError).retryAfterMs).toBeGreaterThan(0);
  });

  test("a failed query surfaces as AuditLogQueryFailed naming the query, its range and what to do", async () => {
    const { client } = await setup({ failedShare: 1 });
    const error = await collect(client.runQuery({ from: new Date(T0 - 9 * DAY), to: new Date(T0 - 8 * DAY) })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphAuditError);
    const e = error as GraphAuditError;
    expect(e.code).toBe(GraphAuditErrorCodes.QueryFailed);
    expect(e.queryId).toMatch(/^[0-9a-f-]{36}$/);
    expect(e.message).toContain(e.queryId!);
    expect(e.message).toContain("status failed");
    expect(e.message).toContain(new Date(T0 - 9 * DAY).toISOString().slice(0, 19));
    expect(e.message).toMatch(/Submit it again/);
  });

  test("a query that does not finish in maxWaitMs stops the wait with AuditLogQueryTimedOut, keeping its id", async () => {
    const frozen = new TestClock(T0);
    const { client } = await setup({}, { maxWaitMs: 300 }, frozen.now);
    const q = await client.createQuery({ from: new Date(T0 - 9 * DAY), to: new Date(T0 - 8 * DAY) });
    const error = (await client.waitForQuery(q.id).catch((e: unknown) => e)) as GraphAuditError;
    expect(error.code).toBe(GraphAuditErrorCodes.QueryTimedOut);
    expect(error.queryId).toBe(q.id);
    expect(error.message).toContain("notStarted");
    // its records are not read as "none" while it runs
    const early = (await collect(client.recordPages(q.id)).catch((e: unknown) => e)) as GraphAuditError;
    expect(early.code).toBe(GraphAuditErrorCodes.QueryNotFinished);
  });

  test("without the audit role the client says which role to grant", async () => {
    const { client } = await setup({ grantedRoles: { 0: ["AuditLog.Read.All"] } });
    const error = (await client.createQuery({ from: new Date(T0 - 9 * DAY), to: new Date(T0 - 8 * DAY) }).catch((e: unknown) => e)) as GraphAuditError;
    expect(error.code).toBe(GraphAuditErrorCodes.MissingPermission);
    expect(error.status).toBe(403);
    expect(error.message).toContain("AuditLogsQuery.Read.All");
    expect(error.message).toContain("admin");
  });

  test("bad arguments fail before any request, saying what to pass", async () => {
    const { client, emu, tenantId } = await setup();
    const before = emu.truth.requests(tenantId);
    await expect(client.createQuery({ from: new Date(T0), to: new Date(T0 - DAY) })).rejects.toMatchObject({ code: GraphAuditErrorCodes.InvalidArgument });
    await expect(client.createQuery({ from: new Date(T0 - DAY), to: new Date(T0), recordTypes: ["MailItemsAccessed"] })).rejects.toThrow(/exchangeItemAggregated/);
    expect(emu.truth.requests(tenantId)).toEqual(before);
  });

  test("the base path is a setting: /beta works the same; the default is Graph's global /v1.0 over HTTPS only, as in the app's settings", async () => {
    const { emu, client: beta } = await setup();
    const v1 = new GraphAuditLogClient(new EmulatedGraphCredential(emu), { baseUrl: `${emu.url}/v1.0`, tls: { ca: emu.caPem }, pollIntervalMs: 20 });
    // "Create auditLogQuery" documents serviceFilter, one string, under both versions
    for (const client of [v1, beta]) {
      const q = await client.createQuery({ from: new Date(T0 - 9 * DAY), to: new Date(T0 - 8 * DAY), service: "Exchange" });
      expect(q.status).toBe("notStarted");
    }
    expect(graphEndpoint().baseUrl).toBe("https://graph.microsoft.com/v1.0");
    expect(new GraphAuditLogClient(new EmulatedGraphCredential(emu)).endpoint.baseUrl).toBe(loadConfig(APP_SETTINGS).graphAudit.baseUrl);
    expect(graphEndpoint("/v1.0").baseUrl).toBe("https://graph.microsoft.com/v1.0");
    expect(() => graphEndpoint("http://graph.microsoft.com/beta")).toThrow(GraphAuditError);
    expect(() => graphEndpoint("https://graph.microsoft.com")).toThrow(/\/beta or \/v1\.0/);
  });
  test("a Get answered as {\"value\": {…}}, the shape v1.0's Get auditLogQuery example prints, is read like the plain entity", async () => {
    const { emu, client, tenantId } = await setup({ variants: { 0: { wrappedGet: true } } });
    const from = new Date(T0 - 12 * DAY);
    const to = new Date(T0 - 11 * DAY);
    const created = await client.createQuery({ from, to });
    const done = await client.waitForQuery(created.id);
    expect(done).toMatchObject({ id: created.id, status: "succeeded", filterStartDateTime: from.toISOString().replace(".000Z", "Z") });
    const { records } = await collect(client.recordPages(created.id));
    expect(records.map((r) => r.id)).toEqual(emu.truth.records(tenantId, { from, to }).map((r) => r.id));
  });

  test("a Get answer that is no query at all (no id, no status) is a MalformedResponse, not a query still running", async () => {
    const { client } = await setup({ variants: { 0: { malformedGet: true } } });
    const created = await client.createQuery({ from: new Date(T0 - 12 * DAY), to: new Date(T0 - 11 * DAY) });
    await expect(client.getQuery(created.id)).rejects.toMatchObject({ code: GraphAuditErrorCodes.MalformedResponse, message: expect.stringMatching(/not an audit log query/) });
  });

  test("list-records refusing $top (400) is asked again once without it; every record arrives once and later queries leave $top out", async () => {
    const { emu, client, tenantId } = await setup({ variants: { 0: { refuseTop: true } } }, { pageSize: 500 });
    const from = new Date(T0 - 12 * DAY);
    const to = new Date(T0 - 10 * DAY);
    const { records, pages } = await collect(client.runQuery({ from, to }));
    expect(pages).toBeGreaterThan(1); // the service's own page size (150) instead of 500
    expect(records.map((r) => r.id)).toEqual(emu.truth.records(tenantId, { from, to }).map((r) => r.id));
    const created = await client.createQuery({ from: new Date(T0 - 9 * DAY), to: new Date(T0 - 8 * DAY) });
    expect(client.firstRecordsPage(created.id)).not.toContain("$top");
    // a 400 on a page without $top is the service's answer, not retried
    await expect(client.recordPage(created.id, `${client.firstRecordsPage(created.id)}?$skiptoken=bm9wZQ`)).rejects.toMatchObject({ status: 400 });
  });

  test("every record type Graph documents is accepted, in either case, and sent as the create page spells it", async () => {
    const { emu, client, tenantId } = await setup();
    const q = await client.createQuery({ from: new Date(T0 - 9 * DAY), to: new Date(T0 - 8 * DAY), recordTypes: ["threatIntelligence", "MicrosoftTeamsAdmin", "MDASH"] });
    expect(q.status).toBe("notStarted");
    expect(emu.truth.queries(tenantId).at(-1)).toMatchObject({ filter: { recordTypeFilters: ["threatIntelligence", "microsoftTeamsAdmin", "mdash"] } });
    expect(() => queryRequestBody({ from: new Date(T0 - DAY), to: new Date(T0), recordTypes: ["mailItemsAccessed"] })).toThrow(/"mailItemsAccessed": Graph documents 275 auditLogRecordType members/);
  });
});
