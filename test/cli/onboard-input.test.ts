// onboard's refusals, before anything changes: an unknown domain, something that is not a tenant, a config that does
// not validate, a tenant the config cannot take, a missing terraform — each with its exit code and next step, and the
// config file byte for byte as it was. --dry-run prints the ordered plan and touches nothing.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../cli/main";
import type { CommandIo } from "../../cli/output/command-io";
import { ExitCode } from "../../cli/output/exit-codes";
import { startManagementApiEmulator, type ManagementApiEmulator } from "../../local/management-api/index";

let emu: ManagementApiEmulator;
let dir: string;
let caFile: string;
beforeAll(async () => {
  emu = await startManagementApiEmulator({ seed: 7, tenants: 2, users: 3 });
  dir = mkdtempSync(join(tmpdir(), "cli-onboard-input-"));
  caFile = join(dir, "login-ca.pem");
  writeFileSync(caFile, emu.loginCaPem);
});
afterAll(async () => {
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});

const platformTenant = () => emu.tenants[0].tenantId;
function config(name: string, extra = ""): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `# our deployment\nplatform:\n  tenantId: ${platformTenant()}\n  subscriptionId: 22222222-2222-4222-8222-222222222222\n  location: westeurope\n  prefix: contosoal   # every name starts with it\n` +
      `  adx:\n    cluster:\n      new: { sku: Standard_E2ads_v5, capacity: 2 }\n${extra}\ntenants:\n  - tenant: ${platformTenant()}\n    key: contoso\n    displayName: Contoso Ltd\n    identity: ownTenant\n`,
  );
  return file;
}

async function onboard(args: string[], env: { searchPath?: string } = {}) {
  const io: CommandIo & { out: string; err: string } = { out: "", err: "", interactive: false, stdout: (t) => void (io.out += t), stderr: (t) => void (io.err += t) };
  const code = await runCli(["onboard", ...args, "--authority-host", emu.login, "--ca-file", caFile, "--json"], { io, ...env });
  return { code, doc: JSON.parse(io.out) };
}

function unchanged(file: string) {
  const before = readFileSync(file);
  return () => {
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  };
}

test("an unknown domain is refused with exit 4 and Entra's AADSTS90002; the config is untouched", async () => {
  const file = config("unknown.yaml");
  const same = unchanged(file);
  const { code, doc } = await onboard(["--tenant", "nobody-here.onmicrosoft.com", "--mssp", "--config", file]);
  expect(code).toBe(ExitCode.NotFound);
  expect(doc.error).toMatchObject({ code: "UnknownTenant", exitCode: ExitCode.NotFound });
  expect(doc.error.message).toMatch(/nobody-here\.onmicrosoft\.com: .* answered 400 AADSTS90002/);
  expect(doc.error.next).toMatch(/tenant id \(a GUID\) or a verified domain of the tenant; nothing was changed/);
  same();
});

test("something neither a GUID nor a domain is a usage error naming --tenant", async () => {
  const file = config("garbage.yaml");
  const same = unchanged(file);
  const { code, doc } = await onboard(["--tenant", "contoso", "--config", file]);
  expect(code).toBe(ExitCode.Usage);
  expect(doc.error.message).toMatch(/--tenant "contoso" is neither a tenant id/);
  same();
});

test("a config that does not validate is reported field by field and left byte for byte as it was", async () => {
  const file = join(dir, "invalid.yaml");
  writeFileSync(file, readFileSync(config("tmp.yaml"), "utf8").replace("prefix: contosoal", "prefix: Contoso_AL").replace("location: westeurope", "location: West Europe"));
  const same = unchanged(file);
  const { code, doc } = await onboard(["--tenant", emu.tenants[1].domain, "--mssp", "--config", file]);
  expect(code).toBe(ExitCode.Usage);
  expect(doc.error.code).toBe("CurrentConfigInvalid");
  expect(doc.error.message).toMatch(/does not validate as it is, so no tenant was added/);
  expect(doc.error.details).toEqual(expect.arrayContaining([expect.stringMatching(/^platform\.prefix: /), expect.stringMatching(/^platform\.location: /)]));
  same();
});

test("a client tenant without --mssp would make the config invalid: refused, the next step names --mssp, nothing written", async () => {
  const file = config("foreign.yaml");
  const same = unchanged(file);
  const { code, doc } = await onboard(["--tenant", emu.tenants[1].tenantId, "--config", file]);
  expect(code).toBe(ExitCode.Usage);
  expect(doc.error.code).toBe("TenantRejected");
  expect(doc.error.details.join("\n")).toMatch(/tenants\[1\]\.identity: ownTenant but the tenant .* is not platform\.tenantId/);
  expect(doc.error.next).toMatch(/pass --mssp/);
  same();
});

test("a tenant already listed under other settings is refused with the differences, nothing written", async () => {
  const file = config("listed.yaml");
  const same = unchanged(file);
  const { code, doc } = await onboard(["--tenant", platformTenant(), "--name", "Someone Else", "--mssp", "--config", file]);
  expect(code).toBe(ExitCode.Usage);
  expect(doc.error.code).toBe("TenantListedDifferently");
  expect(doc.error.message).toMatch(/displayName is 'Contoso Ltd', --name says 'Someone Else'; identity is ownTenant, --mssp asks for msspClient/);
  same();
});

test("a missing config file is exit 4", async () => {
  const { code, doc } = await onboard(["--tenant", platformTenant(), "--config", join(dir, "nowhere.yaml")]);
  expect(code).toBe(ExitCode.NotFound);
  expect(doc.error.code).toBe("ConfigNotFound");
});

test("without terraform or tofu on PATH an Azure onboarding stops before the config is changed (exit 5, the install hint)", async () => {
  const file = config("noterraform.yaml");
  const same = unchanged(file);
  const { code, doc } = await onboard(["--tenant", emu.tenants[1].domain, "--mssp", "--config", file, "--app-url", "https://contosoal-func.azurewebsites.net", "--function-key", "k"], { searchPath: join(dir, "empty-bin") });
  expect(code).toBe(ExitCode.Prerequisite);
  expect(doc.error.code).toBe("TerraformNotFound");
  expect(doc.error.next).toMatch(/Install Terraform/);
  same();
});

test("--dry-run resolves and validates, prints the ordered plan, and changes nothing", async () => {
  const file = config("dry.yaml");
  const same = unchanged(file);
  const t1 = emu.tenants[1];
  const { code, doc } = await onboard(["--tenant", t1.domain.toUpperCase(), "--mssp", "--config", file, "--out", join(dir, "out"), "--dry-run"]);
  expect(code).toBe(ExitCode.Success);
  const key = t1.domain.split(".")[0].replace(/[^a-z0-9]/g, "").slice(0, 16);
  expect(doc).toMatchObject({ ok: true, dryRun: true, tenantId: t1.tenantId, domain: t1.domain, key, database: `audit_${key}`, identity: "msspClient", config: { changed: true } });
  expect(doc.onboarding).toBeUndefined();
  expect(doc.plan).toEqual([
    `add tenant ${t1.tenantId} (key ${key}, msspClient) to ${file}`,
    `synthesize ${file} into ${join(dir, "out")}`,
    `terraform init, apply in ${join(dir, "out")}/stacks/contosoal-platform`,
    `terraform init, apply in ${join(dir, "out")}/stacks/contosoal-tenant-${key}`,
    `print the admin-consent URL for tenant ${t1.tenantId}`,
    expect.stringMatching(/^wait until the app reports tenant .* ready .* up to 900 s$/),
    "ask the app for a plan run (POST /api/operator/plan)",
    expect.stringMatching(/^follow \/api\/health until every content type has caught up — up to 3600 s$/),
  ]);
  same();
});

test("a config whose tenants are a flow list gets the tenant through the Document API, still valid, comments kept", async () => {
  const file = join(dir, "flow.yaml");
  writeFileSync(file, readFileSync(config("flow-base.yaml"), "utf8").replace(/tenants:\n[\s\S]*$/, `tenants: [{ tenant: ${platformTenant()}, key: contoso, displayName: Contoso Ltd, identity: ownTenant }]   # one for now\n`));
  const t1 = emu.tenants[1];
  const { code, doc } = await onboard(["--tenant", t1.tenantId, "--mssp", "--key", "fabrikam", "--config", file, "--dry-run"]);
  expect(code).toBe(ExitCode.Success);
  expect(doc).toMatchObject({ key: "fabrikam", config: { changed: true } });
  const { tenantAddition } = await import("../../cli/tenants/tenant-addition");
  const addition = await tenantAddition(file, { tenantId: t1.tenantId, key: "fabrikam", mssp: true });
  expect(addition.config.tenants.map((t) => t.key)).toEqual(["contoso", "fabrikam"]);
  expect(addition.text).toContain("# our deployment");
  expect(addition.text).toContain("# every name starts with it");
});

test("onboard --help and rollout --help document every option, examples and the exit codes", async () => {
  for (const [command, options] of [
    ["onboard", ["--tenant <id|domain>", "--name <display name>", "--key <key>", "--cloud <cloud>", "--mssp", "--config <file>", "--timeout <seconds>", "--catch-up-timeout <seconds>", "--poll-interval <seconds>", "--authority-host <url>", "--app-url <url>", "--function-key <key>", "--ca-file <pem>", "--out <dir>", "--terraform <path>", "--dry-run", "--json"]],
    ["rollout", ["--config <file>", "--clients <a,b,...>", "--parallel <n>", "--timeout <seconds>", "--catch-up-timeout <seconds>", "--app-url <url>", "--function-key <key>", "--dry-run", "--json"]],
  ] as const) {
    const io: CommandIo & { out: string } = { out: "", interactive: false, stdout: (t) => void (io.out += t), stderr: () => {} };
    expect(await runCli([command, "--help"], { io })).toBe(ExitCode.Success);
    for (const option of options) expect(io.out).toContain(option);
    expect(io.out).toMatch(new RegExp(`Examples:\\n  m365-audit-lake ${command} `));
    expect(io.out).toMatch(/Exit codes: 0 /);
  }
});
