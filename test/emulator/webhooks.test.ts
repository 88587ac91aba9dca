import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startManagementApiEmulator, type ManagementApiEmulator } from "../../local/management-api/index";
import { FeedClient, HOUR, json, TestClock, type ContentItem } from "./feed-client";

type ErrorBody = { error: { code: string; message: string } };
type Notification = ContentItem & { tenantId: string; clientId: string };
const T0 = Date.UTC(2024, 2, 14, 9, 30, 0);

/** A tiny webhook receiver on 127.0.0.1 that records every POST and answers with `status`. */
class Receiver {
  readonly calls: Array<{ headers: IncomingHttpHeaders; body: unknown }> = [];
  status = 200;
  private server!: Server;
  url = "";

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let text = "";
      req.on("data", (c) => (text += c));
      req.on("end", () => {
        this.calls.push({ headers: req.headers, body: JSON.parse(text) });
        res.writeHead(this.status).end();
      });
    });
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/audit-hook`;
    return this;
  }

  notifications(): Notification[] {
    return this.calls.filter((c) => Array.isArray(c.body)).flatMap((c) => c.body as Notification[]);
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("webhooks", () => {
  const clock = new TestClock(T0);
  let emu: ManagementApiEmulator;
  let client: FeedClient;
  let receiver: Receiver;
  beforeAll(async () => {
    emu = await startManagementApiEmulator({ seed: 4, users: 15, now: clock.now, webhookIntervalMs: 25, webhookAttempts: 2, webhookRetryDelayMs: 5, webhookFailuresBeforeDisable: 2 });
    client = new FeedClient(emu);
    receiver = await new Receiver().start();
  });
  afterAll(async () => {
    await emu.close();
    await receiver.close();
  });

  test("start with a webhook runs the validation handshake: code in a header and in the body, AuthID in a header", async () => {
    const r = await client.start("Audit.Exchange", { address: receiver.url, authId: "s3cret-auth", expiration: "" });
    expect(r.status).toBe(200);
    expect(json(r)).toEqual({
      contentType: "Audit.Exchange",
      status: "enabled",
      webhook: { status: "enabled", address: receiver.url, authId: "s3cret-auth", expiration: null },
    });
    expect(receiver.calls).toHaveLength(1);
    const [handshake] = receiver.calls;
    expect(handshake.headers["webhook-validationcode"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(handshake.headers["webhook-authid"]).toBe("s3cret-auth");
    expect(handshake.body).toEqual({ validationCode: handshake.headers["webhook-validationcode"] });
  });

  test("then newly available blobs are announced: content objects with tenantId and clientId, AuthID attached", async () => {
    clock.advance(2 * HOUR);
    await until(() => receiver.notifications().length > 0);
    const [first] = receiver.calls.filter((c) => Array.isArray(c.body));
    expect(first.headers["webhook-authid"]).toBe("s3cret-auth");
    await until(() => {
      const expected = emu.truth.availableBlobs(client.tenant.tenantId, "Audit.Exchange").filter((b) => contentIdMs(b.contentId) > T0).length;
      return receiver.notifications().length === expected;
    });
    for (const n of receiver.notifications()) {
      expect(n).toMatchObject({ tenantId: client.tenant.tenantId, clientId: client.tenant.clientId, contentType: "Audit.Exchange" });
      expect(Date.parse(n.contentCreated)).toBeGreaterThan(T0);
      expect(Date.parse(n.contentCreated)).toBeLessThanOrEqual(clock.ms);
      expect(n.contentUri).toBe(`${emu.managementApi}/api/v1.0/${client.tenant.tenantId}/activity/feed/audit/${n.contentId}`);
      expect((await client.get(n.contentUri)).status).toBe(200);
    }
    const sent = json<Array<ContentItem & { notificationStatus: string; notificationSent: string }>>(
      await client.get(`subscriptions/notifications?contentType=Audit.Exchange&startTime=${new Date(T0).toISOString()}&endTime=${new Date(clock.ms).toISOString()}`),
    );
    expect(sent.map((s) => s.contentId).sort()).toEqual(receiver.notifications().map((n) => n.contentId).sort());
    expect(new Set(sent.map((s) => s.notificationStatus))).toEqual(new Set(["Succeeded"]));
  });

  test("a receiver that keeps failing gets bounded retries, then the webhook is disabled (polling still works)", async () => {
    receiver.status = 500;
    const before = receiver.calls.length;
    clock.advance(2 * HOUR);
    await until(() => receiver.calls.length - before >= 4);
    await new Promise((r) => setTimeout(r, 200));
    // 2 attempts per batch, disabled after 2 failed batches
    expect(receiver.calls.length - before).toBe(4);
    const subs = json<Array<{ contentType: string; status: string; webhook: { status: string } }>>(await client.get("subscriptions/list"));
    expect(subs.find((s) => s.contentType === "Audit.Exchange")).toMatchObject({ status: "enabled", webhook: { status: "disabled" } });
    const failed = json<Array<{ notificationStatus: string }>>(
      await client.get(`subscriptions/notifications?contentType=Audit.Exchange&startTime=${new Date(clock.ms - 23 * HOUR).toISOString()}&endTime=${new Date(clock.ms).toISOString()}`),
    );
    expect(failed.some((n) => n.notificationStatus === "Failed")).toBe(true);
    expect((await client.get(client.contentQuery("Audit.Exchange"))).status).toBe(200);
  });

  test("a receiver that does not answer 200 to the handshake: AF20021 and the subscription is unchanged", async () => {
    receiver.status = 403;
    const r = await client.start("Audit.SharePoint", { address: receiver.url, authId: "x" });
    expect(r.status).toBe(400);
    expect(json<ErrorBody>(r).error.code).toBe("AF20021");
    const subs = json<Array<{ contentType: string }>>(await client.get("subscriptions/list"));
    expect(subs.some((s) => s.contentType === "Audit.SharePoint")).toBe(false);
  });

  test("an address outside 127.0.0.1 is refused without being contacted", async () => {
    const before = receiver.calls.length;
    const r = await client.start("Audit.General", { address: "https://hooks.example.com/audit" });
    expect(r.status).toBe(400);
    expect(json<ErrorBody>(r).error).toMatchObject({ code: "AF20021" });
    expect(json<ErrorBody>(r).error.message).toMatch(/127\.0\.0\.1/);
    expect(receiver.calls.length).toBe(before);
  });

  test("a webhook expiration in the past is AF20003", async () => {
    const r = await client.start("DLP.All", { address: receiver.url, expiration: "2020-01-01T00:00:00" });
    expect(json<ErrorBody>(r).error.code).toBe("AF20003");
  });
});

function contentIdMs(contentId: string): number {
  const s = contentId.slice(0, 17);
  return Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(8, 10), +s.slice(10, 12), +s.slice(12, 14), +s.slice(14, 17));
}
