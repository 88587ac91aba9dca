// The availability test's route: anonymous (the web test holds no secret), and it answers with the app's health as a
// bare status — 503 once a tenant cannot be planned at all — and nothing else.
import { startHostFixture, type HostFixture } from "./host-fixture";

let f: HostFixture;
beforeAll(async () => {
  f = await startHostFixture();
}, 120_000);
afterAll(() => f?.close());

test("the probe answers without a key: 503 and no body when a tenant cannot be planned, the detail only behind the key", async () => {
  // the tenant without consent: its plan run fails, so it was never planned successfully (unhealthy)
  const plan = await f.call("POST", "operator/plan", { body: { tenantId: f.tenant(1) } });
  expect(plan.status).toBe(200);
  const res = await fetch(`${f.host.url}/api/health/probe`);
  expect(res.status).toBe(503);
  expect(await res.text()).toBe("");
  expect(res.headers.get("cache-control")).toBe("no-store");
  // the report itself stays behind the function key
  expect((await f.call("GET", "health", { key: null })).status).toBe(401);
  const health = await f.call("GET", "health");
  expect(health.body.status).toBe("unhealthy");
  // within the probe's minute the answer is the same one evaluation: anonymous calls cannot make the app scan at will
  expect((await fetch(`${f.host.url}/api/health/probe`)).status).toBe(503);
}, 120_000);
