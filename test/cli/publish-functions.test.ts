// The OneDeploy client against the emulated Resource Manager and Kudu: what reaches the site, and the error an
// operator gets for each way a code deployment fails.
import { EnvironmentCredential } from "@azure/identity";
import { request } from "node:https";
import { createServer, type Server } from "node:net";
import { statSync } from "node:fs";
import { join } from "node:path";
import { publishFunctions, type PublishOptions } from "../../cli/deploy/publish-functions";
import { SiteHosts } from "../../cli/deploy/site-hosts";
import { CliError } from "../../cli/output/cli-error";
import { ExitCode } from "../../cli/output/exit-codes";
import { DeployStatus, type ResourceManagerEmulator } from "../../local/resource-manager";
import { deployFixture, GROUP, SUBSCRIPTION, type DeployFixture, BUNDLED_FUNCTIONS } from "./deploy-fixture";

let fx: DeployFixture;
let rm: ResourceManagerEmulator;

// A host outside the cloud (loopback, so the test needs no network): it counts every connection it is offered.
let foreign: Server;
let foreignHost = "";
const foreignConnections: number[] = [];

beforeAll(async () => {
  fx = await deployFixture();
  foreign = createServer((socket) => {
    foreignConnections.push(Date.now());
    socket.destroy();
  });
  await new Promise<void>((r) => foreign.listen(0, "127.0.0.2", r));
  foreignHost = `127.0.0.2:${(foreign.address() as { port: number }).port}`;
  rm = await fx.startEmulator([
    { name: "func-tampered-scm", names: { scmHost: foreignHost } },
    { name: "func-tampered-next", names: { functionsNextLink: `https://${foreignHost}/subscriptions/x/functions?page=2` } },
    { name: "func-audit-lake" },
    { name: "func-no-storage-role", deploymentStorageForbidden: true },
    { name: "func-broken" },
    { name: "func-recycling", statusServiceUnavailable: 2 },
  ]);
});
afterAll(async () => {
  await new Promise((r) => foreign?.close(r));
  await fx.cleanup();
});

function options(site: string, extra: Partial<PublishOptions> = {}): PublishOptions {
  return {
    subscription: SUBSCRIPTION,
    resourceGroup: GROUP,
    site,
    packageDir: fx.goodPackage,
    connection: { credential: rm.credential(), endpoint: rm.url, caPem: fx.tls.caPem, maxRetries: 0 },
    pollIntervalMs: 50,
    indexPollIntervalMs: 100,
    indexTimeoutMs: 10_000,
    ...extra,
  };
}

async function failure(promise: Promise<unknown>): Promise<CliError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CliError);
  return error as CliError;
}

test("publishes the bundle to the SCM host named in hostNameSslStates and returns once the host indexed every function the bundle registers", async () => {
  const stages: string[] = [];
  const result = await publishFunctions(options("func-audit-lake", { expectedFunctions: ["plan", "ingest-content", "webhook", "health"], onStage: (s) => stages.push(s) }));

  const site = rm.site("func-audit-lake");
  expect(result.scmHost).toBe(site.scmHost);
  expect(result.functions).toEqual(BUNDLED_FUNCTIONS);
  expect(result.files).toEqual(["app.js", "host.json", "package.json"]);
  expect(site.deployments.map((d) => [d.id, d.status])).toEqual([[result.deploymentId, DeployStatus.Success]]);
  // the zip carried Unix modes, and the emulated Kudu applied them
  const sourceMode = statSync(join(fx.goodPackage, "app.js")).mode & 0o777;
  expect((site.lastPackage!.modes["app.js"] ?? 0) & 0o777).toBe(sourceMode);
  expect(statSync(join(site.wwwroot, "app.js")).mode & 0o777).toBe(sourceMode);
  expect([...new Set(stages)]).toEqual(["package", "site", "upload", "deploying", "indexing"]);
});

test("status reads answered 503 while the SCM site recycles are retried, and the deployment is followed to its end", async () => {
  const result = await publishFunctions({ ...options("func-recycling"), connection: { credential: rm.credential(), endpoint: rm.url, caPem: fx.tls.caPem, maxRetries: 3 } });
  expect(result.functions).toEqual(BUNDLED_FUNCTIONS);
  expect(rm.site("func-recycling").options.statusServiceUnavailable).toBe(0);
  expect(rm.site("func-recycling").deployments).toHaveLength(1);
});

test("a deployment Kudu reports failed raises DeploymentFailed with the deployment's log", async () => {
  const error = await failure(publishFunctions(options("func-no-storage-role")));
  expect(error.code).toBe("DeploymentFailed");
  expect(error.exitCode).toBe(ExitCode.Failed);
  expect(error.message).toMatch(/ended Failed: Failed to upload because Azure Storage responded with Forbidden/);
  expect(error.details.join("\n")).toMatch(/403/);
  expect(error.next).toMatch(/Storage Blob Data Owner/);
  expect(rm.site("func-no-storage-role").deployments.at(-1)!.status).toBe(DeployStatus.Failed);
});

test("a package whose app does not load deploys successfully but fails publish with FunctionsNotIndexed", async () => {
  const error = await failure(publishFunctions(options("func-broken", { packageDir: fx.brokenPackage, indexTimeoutMs: 1500 })));
  expect(error.code).toBe("FunctionsNotIndexed");
  expect(error.exitCode).toBe(ExitCode.Failed);
  expect(error.message).toMatch(/deployment succeeded but the host lists no functions/);
  const site = rm.site("func-broken");
  expect(site.deployments.at(-1)!.status).toBe(DeployStatus.Success);
  expect(site.hostError).toMatch(/a-module-the-bundle-does-not-carry/);
});

test("with no credential available, publish fails with NoCredential and the sign-in step, before anything is uploaded", async () => {
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) if (k.startsWith("AZURE_")) delete process.env[k];
  try {
    const before = rm.requests.length;
    const error = await failure(publishFunctions(options("func-audit-lake", { connection: { credential: new EnvironmentCredential(), endpoint: rm.url, caPem: fx.tls.caPem, maxRetries: 0 } })));
    expect(error.code).toBe("NoCredential");
    expect(error.exitCode).toBe(ExitCode.Auth);
    expect(error.next).toMatch(/az login/);
    expect(rm.requests.length).toBe(before);
  } finally {
    process.env = saved;
  }
});

test("Resource Manager and Kudu answer 401 to a request without a bearer token", async () => {
  const get = (url: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      request(url, { ca: fx.tls.caPem }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c)).on("end", () => resolve({ status: res.statusCode!, body }));
      })
        .on("error", reject)
        .end();
    });
  const site = rm.site("func-audit-lake");
  const arm = await get(`${rm.url}${site.resourceId}?api-version=2024-04-01`);
  expect(arm.status).toBe(401);
  expect(JSON.parse(arm.body).error.code).toBe("AuthenticationFailed");
  expect((await get(`https://${site.scmHost}/api/deployments/latest`)).status).toBe(401);
});

test("a token for another audience than Resource Manager is refused with InvalidAuthenticationTokenAudience", async () => {
  const wrongScope = { getToken: () => rm.credential().getToken("https://graph.microsoft.com/.default") };
  const error = await failure(publishFunctions(options("func-audit-lake", { connection: { credential: wrongScope, endpoint: rm.url, caPem: fx.tls.caPem, maxRetries: 0 } })));
  expect(error.code).toBe("InvalidAuthenticationTokenAudience");
  expect(error.exitCode).toBe(ExitCode.Auth);
});

test("a token from another tenant than the subscription's is refused with InvalidAuthenticationTokenTenant and the sign-in step", async () => {
  const otherTenant = rm.credential("0b5e1c7d-0000-4000-8000-00000000beef");
  const error = await failure(publishFunctions(options("func-audit-lake", { connection: { credential: otherTenant, endpoint: rm.url, caPem: fx.tls.caPem, maxRetries: 0 } })));
  expect(error.code).toBe("InvalidAuthenticationTokenTenant");
  expect(error.exitCode).toBe(ExitCode.Auth);
  expect(error.next).toMatch(/az login --tenant/);
});

test("a site that does not exist fails with ResourceNotFound and how to list the apps", async () => {
  const error = await failure(publishFunctions(options("func-typo")));
  expect(error.code).toBe("ResourceNotFound");
  expect(error.exitCode).toBe(ExitCode.NotFound);
  expect(error.next).toMatch(/az functionapp list/);
});

test("a folder that holds no built package fails with PackageNotBuilt and the bundle step", async () => {
  const error = await failure(publishFunctions(options("func-audit-lake", { packageDir: join(fx.dir, "nothing-here") })));
  expect(error.code).toBe("PackageNotBuilt");
  expect(error.exitCode).toBe(ExitCode.Prerequisite);
  expect(error.next).toMatch(/npm run bundle/);
});

test("publishing while another deployment runs fails with DeploymentInProgress (Kudu's 409)", async () => {
  const slow = await fx.startEmulator([{ name: "func-busy" }], { stepMs: 1500 });
  const first = publishFunctions({ ...options("func-busy"), connection: { credential: slow.credential(), endpoint: slow.url, caPem: fx.tls.caPem, maxRetries: 0 } });
  await waitUntil(() => slow.site("func-busy").deployments.length === 1);
  const error = await failure(publishFunctions({ ...options("func-busy"), connection: { credential: slow.credential(), endpoint: slow.url, caPem: fx.tls.caPem, maxRetries: 0 } }));
  expect(error.code).toBe("DeploymentInProgress");
  expect(error.exitCode).toBe(ExitCode.Conflict);
  expect((await first).functions).toEqual(BUNDLED_FUNCTIONS);
  expect(slow.site("func-busy").deployments).toHaveLength(1);
});

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(condition()).toBe(true);
}

test("the Resource Manager token goes to no SCM host outside the cloud: a site naming a foreign one is refused before the upload", async () => {
  const error = await failure(publishFunctions(options("func-tampered-scm")));
  expect(error.code).toBe("HostNotAllowed");
  expect(error.message).toContain(foreignHost);
  expect(error.exitCode).toBe(ExitCode.Failed);
  expect(foreignConnections).toEqual([]);
});

test("a functions-list nextLink off the Resource Manager origin is not followed", async () => {
  const error = await failure(publishFunctions(options("func-tampered-next")));
  expect(error.code).toBe("HostNotAllowed");
  expect(error.message).toMatch(/nextLink/);
  expect(foreignConnections).toEqual([]);
});

test("each cloud's App Service hosts are told apart from look-alikes", () => {
  const pub = new SiteHosts("https://management.azure.com");
  expect(pub.check("func-lake-a1b2c3.scm.eastus-01.azurewebsites.net", "scm", "x")).toBe("func-lake-a1b2c3.scm.eastus-01.azurewebsites.net");
  expect(pub.check("func-lake.scm.azurewebsites.net", "scm", "x")).toBe("func-lake.scm.azurewebsites.net");
  expect(pub.check("func-lake-a1b2c3.eastus-01.azurewebsites.net", "app", "x")).toBe("func-lake-a1b2c3.eastus-01.azurewebsites.net");
  for (const [host, kind] of [
    ["evil.example", "scm"],
    ["func.scm.azurewebsites.net.evil.example", "scm"],
    ["func.scm.azurewebsites.us", "scm"], // another cloud's
    ["func.scm.azurewebsites.net:8443", "scm"],
    ["x@func.scm.azurewebsites.net", "scm"],
    ["func.azurewebsites.net/x", "app"],
    ["func-lake.eastus-01.azurewebsites.net", "scm"], // the app host is not Kudu
    ["func-lake.scm.azurewebsites.net", "app"],
    ["a.b.c.d.azurewebsites.net", "app"],
  ] as const) {
    expect(() => pub.check(host, kind, "x")).toThrow(expect.objectContaining({ code: "HostNotAllowed" }));
  }
  expect(new SiteHosts("https://management.usgovcloudapi.net").check("func.scm.usgovvirginia-01.azurewebsites.us", "scm", "x")).toBe("func.scm.usgovvirginia-01.azurewebsites.us");
  expect(() => pub.checkResourceManagerLink("https://management.azure.com.evil.example/x", "x")).toThrow(expect.objectContaining({ code: "HostNotAllowed" }));
  expect(pub.checkResourceManagerLink("https://management.azure.com/subscriptions/s/x?$skiptoken=1", "x")).toBe("https://management.azure.com/subscriptions/s/x?$skiptoken=1");
  expect(() => new SiteHosts("https://management.example.com")).toThrow(expect.objectContaining({ code: "UnknownCloud" }));
});
