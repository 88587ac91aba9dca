// The CLI root as an operator and a pipeline meet it: complete help, one JSON document under --json, the documented
// exit codes, --dry-run that changes nothing, and the bin that runs it.
import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { runCli } from "../../cli/main";
import type { CommandIo } from "../../cli/output/command-io";
import { ExitCode } from "../../cli/output/exit-codes";
import type { ResourceManagerEmulator } from "../../local/resource-manager";
import { deployFixture, GROUP, SUBSCRIPTION, type DeployFixture, BUNDLED_FUNCTIONS } from "./deploy-fixture";

const root = join(__dirname, "..", "..");

function capture(): CommandIo & { out: string; err: string } {
  const io = { out: "", err: "", interactive: false, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

let fx: DeployFixture;
let rm: ResourceManagerEmulator;
beforeAll(async () => {
  fx = await deployFixture();
  rm = await fx.startEmulator([{ name: "func-audit-lake" }]);
});
afterAll(() => fx.cleanup());

const azure = () => ({ credential: () => rm.credential(), resourceManager: rm.url, caPem: fx.tls.caPem });
const target = ["--subscription", SUBSCRIPTION, "--resource-group", GROUP, "--site", "func-audit-lake"];

test("--help lists every command and the exit codes", async () => {
  const io = capture();
  expect(await runCli(["--help"], { io })).toBe(ExitCode.Success);
  for (const command of ["deploy", "publish", "start"]) expect(io.out).toMatch(new RegExp(`^  ${command}\\b`, "m"));
  for (const code of Object.values(ExitCode)) expect(io.out).toMatch(new RegExp(`^  ${code}  \\S`, "m"));
});

test("publish --help documents every option, an example and the exit codes", async () => {
  const io = capture();
  expect(await runCli(["publish", "--help"], { io })).toBe(ExitCode.Success);
  for (const option of ["--subscription <id>", "--resource-group <name>", "--site <name>", "--package <folder>", "--timeout <seconds>", "--index-timeout <seconds>", "--resource-manager <url>", "--ca-file <pem>", "--dry-run", "--json"]) {
    expect(io.out).toContain(option);
  }
  expect(io.out).toMatch(/Examples:\n  m365-audit-lake publish /);
  expect(io.out).toMatch(/Exit codes: 0 published/);
});

test("deploy --help documents every option, an example, the terraform install hint and the exit codes", async () => {
  const io = capture();
  expect(await runCli(["deploy", "--help"], { io })).toBe(ExitCode.Success);
  for (const option of ["--config <file>", "--stack <name...>", "--out <dir>", "--terraform <path>", "--package <folder>", "--skip-publish", "--timeout <seconds>", "--index-timeout <seconds>", "--resource-manager <url>", "--ca-file <pem>", "--dry-run", "--json"]) {
    expect(io.out).toContain(option);
  }
  expect(io.out).toMatch(/Examples:\n  m365-audit-lake deploy --config /);
  expect(io.out).toMatch(/Needs terraform or tofu: Install Terraform/);
  expect(io.out).toMatch(/Exit codes: 0 deployed/);
});

test("a missing required option is a usage error (exit 2) that, under --json, is one parseable document", async () => {
  const io = capture();
  expect(await runCli(["publish", "--site", "x", "--json"], { io })).toBe(ExitCode.Usage);
  const doc = JSON.parse(io.out);
  expect(doc).toEqual({ ok: false, error: expect.objectContaining({ code: "commander.missingMandatoryOptionValue", exitCode: ExitCode.Usage, next: expect.stringContaining("m365-audit-lake publish --help") }) });
  expect(io.err).toBe("");
});

test("publish --dry-run --json prints the ordered plan, needs no credential and sends nothing", async () => {
  const io = capture();
  const before = rm.requests.length;
  const refuse = { credential: () => ({ getToken: () => Promise.reject(new Error("a dry run must not ask for a token")) }), resourceManager: rm.url };
  expect(await runCli(["publish", ...target, "--package", fx.goodPackage, "--dry-run", "--json"], { io, azure: refuse })).toBe(ExitCode.Success);
  const doc = JSON.parse(io.out);
  expect(doc.ok).toBe(true);
  expect(doc.dryRun).toBe(true);
  expect(doc.package.files).toEqual(["app.js", "host.json", "package.json"]);
  expect(doc.plan.map((step: string) => step.split(" ")[0])).toEqual(["zip", "GET", "POST", "GET", "GET"]);
  expect(rm.requests.length).toBe(before);
  expect(rm.site("func-audit-lake").deployments).toHaveLength(0);
});

test("publish --json against the emulated cloud prints the deployment and the indexed functions", async () => {
  const io = capture();
  expect(await runCli(["publish", ...target, "--package", fx.goodPackage, "--json"], { io, azure: azure() })).toBe(ExitCode.Success);
  const doc = JSON.parse(io.out);
  expect(doc).toMatchObject({ ok: true, dryRun: false, site: "func-audit-lake", scmHost: rm.site("func-audit-lake").scmHost, functions: BUNDLED_FUNCTIONS });
  expect(rm.site("func-audit-lake").deployments.map((d) => d.id)).toEqual([doc.deploymentId]);
});

test("a failing publish prints the error with its next step on stderr and exits with its code", async () => {
  const io = capture();
  expect(await runCli(["publish", ...target, "--site", "func-missing", "--package", fx.goodPackage], { io, azure: azure() })).toBe(ExitCode.NotFound);
  expect(io.out).toBe("");
  expect(io.err).toMatch(/^error \[ResourceNotFound\]: Resource Manager cannot find site 'func-missing'/);
  expect(io.err).toMatch(/\n  next: Check --subscription, --resource-group and --site/);
});

test("start passes its arguments to `npm start` unchanged: start --help is start's own help", () => {
  const help = spawnSync(process.execPath, [join(root, "cli", "m365-audit-lake.cjs"), "start", "--help"], { encoding: "utf8", timeout: 60_000 });
  expect(help.status).toBe(0);
  expect(help.stdout).toMatch(/^Usage: npm start -- \[options\]/);
  expect(help.stdout).toContain("--faults <spec>");
});

test("the bin runs the CLI through tsx and returns the documented exit code", () => {
  const help = execFileSync(process.execPath, [join(root, "cli", "m365-audit-lake.cjs"), "--help"], { encoding: "utf8", timeout: 60_000 });
  expect(help).toMatch(/^Usage: m365-audit-lake /);
  const missing = spawnSync(process.execPath, [join(root, "cli", "m365-audit-lake.cjs"), "publish", "--subscription", "s", "--resource-group", "g", "--site", "x", "--package", join(fx.dir, "none"), "--json"], { encoding: "utf8", timeout: 60_000 });
  expect(missing.status).toBe(ExitCode.Prerequisite);
  expect(JSON.parse(missing.stdout).error.code).toBe("PackageNotBuilt");
});
