// The Functions host keeps routes and function names starting with "admin" for its own admin API: a function that
// claims one is left in error. The local host and the emulated Kudu behave the same, and the app's routes avoid it.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { httpRoutes, isReservedByHost } from "../../functions/src/http-routes";
import { startLocalFunctionsHost } from "../../local/host/functions-host";
import { indexFunctions } from "../../local/resource-manager/functions-package";

test("no route of the app starts with admin, so the host indexes every one", () => {
  expect(httpRoutes.filter(isReservedByHost)).toEqual([]);
  expect(isReservedByHost({ name: "tenants", route: "admin/tenants" })).toBe(true);
  expect(isReservedByHost({ name: "admin-tenants", route: "operator/tenants" })).toBe(true);
});

test("the local host refuses to start with a route the real host would not index", async () => {
  const handler = async () => ({ status: 200 });
  await expect(
    startLocalFunctionsHost({ settings: { AzureWebJobsStorage: "UseDevelopmentStorage=true" }, routes: [{ name: "tenants", methods: ["GET"], authLevel: "function", route: "admin/tenants", handler }] }),
  ).rejects.toThrow(/refuses routes and function names starting with "admin": tenants \(admin\/tenants\)/);
});

test("the emulated Kudu leaves an admin-routed function out of the indexed functions, as the host does", async () => {
  const dir = mkdtempSync(join(tmpdir(), "reserved-routes-"));
  try {
    writeFileSync(join(dir, "package.json"), JSON.stringify({ main: "app.js" }));
    const http = (name: string, route: string) => `core.registerFunction({ name: ${JSON.stringify(name)}, bindings: { req: { type: "httpTrigger", direction: "in", route: ${JSON.stringify(route)} } } });`;
    writeFileSync(join(dir, "app.js"), ['const core = require("@azure/functions-core");', http("ops", "operator/tenants"), http("tenants", "admin/tenants"), http("admin-plan", "ops/plan")].join("\n"));
    const outcome = await indexFunctions(dir, {});
    expect(outcome.ok && outcome.functions.map((f) => f.name)).toEqual(["ops"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
