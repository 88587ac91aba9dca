// The webhook handler as the Management Activity API calls it: handshake, Webhook-AuthID, notifications that go
// through the same ledger and queue as listed blobs.
import { HttpRequest, InvocationContext } from "@azure/functions";
import { webhook } from "../../functions/src/handlers/webhook";
import { TableClient } from "@azure/data-tables";
import { auditLake, closeAuditLake } from "../../functions/src/composition-root";
import { LEDGER_TABLE } from "../../functions/src/state/content-ledger";
import { ledgerKeys } from "../../functions/src/state/ledger-entry";
import type { ContentBlobRef } from "../../functions/src/management-api";
import { seenTwice, startFixture, takeAll, type Fixture, type Lane } from "./engine-fixture";

const AUTH_ID = "a-long-shared-webhook-secret";
let f: Fixture;
let lane: Lane;
let restore: NodeJS.ProcessEnv;

beforeAll(async () => {
  f = await startFixture({ seed: 13, tenants: 1 });
  lane = await f.lane(0, { WEBHOOK_AUTH_ID: AUTH_ID }, { contentTypes: ["Audit.Exchange", "Audit.SharePoint"] });
  restore = { ...process.env };
  Object.assign(process.env, lane.settings);
}, 120_000);
afterAll(async () => {
  process.env = restore;
  await closeAuditLake();
  await f?.close();
});

/** What the handler logged through its invocation context, as the host prints it. */
const hostLog: Array<{ level: string; text: string; fields: Record<string, unknown> }> = [];

function post(body: unknown, headers: Record<string, string>): Promise<{ status?: number; body?: unknown; jsonBody?: unknown }> {
  const request = new HttpRequest({
    method: "POST",
    url: "http://localhost/api/webhook",
    headers: { "content-type": "application/json", ...headers },
    body: { string: JSON.stringify(body) },
  });
  const logHandler = (level: string, ...args: unknown[]) =>
    hostLog.push({ level, text: String(args[0]), fields: typeof args[1] === "object" && args[1] !== null ? { ...(args[1] as object) } : {} });
  return webhook(request, new InvocationContext({ functionName: "webhook", logHandler }));
}

test("requests without the right Webhook-AuthID are refused with 401", async () => {
  expect((await post({ validationCode: "x" }, { "Webhook-ValidationCode": "x" })).status).toBe(401);
  expect((await post({ validationCode: "x" }, { "Webhook-ValidationCode": "x", "Webhook-AuthID": "wrong" })).status).toBe(401);
  expect((await post([], { "Webhook-AuthID": AUTH_ID.slice(0, -1) })).status).toBe(401);
});

test("the validation handshake is answered with 200", async () => {
  const res = await post({ validationCode: "b6e1a5d0c3" }, { "Webhook-ValidationCode": "b6e1a5d0c3", "Webhook-AuthID": AUTH_ID });
  expect(res.status).toBe(200);
  expect(res.body).toBe("b6e1a5d0c3");
});

test("a notification's contentUri must be its tenant's own feed path for its contentId; a forged claim neither lands nor hides the real blob", async () => {
  const engine = lane.engine();
  const client = engine.tenants.get(lane.tenantId)!.client;
  const listed: ContentBlobRef[] = [];
  for await (const b of client.listContent("Audit.SharePoint", new Date(f.now().getTime() - 6 * 24 * 3600_000), f.now())) listed.push(b);
  expect(listed.length).toBeGreaterThan(1);
  const [real, other] = listed;
  const api = f.cloud.managementApi;
  const otherTenant = "00000000-0000-4000-8000-0000000000aa";
  const forged = (contentUri: string) => ({ ...real, contentUri, tenantId: lane.tenantId, clientId: "client" });
  const hostile = [
    forged(`${api}/api/v1.0/${otherTenant}/activity/feed/audit/${real.contentId}`), // another tenant's feed, on our tenant's token
    forged(`${api}/api/v1.0/${lane.tenantId}/activity/feed/subscriptions/content`), // another operation of the API
    forged(other.contentUri), // another blob's path: would pre-claim this contentId with the wrong content
    forged(`${real.contentUri}?PublisherIdentifier=${otherTenant}`), // someone else's throttling quota
  ];
  hostLog.length = 0;
  const res = await post(hostile, { "Webhook-AuthID": AUTH_ID });
  expect(res.jsonBody).toEqual({ enqueued: 0, known: 0, rejected: 4 });
  expect(await takeAll(lane.queue)).toEqual([]);
  const refusals = hostLog.filter((l) => l.fields.code === "ForeignContentUri");
  expect(refusals).toHaveLength(4);
  for (const r of refusals) expect(r.text).toMatch(new RegExp(`feed path for contentId|query or fragment`));

  // Nothing claimed the contentId, so the planner enqueues the real blob with the listed contentUri.
  await engine.planner.planOne(engine.tenants.get(lane.tenantId)!, "Audit.SharePoint", lane.log);
  const messages = await takeAll(lane.queue);
  expect(messages.filter((m) => m.contentId === real.contentId)).toEqual([expect.objectContaining({ contentUri: real.contentUri })]);
  expect((await engine.ledger.get({ ...real, tenantId: lane.tenantId }))?.contentUri).toBe(real.contentUri);
});

test("announced blobs are enqueued once, and the planner does not enqueue them again", async () => {
  const engine = lane.engine();
  const client = engine.tenants.get(lane.tenantId)!.client;
  const listed: ContentBlobRef[] = [];
  for await (const b of client.listContent("Audit.Exchange", new Date(f.now().getTime() - 24 * 3600_000), f.now())) listed.push(b);
  expect(listed.length).toBeGreaterThan(3);
  const announced = listed.slice(0, 3).map((b) => ({ ...b, tenantId: lane.tenantId, clientId: "client" }));

  const first = await post(announced, { "Webhook-AuthID": AUTH_ID });
  expect(first).toEqual(expect.objectContaining({ status: 200, jsonBody: { enqueued: 3, known: 0, rejected: 0 } }));
  // The API retries notifications: a repeat finds them in the ledger.
  expect((await post(announced, { "Webhook-AuthID": AUTH_ID })).jsonBody).toEqual({ enqueued: 0, known: 3, rejected: 0 });

  const results = await engine.planner.run(lane.log);
  const exchange = results.find((r) => r.contentType === "Audit.Exchange")!;
  expect(exchange.known).toBe(3);
  const messages = await takeAll(lane.queue);
  expect(seenTwice(messages, (m) => m.contentId)).toEqual([]);
  for (const a of announced) expect(messages.filter((m) => m.contentId === a.contentId)).toHaveLength(1);
});

test("notifications for a foreign host, another tenant or an uncollected content type are rejected, not enqueued", async () => {
  const created = new Date(f.now().getTime() - 3600_000);
  const base = {
    tenantId: lane.tenantId,
    clientId: "client",
    contentType: "Audit.Exchange",
    contentCreated: created.toISOString(),
    contentExpiration: new Date(created.getTime() + 7 * 86400_000).toISOString(),
  };
  const hostile = [
    { ...base, contentId: "foreign-host", contentUri: "https://evil.example/api/v1.0/x/activity/feed/audit/1" },
    { ...base, contentId: "other-tenant", tenantId: "00000000-0000-4000-8000-000000000001", contentUri: `${f.cloud.managementApi}/api/v1.0/x/activity/feed/audit/2` },
    { ...base, contentId: "dlp", contentType: "DLP.All", contentUri: `${f.cloud.managementApi}/api/v1.0/${lane.tenantId}/activity/feed/audit/3` },
    { nonsense: true },
  ];
  const res = await post(hostile, { "Webhook-AuthID": AUTH_ID });
  expect(res.jsonBody).toEqual({ enqueued: 0, known: 0, rejected: 4 });
  expect(await takeAll(lane.queue)).toEqual([]);
});

test("a ledger claim holding another contentUri is corrected by the listing; the worker refuses the forged URI and a requeue fetches the listed one", async () => {
  const engine = lane.engine();
  const tenant = engine.tenants.get(lane.tenantId)!;
  await engine.planner.planOne(tenant, "Audit.Exchange", lane.log);
  await takeAll(lane.queue);
  const listed: ContentBlobRef[] = [];
  for await (const b of tenant.client.listContent("Audit.Exchange", new Date(f.now().getTime() - 6 * 24 * 3600_000), f.now())) listed.push(b);
  const real = { ...listed[listed.length - 1], tenantId: lane.tenantId };
  // What a notification could claim before contentUris were pinned: the real contentId, another operation's path.
  const forged = { ...real, contentUri: `${f.cloud.managementApi}/api/v1.0/${lane.tenantId}/activity/feed/subscriptions/content` };
  const table = TableClient.fromConnectionString(f.cloud.storage.connectionString, LEDGER_TABLE, { allowInsecureConnection: true });
  await table.updateEntity({ ...ledgerKeys(real), contentUri: forged.contentUri, state: "queued" }, "Merge");
  const claim = (await engine.ledger.get(real))!;
  await engine.intake.readmit([{ ref: forged, etag: claim.etag! }]);

  await engine.planner.planOne(tenant, "Audit.Exchange", lane.log);
  expect((await engine.ledger.get(real))?.contentUri).toBe(real.contentUri);
  expect(lane.logs.lines).toContainEqual(expect.objectContaining({ level: "warn", fields: expect.objectContaining({ contentId: real.contentId, outcome: "contentUriCorrected" }) }));

  // The message already queued still carries the forged URI: refused before any request, quarantined at once.
  await lane.drain(engine);
  expect(await engine.ledger.get(real)).toEqual(expect.objectContaining({ state: "failed", lastErrorCode: "ForeignContentUri", contentUri: real.contentUri }));

  expect(await auditLake(engine).admin.requeue({ tenantId: lane.tenantId, select: "failed" }, { kind: "all", operator: "test" })).toMatchObject({ requeued: 1 });
  await lane.drain(engine);
  expect(await engine.ledger.get(real)).toEqual(expect.objectContaining({ state: "ingested", contentUri: real.contentUri }));
}, 180_000);
