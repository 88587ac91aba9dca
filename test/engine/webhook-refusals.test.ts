// The anonymous webhook route under calls without the right Webhook-AuthID: refused before the engine is built, and
// logged by sample so unauthenticated callers cannot drive the app's log volume.
import { HttpRequest, InvocationContext } from "@azure/functions";
import { closeAuditLake } from "../../functions/src/composition-root";
import { webhook, webhookHandler } from "../../functions/src/handlers/webhook";

let restore: NodeJS.ProcessEnv;
beforeEach(() => {
  restore = { ...process.env };
  // Only the secret: settings the engine could never be built from, so any attempt to build it would fail the call.
  for (const k of ["AUDIT_LAKE_TENANTS", "ADX_INGEST_URI", "AzureWebJobsStorage"]) delete process.env[k];
  process.env.WEBHOOK_AUTH_ID = "a-long-shared-webhook-secret";
});
afterEach(async () => {
  process.env = restore;
  await closeAuditLake();
});

function call(handler: typeof webhook, lines: Array<{ level: string; text: string; fields: Record<string, unknown> }>, headers: Record<string, string>) {
  const request = new HttpRequest({ method: "POST", url: "http://localhost/api/webhook", headers: { "content-type": "application/json", ...headers }, body: { string: "[]" } });
  const logHandler = (level: string, ...args: unknown[]) => lines.push({ level, text: String(args[0]), fields: { ...(args[1] as object) } });
  return handler(request, new InvocationContext({ functionName: "webhook", logHandler }));
}

test("a call without the right Webhook-AuthID is refused before the engine is built", async () => {
  const lines: Array<{ level: string; text: string; fields: Record<string, unknown> }> = [];
  const handler = webhook;
  expect((await call(handler, lines, {})).status).toBe(401);
  expect((await call(handler, lines, { "Webhook-AuthID": "wrong" })).status).toBe(401);
  // The right secret does reach the engine, whose settings are refused here: the host answers 500.
  await expect(call(handler, lines, { "Webhook-AuthID": "a-long-shared-webhook-secret" })).rejects.toThrow(/AUDIT_LAKE_TENANTS/);
});

test("refusals are logged by sample: one line per minute, counting the calls it stands for", async () => {
  let now = 1_000_000;
  const lines: Array<{ level: string; text: string; fields: Record<string, unknown> }> = [];
  const handler = webhookHandler({ now: () => now });
  for (let i = 0; i < 500; i++) expect((await call(handler, lines, { "Webhook-AuthID": `guess-${i}` })).status).toBe(401);
  expect(lines.filter((l) => l.level === "warning")).toEqual([expect.objectContaining({ fields: expect.objectContaining({ code: "WrongWebhookAuthId", refused: 1 }) })]);

  now += 60_000;
  await call(handler, lines, {});
  const warnings = lines.filter((l) => l.level === "warning");
  expect(warnings).toHaveLength(2);
  expect(warnings[1].fields).toEqual(expect.objectContaining({ stage: "webhook", outcome: "refused", refused: 500 }));
  expect(warnings[1].text).toMatch(/500 request\(s\) refused/);
});
