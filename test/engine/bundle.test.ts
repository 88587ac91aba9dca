// The deployable package: what `npm run bundle` builds, loaded the way the Functions Node worker loads it.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleFunctions } from "../../functions/bundle";
import { loadConfig } from "../../functions/src/config";
import { httpRoutes, isReservedByHost } from "../../functions/src/http-routes";

let out: string;
beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), "functions-bundle-"));
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

// Stands in for the worker's @azure/functions-core: records what app.js registers, prints it as JSON.
const HOST = `
const Module = require("module");
const registered = [];
const core = { setProgrammingModel() {}, registerHook() { return { dispose() {} }; }, registerFunction(metadata) { registered.push(metadata); return { dispose() {} }; } };
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) { return request === "@azure/functions-core" ? "@azure/functions-core" : resolve.call(this, request, ...rest); };
require.cache["@azure/functions-core"] = { id: "@azure/functions-core", filename: "@azure/functions-core", loaded: true, exports: core };
require(process.argv[2]);
process.stdout.write(JSON.stringify(registered));
`;

test("npm run bundle builds one small app.js that registers the timers, the queue trigger and every HTTP route", async () => {
  const report = await bundleFunctions(out);
  expect(report.appBytes).toBeLessThan(3 * 1024 * 1024);
  expect(JSON.parse(readFileSync(join(out, "package.json"), "utf8")).main).toBe("app.js");

  const hostScript = join(out, "host-stub.js");
  writeFileSync(hostScript, HOST);
  const stdout = execFileSync(process.execPath, [hostScript, join(out, "app.js")], {
    env: { PATH: process.env.PATH, CONTENT_QUEUE: "tenant-content" },
    encoding: "utf8",
    timeout: 30_000,
  });
  const functions = JSON.parse(stdout) as Array<{ name: string; bindings: Record<string, Record<string, unknown>> }>;
  const triggers = Object.fromEntries(functions.map((f) => [f.name, Object.values(f.bindings).find((b) => String(b.type).endsWith("Trigger"))]));
  expect(triggers).toEqual({
    plan: expect.objectContaining({ type: "timerTrigger", schedule: "0 */5 * * * *" }),
    "settle-adx-failures": expect.objectContaining({ type: "timerTrigger", schedule: "0 */5 * * * *" }),
    "run-backfills": expect.objectContaining({ type: "timerTrigger", schedule: "0 */5 * * * *" }),
    "ingest-content": expect.objectContaining({ type: "queueTrigger", queueName: "tenant-content", connection: "AzureWebJobsStorage" }),
    webhook: expect.objectContaining({ type: "httpTrigger", authLevel: "anonymous", methods: ["POST"] }),
    health: expect.objectContaining({ type: "httpTrigger", authLevel: "function", methods: ["GET"] }),
    "health-probe": expect.objectContaining({ type: "httpTrigger", authLevel: "anonymous", methods: ["GET"], route: "health/probe" }),
    ...Object.fromEntries(
      httpRoutes.filter((r) => !["webhook", "health", "health-probe"].includes(r.name)).map((r) => [r.name, expect.objectContaining({ type: "httpTrigger", authLevel: "function", methods: r.methods, route: r.route })]),
    ),
  });
  // the host refuses (does not index) a function whose name or route starts with "admin"
  expect(functions.filter((f) => isReservedByHost({ name: f.name, route: String(Object.values(f.bindings).find((b) => b.type === "httpTrigger")?.route ?? f.name) }))).toEqual([]);
});

test("host.json retries a blob as often as the worker expects before it quarantines it", () => {
  const host = JSON.parse(readFileSync(join(out, "host.json"), "utf8"));
  const defaults = loadConfig({ AzureWebJobsStorage: "UseDevelopmentStorage=true", ADX_INGEST_URI: "https://ingest-x.kusto.windows.net", AUDIT_LAKE_TENANTS: '[{"tenantId":"00000000-0000-4000-8000-000000000000","credential":{"kind":"managedIdentity"},"database":"d"}]' });
  expect(host.extensions.queues.maxDequeueCount).toBe(defaults.maxDequeueCount);
  expect(host.extensions.queues.messageEncoding).toBe("base64");
  expect(host.functionTimeout).toBe("00:10:00");
});

test("the bundle reads nothing from kql/ at run time: the package ships app.js and host.json, no kql/ folder", async () => {
  await bundleFunctions(out);
  // kql/'s catalog lists kql/tables with readdirSync; in the bundle that folder does not exist (the Sentinel sink once
  // pulled it in through the stream declaration and would have failed at start-up in Azure)
  expect(readFileSync(join(out, "app.js"), "utf8")).not.toMatch(/readdirSync/);
});
