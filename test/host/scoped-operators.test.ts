// Operators scoped by Entra ID, through the local host with App Service authentication emulated in front of the
// operator routes: the login emulator issues each operator a token with app roles and groups, the app maps groups to
// tenants (OPERATOR_TENANT_GROUPS), and every answer is filtered to the caller's tenants.
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalTls, type LocalTls } from "../../local/tls";
import { AdminClient } from "../../cli/app/admin-client";
import { runCli } from "../../cli/main";
import { CliError } from "../../cli/output/cli-error";
import { ExitCode } from "../../cli/output/exit-codes";
import { emulatedSignIn } from "../../local/host/app-service-sign-in";
import { startHostFixture, type HostFixture } from "./host-fixture";

const OPERATOR_API = "api://m365-audit-lake-operators";
const CLIENT_A_ANALYSTS = "5d7c1c0e-0000-4000-8000-0000000000a1";
const CLIENT_B_ANALYSTS = "5d7c1c0e-0000-4000-8000-0000000000b2";

let f: HostFixture;
let dir: string;
let tls: LocalTls;
beforeAll(async () => {
  // HTTPS, as a Function App is: a bearer token never travels over plain http
  dir = mkdtempSync(join(tmpdir(), "scoped-operators-"));
  tls = await createLocalTls(join(dir, "ca.pem"));
  f = await startHostFixture({
    tls,
    settings: {
      OPERATOR_SIGN_IN: "entra",
      // filled in once the tenants' ids are known (below); the app reads it per request
    },
    signIn: (cloud) => emulatedSignIn(cloud.tokens, OPERATOR_API),
  });
  f.host.updateSettings({ OPERATOR_TENANT_GROUPS: JSON.stringify({ [CLIENT_A_ANALYSTS]: [f.tenant(0)], [CLIENT_B_ANALYSTS]: [f.tenant(1)] }) });
}, 120_000);
afterAll(async () => {
  await f?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** An operator signed in with their own Entra identity: tokens from the login emulator, with roles and groups. */
function operator(name: string, roles: string[], groups: string[]): TokenCredential {
  return {
    async getToken(): Promise<AccessToken> {
      const { raw, token } = f.cloud.tokens.issue(f.tenant(0), "m365-audit-lake-cli", OPERATOR_API, 3600, roles, { name, groups });
      return { token: raw, expiresOnTimestamp: token.expiresAtMs };
    },
  };
}

function client(credential: TokenCredential): AdminClient {
  return new AdminClient({ url: f.host.url, signIn: { credential, scope: `${OPERATOR_API}/.default` }, caPem: tls.caPem });
}

async function refusal(p: Promise<unknown>): Promise<CliError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(CliError);
  return e as CliError;
}

test("an operator of client A sees only client A, and cannot see or requeue client B", async () => {
  const analyst = client(operator("analyst-a@mssp.example", ["Operator.Tenant"], [CLIENT_A_ANALYSTS]));
  const all = await analyst.tenants();
  expect(all.tenants.map((t) => t.tenantId)).toEqual([f.tenant(0)]);

  const seeB = await refusal(analyst.tenants(f.tenant(1)));
  expect(seeB.code).toBe("UnknownTenant");
  // the 404 names no tenant the caller may not see, nor any other
  for (const i of [0, 2] as const) expect(seeB.message).not.toContain(f.tenant(i));

  const requeueB = await refusal(analyst.requeue({ tenantId: f.tenant(1), select: "failed", dryRun: true }));
  expect(requeueB.code).toBe("UnknownTenant");
  expect(await analyst.requeue({ tenantId: f.tenant(0), select: "failed", dryRun: true })).toMatchObject({ dryRun: true });

  const health = await analyst.health();
  expect(new Set(health.tenants.map((t) => t.tenantId))).toEqual(new Set([f.tenant(0)]));

  const planned = await analyst.plan(f.tenant(0));
  expect(new Set(planned.results.map((r) => r.tenantId))).toEqual(new Set([f.tenant(0)]));
  expect((await refusal(analyst.plan(f.tenant(1)))).code).toBe("UnknownTenant");
}, 120_000);

test("Operator.All sees every tenant; a signed-in user without an operator role is refused with 403", async () => {
  const lead = client(operator("lead@mssp.example", ["Operator.All"], []));
  expect((await lead.tenants()).tenants.map((t) => t.tenantId).sort()).toEqual([f.tenant(0), f.tenant(1), f.tenant(2)].sort());
  const nobody = await refusal(client(operator("guest@mssp.example", [], [CLIENT_A_ANALYSTS])).tenants());
  expect(nobody.code).toBe("NotAnOperator");
});

test("with sign-in on, the function key opens no operator route, and a forged X-MS-CLIENT-PRINCIPAL is dropped", async () => {
  const keyHolder = new AdminClient({ url: f.host.url, functionKey: f.host.functionKey, caPem: tls.caPem });
  expect((await refusal(keyHolder.tenants())).code).toBe("FunctionKeyRefused");
  const forged = Buffer.from(JSON.stringify({ claims: [{ typ: "roles", val: "Operator.All" }] })).toString("base64");
  const status = await new Promise<number>((resolve, reject) => {
    request(`${f.host.url}/api/operator/tenants`, { ca: tls.caPem, headers: { "x-ms-client-principal": forged, "x-functions-key": f.host.functionKey } }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    })
      .on("error", reject)
      .end();
  });
  expect(status).toBe(401);
  // health is an operator route too: the key opens it no more than the others
  expect((await refusal(keyHolder.health())).code).toBe("FunctionKeyRefused");
});

test("the CLI signs in as the operator with --app-scope: status answers for client A only, and no function key is sent", async () => {
  let out = "";
  const io = { interactive: false, stdout: (t: string) => void (out += t), stderr: () => undefined };
  const credential = operator("analyst-a@mssp.example", ["Operator.Tenant"], [CLIENT_A_ANALYSTS]);
  const code = await runCli(["status", "--json", "--app-url", f.host.url, "--app-scope", `${OPERATOR_API}/.default`, "--ca-file", tls.caPath], { io, env: {}, azure: { credential: () => credential } });
  expect([ExitCode.Success, ExitCode.Failed]).toContain(code);
  expect(out).toContain(f.tenant(0));
  for (const i of [1, 2] as const) expect(out).not.toContain(f.tenant(i));

  const overHttp = await runCli(["status", "--json", "--app-url", "http://127.0.0.1:7071", "--app-scope", `${OPERATOR_API}/.default`], { io, env: {}, azure: { credential: () => credential } });
  expect(overHttp).toBe(ExitCode.Usage);
}, 120_000);
