// A plan run asked for by an operator names its tenant and is rate-limited per tenant: each run lists every content
// type against the tenant's Management API quota, which the workers share.
import { HttpRequest, InvocationContext } from "@azure/functions";
import { adminUseCases } from "../../functions/src/admin/admin-use-cases";
import { PLAN_NOW_BURST, PLAN_NOW_EVERY_MS } from "../../functions/src/admin/plan-rate";
import { adminPlan } from "../../functions/src/handlers/admin-plan";
import { startFixture, tenantEntry, type Fixture } from "./engine-fixture";
import type { OperatorScope } from "../../functions/src/admin/operator-scope";

/** The function key's scope (sign-in off): every tenant. */
const ALL: OperatorScope = { kind: "all", operator: "function key" };

let f: Fixture;
beforeAll(async () => {
  f = await startFixture({ seed: 41, tenants: 2, users: 3 });
}, 120_000);
afterAll(() => f?.close());

test("a plan request without a tenant is refused naming the field: planning every tenant is the timer's", async () => {
  const request = new HttpRequest({ method: "POST", url: "http://localhost/api/operator/plan", body: { string: "{}" } });
  const answer = await adminPlan(request, new InvocationContext());
  expect(answer.status).toBe(400);
  expect(answer.jsonBody).toMatchObject({ error: { code: "BadRequest", message: expect.stringMatching(/^tenantId: is required/) } });
});

test("plan now is rate-limited per tenant: a burst, then 429 PlanRateLimited with Retry-After; another tenant is unaffected; allowed again later", async () => {
  const lane = await f.lane(0);
  const engine = lane.engine();
  let at = f.now().getTime();
  const admin = adminUseCases(engine, () => new Date(at));
  const tenant0 = f.cloud.tenants[0].tenantId;

  for (let i = 0; i < PLAN_NOW_BURST; i++) expect((await admin.planNow(tenant0, lane.log, ALL)).length).toBeGreaterThan(0);
  const refused = await admin.planNow(tenant0, lane.log, ALL).then(() => undefined, (e: unknown) => e);
  expect(refused).toMatchObject({ status: 429, code: "PlanRateLimited", retryAfterSeconds: PLAN_NOW_EVERY_MS / 1000, advice: expect.stringMatching(/Ask again in 20 s/) });
  // the tenant id in any case is the same tenant
  await expect(admin.planNow(tenant0.toUpperCase(), lane.log, ALL)).rejects.toMatchObject({ status: 429 });

  at += PLAN_NOW_EVERY_MS;
  expect((await admin.planNow(tenant0, lane.log, ALL)).every((r) => r.tenantId === tenant0)).toBe(true);
  await expect(admin.planNow(tenant0, lane.log, ALL)).rejects.toMatchObject({ status: 429 });
}, 120_000);

test("the limit is per tenant: another tenant of the same app plans while the first is limited", async () => {
  const tenants = [0, 1].map((k) => f.cloud.tenants[k]);
  const lane = await f.lane(0, {
    AUDIT_LAKE_TENANTS: JSON.stringify([0, 1].map((k) => tenantEntry(f.cloud, k))),
  });
  const admin = adminUseCases(lane.engine(), f.now);
  for (let i = 0; i < PLAN_NOW_BURST; i++) await admin.planNow(tenants[0].tenantId, lane.log, ALL);
  await expect(admin.planNow(tenants[0].tenantId, lane.log, ALL)).rejects.toMatchObject({ status: 429 });
  expect((await admin.planNow(tenants[1].tenantId, lane.log, ALL)).every((r) => r.tenantId === tenants[1].tenantId)).toBe(true);
}, 120_000);
