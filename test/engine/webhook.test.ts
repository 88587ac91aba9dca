// The webhook handler as the Management Activity API calls it: handshake, Webhook-AuthID, notifications that go
// through the same ledger and queue as listed blobs.
import { HttpRequest, InvocationContext } from "@azure/functions";
import { webhook } from "../../functions/src/handlers/webhook";
import { closeAuditLake } from "../../functions/src/composition-root";
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

function post(body: unknown, headers: Record<string, string>): Promise<{ status?: number; body?: unknown; jsonBody?: unknown }> {
  const request = new HttpRequest({
    method: "POST",
    url: "http://localhost/api/webhook",
    headers: { "content-type": "application/json", ...headers },
    body: { string: JSON.stringify(body) },
  });
  return webhook(request, new InvocationContext({ functionName: "webhook" }));
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
