// The emulated Resource Manager + Kudu behave as the real ones where a client could be fooled: which host serves
// Kudu, when a deployment record exists, and how a package that is not a functions package fails.
import { existsSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { zipSync } from "fflate";
import { DeployStatus, type ResourceManagerEmulator } from "../../local/resource-manager";
import { deployFixture, type DeployFixture } from "./deploy-fixture";

let fx: DeployFixture;
let rm: ResourceManagerEmulator;
let token: string;
beforeAll(async () => {
  fx = await deployFixture();
  rm = await fx.startEmulator([{ name: "func-a" }, { name: "func-b" }, { name: "func-c" }], { recordDelayMs: 300 });
  token = (await rm.credential().getToken("https://management.azure.com/.default"))!.token;
});
afterAll(() => fx.cleanup());

function call(method: string, url: string, body?: { bytes: Uint8Array; type: string }): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
    if (body) headers["Content-Type"] = body.type;
    const req = request(url, { method, ca: fx.tls.caPem, headers }, (res) => {
      let text = "";
      res.on("data", (c) => (text += c)).on("end", () => resolve({ status: res.statusCode!, text, headers: res.headers }));
    });
    req.on("error", reject);
    req.end(body ? Buffer.from(body.bytes) : undefined);
  });
}

async function finished(scmHost: string, id: string): Promise<{ status: number; status_text: string; complete: boolean }> {
  for (let i = 0; i < 100; i++) {
    const answer = await call("GET", `https://${scmHost}/api/deployments/${id}`);
    if (answer.status === 200 && JSON.parse(answer.text).complete) return JSON.parse(answer.text);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`deployment ${id} did not end`);
}

test("Resource Manager requires api-version", async () => {
  const answer = await call("GET", `${rm.url}${rm.site("func-a").resourceId}`);
  expect(answer.status).toBe(400);
  expect(JSON.parse(answer.text).error.code).toBe("MissingApiVersionParameter");
});

test("the site's SCM host is listed as hostType Repository and is the only host that serves Kudu's API", async () => {
  const site = JSON.parse((await call("GET", `${rm.url}${rm.site("func-a").resourceId}?api-version=2024-04-01`)).text);
  const hosts = Object.fromEntries(site.properties.hostNameSslStates.map((h: { name: string; hostType: string }) => [h.hostType, h.name]));
  expect(hosts.Repository).toBe(rm.site("func-a").scmHost);
  expect(hosts.Repository).not.toContain("func-a");
  const onAppHost = await call("POST", `https://${hosts.Standard}/api/publish?RemoteBuild=false`, { bytes: new Uint8Array(0), type: "application/zip" });
  expect(onAppHost.status).toBe(404);
  expect(rm.site("func-a").deployments).toHaveLength(0);
});

test("publish answers 202 with the id; the deployment record is 404 until Kudu has written it", async () => {
  const scm = rm.site("func-a").scmHost;
  const zip = zipSync({ "host.json": new TextEncoder().encode('{"version":"2.0"}'), "package.json": new TextEncoder().encode('{"main":"app.js"}'), "app.js": new Uint8Array(0) });
  const accepted = await call("POST", `https://${scm}/api/publish?RemoteBuild=false`, { bytes: zip, type: "application/zip" });
  expect(accepted.status).toBe(202);
  const id = JSON.parse(accepted.text) as string;
  expect(accepted.headers.location).toBe(`https://${scm}/api/deployments/${id}`);
  const early = await call("GET", `https://${scm}/api/deployments/${id}`);
  expect(early.status).toBe(404);
  expect(early.text).toBe(`Deployment ${id} not found.`);
  expect(await finished(scm, id)).toMatchObject({ status: DeployStatus.Success, complete: true });
});

test("a zip without host.json at its root and a body that is not a zip both end as failed deployments with the reason", async () => {
  const scm = rm.site("func-b").scmHost;
  const nested = zipSync({ "functions/host.json": new TextEncoder().encode('{"version":"2.0"}') });
  const first = JSON.parse((await call("POST", `https://${scm}/api/publish?RemoteBuild=false`, { bytes: nested, type: "application/zip" })).text);
  expect(await finished(scm, first)).toMatchObject({ status: DeployStatus.Failed, status_text: expect.stringMatching(/^host\.json was not found at the root of the package/) });
  const second = JSON.parse((await call("POST", `https://${scm}/api/publish?RemoteBuild=false`, { bytes: new TextEncoder().encode("not a zip"), type: "application/zip" })).text);
  expect(await finished(scm, second)).toMatchObject({ status: DeployStatus.Failed, status_text: expect.stringMatching(/^The package is not a valid zip archive/) });
  const log = JSON.parse((await call("GET", `https://${scm}/api/deployments/${second}/log`)).text) as Array<{ type: number; message: string }>;
  expect(log.at(-1)).toMatchObject({ type: 2, message: expect.stringMatching(/not a valid zip/) });
  expect(JSON.parse((await call("GET", `${rm.url}${rm.site("func-b").resourceId}/functions?api-version=2024-04-01`)).text)).toEqual({ value: [], nextLink: null });
});

test("an entry that would unpack outside the app folder fails the deployment and writes nothing", async () => {
  const scm = rm.site("func-c").scmHost;
  const evil = zipSync({ "host.json": new TextEncoder().encode('{"version":"2.0"}'), "../escaped.txt": new TextEncoder().encode("x") });
  const id = JSON.parse((await call("POST", `https://${scm}/api/publish?RemoteBuild=false`, { bytes: evil, type: "application/zip" })).text);
  expect(await finished(scm, id)).toMatchObject({ status: DeployStatus.Failed, status_text: expect.stringContaining("outside the app folder") });
  expect(existsSync(join(rm.site("func-c").wwwroot, "..", "escaped.txt"))).toBe(false);
  expect(existsSync(rm.site("func-c").wwwroot)).toBe(false);
});

test("publish with a body that is not declared application/zip is refused with 415", async () => {
  const answer = await call("POST", `https://${rm.site("func-c").scmHost}/api/publish?RemoteBuild=false`, { bytes: new Uint8Array(4), type: "text/plain" });
  expect(answer.status).toBe(415);
});
