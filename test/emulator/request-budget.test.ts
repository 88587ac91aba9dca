import { startManagementApiEmulator } from "../../local/management-api/index";
import { FeedClient, json } from "./feed-client";

type ErrorBody = { error: { code: string; message: string } };

describe("per-tenant request budget", () => {
  test("past the budget a tenant gets AF429 (HTTP 429 by default); the budget refills after its window", async () => {
    const emu = await startManagementApiEmulator({ users: 5, tenants: 2, requestBudgetPerMinute: 5, requestBudgetWindowMs: 600, throttleAs403Share: 0 });
    try {
      const a = new FeedClient(emu, emu.tenants[0]);
      const b = new FeedClient(emu, emu.tenants[1]);
      const statuses = [];
      for (let i = 0; i < 7; i++) statuses.push((await a.get("subscriptions/list")).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
      const throttled = await a.get("subscriptions/list");
      expect(json<ErrorBody>(throttled).error.code).toBe("AF429");
      expect(json<ErrorBody>(throttled).error.message).toMatch(/^Too many requests\. Method=GET, PublisherId=/);
      // another tenant has its own budget
      expect((await b.get("subscriptions/list")).status).toBe(200);
      await new Promise((r) => setTimeout(r, 650));
      expect((await a.get("subscriptions/list")).status).toBe(200);
    } finally {
      await emu.close();
    }
  });

  test("a configurable share of AF429 answers comes as HTTP 403, as in Microsoft's own example", async () => {
    const all403 = await startManagementApiEmulator({ users: 5, requestBudgetPerMinute: 1, throttleAs403Share: 1 });
    const mixed = await startManagementApiEmulator({ users: 5, requestBudgetPerMinute: 1 });
    try {
      const c = new FeedClient(all403);
      await c.get("subscriptions/list");
      const r = await c.get("subscriptions/list");
      expect(r.status).toBe(403);
      expect(json<ErrorBody>(r).error.code).toBe("AF429");

      const m = new FeedClient(mixed);
      const seen = new Set<number>();
      for (let i = 0; i < 30; i++) {
        const x = await m.get("subscriptions/list");
        if (i > 0) {
          expect(json<ErrorBody>(x).error.code).toBe("AF429");
          seen.add(x.status);
        }
      }
      expect([...seen].sort()).toEqual([403, 429]);
    } finally {
      await Promise.all([all403.close(), mixed.close()]);
    }
  });

  test("each PublisherIdentifier has its own quota; calls without one share a pool", async () => {
    const emu = await startManagementApiEmulator({ users: 5, requestBudgetPerMinute: 2, throttleAs403Share: 0 });
    try {
      const c = new FeedClient(emu);
      const call = (publisher?: string) => c.get(publisher ? `subscriptions/list?PublisherIdentifier=${publisher}` : "subscriptions/list").then((r) => r.status);
      expect([await call(), await call(), await call()]).toEqual([200, 200, 429]);
      expect([await call(c.tenant.publisherId), await call(c.tenant.publisherId), await call(c.tenant.publisherId)]).toEqual([200, 200, 429]);
    } finally {
      await emu.close();
    }
  });
});
