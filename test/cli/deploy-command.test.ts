// `deploy` end to end against the emulated Resource Manager: prerequisites checked before anything runs, the dry-run
// plan, real terraform init/apply in each synthesized stack folder, then the code published and indexed.
//
// The infrastructure app (infra/synth.ts) is built in parallel and not in this branch: `synthStandIn` writes what its
// synthesis writes — cdktf.out/stacks/<stack>/cdk.tf.json with a local backend — holding only outputs, so terraform
// runs here without fetching providers.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../../cli/main";
import type { SynthFunction } from "../../cli/deploy/synthesized-stacks";
import type { CommandIo } from "../../cli/output/command-io";
import { ExitCode } from "../../cli/output/exit-codes";
import type { ResourceManagerEmulator } from "../../local/resource-manager";
import { deployFixture, type DeployFixture, BUNDLED_FUNCTIONS, terraformOnPath } from "./deploy-fixture";

let fx: DeployFixture;
let rm: ResourceManagerEmulator;
let config: string;
beforeAll(async () => {
  fx = await deployFixture();
  rm = await fx.startEmulator([{ name: "func-audit-lake" }]);
  config = join(fx.dir, "deploy.yaml");
  writeFileSync(config, "platform: {}\n");
});
afterAll(() => fx.cleanup());

function capture(): CommandIo & { out: string; err: string } {
  const io = { out: "", err: "", interactive: false, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

interface StandInStack {
  name: string;
  outputs?: Record<string, string>;
  /** Raw extra terraform JSON (e.g. something apply refuses). */
  extra?: Record<string, unknown>;
}

function synthStandIn(stacks: StandInStack[], calls: string[] = []): SynthFunction {
  return async (configPath, outDir) => {
    calls.push(configPath);
    return {
      stacks: stacks.map((s) => {
        const dir = join(outDir, "stacks", s.name);
        mkdirSync(dir, { recursive: true });
        const output = Object.fromEntries(Object.entries(s.outputs ?? {}).map(([k, v]) => [k, { value: v }]));
        writeFileSync(join(dir, "cdk.tf.json"), JSON.stringify({ terraform: { backend: { local: { path: "terraform.tfstate" } } }, output, ...s.extra }, null, 2));
        return { name: s.name, dir };
      }),
    };
  };
}

const platform = (): StandInStack => ({ name: "audit-lake-platform", outputs: { function_app_id: rm.site("func-audit-lake").resourceId } });
const tenant: StandInStack = { name: "audit-lake-contoso", outputs: { database: "contoso" } };
const azure = () => ({ credential: () => rm.credential(), resourceManager: rm.url, caPem: fx.tls.caPem });

test("with neither terraform nor tofu on PATH, deploy fails with TerraformNotFound and the install hint before synthesizing anything", async () => {
  const io = capture();
  const calls: string[] = [];
  const out = mkdtempSync(join(fx.dir, "out-"));
  const emptyPath = mkdtempSync(join(fx.dir, "path-"));
  const code = await runCli(["deploy", "--config", config, "--out", out, "--package", fx.goodPackage, "--json"], { io, azure: azure(), synth: synthStandIn([platform(), tenant], calls), searchPath: emptyPath });
  expect(code).toBe(ExitCode.Prerequisite);
  const doc = JSON.parse(io.out);
  expect(doc.ok).toBe(false);
  expect(doc.error.code).toBe("TerraformNotFound");
  expect(doc.error.message).toBe("Neither terraform nor tofu (OpenTofu) is on PATH; deploy applies the synthesized stacks with one of them.");
  expect(doc.error.next).toMatch(/Install Terraform >= 1\.5 \(https:\/\/developer\.hashicorp\.com\/terraform\/install\) or OpenTofu .* or pass --terraform <path/);
  expect(calls).toEqual([]);
  expect(existsSync(join(out, "stacks"))).toBe(false);
  expect(rm.site("func-audit-lake").deployments).toHaveLength(0);
});

test("--terraform naming a missing binary fails the same way, in human form on stderr", async () => {
  const io = capture();
  const code = await runCli(["deploy", "--config", config, "--terraform", join(fx.dir, "no-terraform"), "--package", fx.goodPackage], { io, azure: azure(), synth: synthStandIn([platform()]) });
  expect(code).toBe(ExitCode.Prerequisite);
  expect(io.err).toMatch(/^error \[TerraformNotFound\]: --terraform .*no-terraform is not an executable file\.\n  next: Install Terraform/);
});

test("deploy --dry-run --json synthesizes and prints the ordered plan; it runs no terraform and publishes nothing, even without terraform", async () => {
  const io = capture();
  const out = mkdtempSync(join(fx.dir, "out-"));
  const code = await runCli(["deploy", "--config", config, "--out", out, "--dry-run", "--json"], { io, azure: azure(), synth: synthStandIn([platform(), tenant]), searchPath: mkdtempSync(join(fx.dir, "path-")) });
  expect(code).toBe(ExitCode.Success);
  const doc = JSON.parse(io.out);
  expect(doc).toMatchObject({ ok: true, dryRun: true, applied: [] });
  expect(doc.plan.map((s: { action: string; stack?: string }) => [s.action, s.stack ?? ""])).toEqual([
    ["synth", ""],
    ["init", "audit-lake-platform"],
    ["apply", "audit-lake-platform"],
    ["init", "audit-lake-contoso"],
    ["apply", "audit-lake-contoso"],
    ["publish", ""],
  ]);
  expect(existsSync(join(out, "stacks", "audit-lake-platform", ".terraform"))).toBe(false);
  expect(rm.site("func-audit-lake").deployments).toHaveLength(0);
});

test("an unknown --stack is refused with StackNotFound and the stacks the config has", async () => {
  const io = capture();
  const code = await runCli(["deploy", "--config", config, "--out", mkdtempSync(join(fx.dir, "out-")), "--stack", "audit-lake-fabrikam", "--dry-run"], { io, synth: synthStandIn([platform(), tenant]) });
  expect(code).toBe(ExitCode.NotFound);
  expect(io.err).toMatch(/\[StackNotFound\]: The config synthesizes no stack named 'audit-lake-fabrikam'\.\n  next: Pick from: audit-lake-platform, audit-lake-contoso/);
});

test("a config file that does not exist is refused with ConfigNotFound; a synthesis error becomes SynthFailed (exit 2)", async () => {
  const missing = capture();
  expect(await runCli(["deploy", "--config", join(fx.dir, "nope.yaml"), "--dry-run"], { io: missing, synth: synthStandIn([]) })).toBe(ExitCode.NotFound);
  expect(missing.err).toMatch(/\[ConfigNotFound\]/);
  const invalid = capture();
  const failing: SynthFunction = async () => {
    throw new Error("deploy.yaml: platform.subscriptionId is required");
  };
  expect(await runCli(["deploy", "--config", config, "--dry-run", "--json"], { io: invalid, synth: failing })).toBe(ExitCode.Usage);
  expect(JSON.parse(invalid.out).error).toMatchObject({ code: "SynthFailed", message: expect.stringContaining("platform.subscriptionId is required") });
});

(terraformOnPath ? describe : describe.skip)("with terraform on PATH", () => {
  test("deploy applies every stack in order with terraform, reads the Function App from the outputs, publishes and waits for the functions", async () => {
    const io = capture();
    const out = mkdtempSync(join(fx.dir, "out-"));
    const code = await runCli(["deploy", "--config", config, "--out", out, "--package", fx.goodPackage, "--json"], { io, azure: azure(), synth: synthStandIn([platform(), tenant]) });
    if (code !== 0) throw new Error(io.out + io.err);
    const doc = JSON.parse(io.out);
    expect(doc).toMatchObject({ ok: true, dryRun: false, applied: ["audit-lake-platform", "audit-lake-contoso"], terraform: { flavor: "terraform" } });
    expect(doc.publish).toMatchObject({ site: "func-audit-lake", functions: BUNDLED_FUNCTIONS });
    for (const stack of ["audit-lake-platform", "audit-lake-contoso"]) expect(existsSync(join(out, "stacks", stack, "terraform.tfstate"))).toBe(true);
    expect(io.err).toMatch(/==> \[2\/6\] init audit-lake-platform[\s\S]*==> \[5\/6\] apply audit-lake-contoso[\s\S]*==> \[6\/6\] publish/);
    expect(io.err).toMatch(/Apply complete!/);
  });

  test("a stack terraform cannot apply stops the deploy with TerraformFailed and its output; later stacks and the code are left alone", async () => {
    const io = capture();
    const out = mkdtempSync(join(fx.dir, "out-"));
    const broken: StandInStack = { name: "audit-lake-platform", extra: { output: { function_app_id: { value: "${var.not_declared}" } } } };
    const before = rm.site("func-audit-lake").deployments.length;
    const code = await runCli(["deploy", "--config", config, "--out", out, "--package", fx.goodPackage, "--json"], { io, azure: azure(), synth: synthStandIn([broken, tenant]) });
    expect(code).toBe(ExitCode.Failed);
    const doc = JSON.parse(io.out);
    expect(doc.error.code).toBe("TerraformFailed");
    expect(doc.error.details.join("\n")).toMatch(/not_declared/);
    expect(existsSync(join(out, "stacks", "audit-lake-contoso", ".terraform"))).toBe(false);
    expect(rm.site("func-audit-lake").deployments).toHaveLength(before);
  });
});

if (!terraformOnPath) console.log("deploy-command.test: terraform is not on PATH here, so the apply tests are skipped (the TerraformNotFound tests still run).");
