import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GraphAuditError, GraphAuditErrorCodes, GraphAuditLogClient, RECORD_TYPE_NUMBERS, unwrapAuditLogRecord, type GraphAuditLogRecord } from "../../functions/src/graph-audit/index";
import { startGraphAuditEmulator, type GraphAuditEmulator } from "../../local/graph-audit/index";
import { RECORD_TYPE_NAMES } from "../../local/graph-audit/record-types";
import { CONTENT_TYPES, startManagementApiEmulator, type ManagementApiEmulator } from "../../local/management-api/index";
import { createLocalTls } from "../../local/tls";
import { FeedClient, json } from "../emulator/feed-client";
import { EmulatedGraphCredential } from "./graph-credential";
import { DAY, TestClock } from "./graph-http";

type FeedRecord = Record<string, unknown> & { Id: string; RecordType: number };
const T0 = Date.UTC(2026, 10, 24, 10, 0, 0);

describe("unwrapAuditLogRecord", () => {
  describe("a record of the last 7 days, landed by both paths", () => {
    const feedClock = new TestClock(T0);
    const graphClock = new TestClock(T0);
    let feed: ManagementApiEmulator;
    let graph: GraphAuditEmulator;
    const fromFeed = new Map<string, FeedRecord>();
    const fromGraph = new Map<string, GraphAuditLogRecord>();

    beforeAll(async () => {
      // same seed, users and clock: the two emulators serve one tenant
      feed = await startManagementApiEmulator({ seed: 4, users: 15, now: feedClock.now, initialSubscriptions: "enabled" });
      const tls = await createLocalTls(join(mkdtempSync(join(tmpdir(), "graph-unwrap-test-")), "ca.pem"));
      graph = await startGraphAuditEmulator({ seed: 4, users: 15, now: graphClock.now, tls, failedShare: 0 });
      expect(graph.anchor).toEqual(feed.anchor);

      const feedClient = new FeedClient(feed);
      for (const contentType of CONTENT_TYPES) {
        const items = await feedClient.listWeek(contentType, T0);
        // a spread of blobs across the week for every content type
        const step = Math.max(1, Math.floor(items.length / 40));
        for (let i = 0; i < items.length; i += step) {
          for (const r of json<FeedRecord[]>(await feedClient.get(items[i].contentUri))) fromFeed.set(r.Id, r);
        }
      }

      const client = new GraphAuditLogClient(new EmulatedGraphCredential(graph), { baseUrl: `${graph.url}/v1.0`, tls: { ca: graph.caPem }, pollIntervalMs: 10 });
      const q = await client.createQuery({ from: new Date(T0 - 7 * DAY), to: new Date(T0) });
      graphClock.advance(DAY);
      await client.waitForQuery(q.id);
      for await (const page of client.recordPages(q.id)) for (const r of page) fromGraph.set(r.id, r);
    });
    afterAll(() => Promise.all([feed?.close(), graph?.close()]));

    test("unwraps to a record deep-equal to the one the Management API serves for the same Id, for every record type", () => {
      expect(fromFeed.size).toBeGreaterThan(200);
      const types = new Set<number>();
      for (const [id, record] of fromFeed) {
        const wrapped = fromGraph.get(id);
        expect(wrapped).toBeDefined();
        expect(unwrapAuditLogRecord(wrapped!)).toEqual(record);
        types.add(record.RecordType);
      }
      // Exchange (1, 2, 3, 50), SharePoint/OneDrive (4, 6, 14), Entra (8, 15), DLP (11, 13), Power BI and Teams (20, 25)
      expect([...types].sort((a, b) => a - b)).toEqual(expect.arrayContaining([2, 3, 6, 8, 15, 50]));
      expect(types.size).toBeGreaterThanOrEqual(9);
    });

    test("every record the query returned unwraps, keeping its Id and its RecordType", () => {
      for (const wrapped of fromGraph.values()) {
        const record = unwrapAuditLogRecord(wrapped);
        expect(record.Id).toBe(wrapped.id);
        expect(record.CreationTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
        expect(record).not.toHaveProperty("@odata.type");
      }
    });
  });

  test("the client numbers every record type the emulated service names as the service does", () => {
    for (const [number, name] of RECORD_TYPE_NAMES) expect([name, RECORD_TYPE_NUMBERS[name]]).toEqual([name, number]);
  });

  describe("a record whose auditData lacks fields", () => {
    const base: GraphAuditLogRecord = {
      id: "0f6a2f1e-7c1d-4a3b-9e55-6c1f0b9d2a11",
      createdDateTime: "2026-09-14T09:21:37Z",
      auditLogRecordType: "exchangeItemAggregated",
      operation: "MailItemsAccessed",
      organizationId: "11111111-2222-3333-4444-555555555555",
      userType: "regular",
      userId: "alice@contoso.com",
      userPrincipalName: "alice@contoso.com",
      clientIp: "203.0.113.45",
      service: "Exchange",
      objectId: null,
      auditData: { "@odata.type": "#microsoft.graph.security.auditData", MailboxOwnerUPN: "alice@contoso.com", OperationCount: 2 },
    };

    test("takes the common fields from the top level, in the Management API's form", () => {
      expect(unwrapAuditLogRecord(base)).toEqual({
        Id: base.id,
        CreationTime: "2026-09-14T09:21:37",
        RecordType: 50,
        Operation: "MailItemsAccessed",
        OrganizationId: "11111111-2222-3333-4444-555555555555",
        UserId: "alice@contoso.com",
        ClientIP: "203.0.113.45",
        Workload: "Exchange",
        UserType: 0,
        MailboxOwnerUPN: "alice@contoso.com",
        OperationCount: 2,
      });
    });

    test("keeps what auditData says over the top level, and reads auditData given as JSON text", () => {
      const record = unwrapAuditLogRecord({ ...base, auditData: JSON.stringify({ Id: base.id, CreationTime: "2026-09-14T09:21:36", RecordType: 2, Operation: "Send", ClientIP: "[2001:db8::1]:443" }) });
      expect(record).toMatchObject({ CreationTime: "2026-09-14T09:21:36", RecordType: 2, Operation: "Send", ClientIP: "[2001:db8::1]:443" });
    });

    test("adds no ClientIP to a record that carries its address in ClientIPAddress, as Exchange mailbox records do", () => {
      const record = unwrapAuditLogRecord({ ...base, auditData: { Id: base.id, CreationTime: "2026-09-14T09:21:36", RecordType: 50, Operation: "MailItemsAccessed", ClientIPAddress: "203.0.113.45:50812" } });
      expect(record.ClientIPAddress).toBe("203.0.113.45:50812");
      expect(record).not.toHaveProperty("ClientIP");
    });

    test("fails with AuditRecordNotUnwrappable naming what is wrong", () => {
      const fails = (r: unknown, pattern: RegExp) => {
        let error: unknown;
        try {
          unwrapAuditLogRecord(r as GraphAuditLogRecord);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(GraphAuditError);
        expect((error as GraphAuditError).code).toBe(GraphAuditErrorCodes.RecordNotUnwrappable);
        expect((error as GraphAuditError).message).toMatch(pattern);
      };
      fails({ ...base, auditLogRecordType: "plannerTask" }, /plannerTask.*record-types\.ts/);
      fails({ ...base, auditData: { Id: "another-id" } }, /differs from the record id/);
      fails({ ...base, createdDateTime: undefined }, /CreationTime nor createdDateTime/);
      fails({ ...base, createdDateTime: "yesterday" }, /"yesterday" is not a date/);
      fails({ ...base, auditData: "{not json" }, /not JSON/);
      fails({ ...base, id: undefined }, /no id/);
      fails(null, /not an object/);
    });
  });
});
