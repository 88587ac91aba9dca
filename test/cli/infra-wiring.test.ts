// The CLI with the real infrastructure app behind it: `stacks` and `deploy --dry-run` synthesize both shipped examples
// offline and list what a pipeline would plan or apply, platform first; a broken config is refused with its fields.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../cli/main";
import type { CommandIo } from "../../cli/output/command-io";
import { ExitCode } from "../../cli/output/exit-codes";

const examples = join(__dirname, "../../infra/examples");
let out: string;
beforeAll(() => (out = mkdtempSync(join(tmpdir(), "audit-lake-cli-infra-"))));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function capture(): CommandIo & { out: string; err: string } {
  const io = { out: "", err: "", interactive: false, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

describe("stacks", () => {
  it("lists the MSSP example's stacks in apply order, each a terraform working directory", async () => {
    const io = capture();
    const code = await runCli(["stacks", "--config", join(examples, "mssp.yaml"), "--out", out, "--json"], { io });
    expect(code).toBe(ExitCode.Success);
    const result = JSON.parse(io.out);
    expect(result.ok).toBe(true);
    expect(result.stacks.map((s: { kind: string }) => s.kind)).toEqual(["platform", "tenant", "tenant", "tenant"]);
    for (const s of result.stacks) expect(existsSync(join(s.dir, "cdk.tf.json"))).toBe(true);
    expect(result.outputs.functionAppId).toMatch(/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Web\/sites\/[^/]+$/);
  });

  it("synthesizes into an --out folder whose parents do not exist yet, as a pipeline's fresh workspace has them", async () => {
    const nested = join(out, "not", "yet", "there");
    const io = capture();
    expect(await runCli(["stacks", "--config", join(examples, "single-tenant.yaml"), "--out", nested], { io })).toBe(ExitCode.Success);
    for (const name of io.out.trim().split("\n")) expect(existsSync(join(nested, "stacks", name, "cdk.tf.json"))).toBe(true);
  });

  it("prints one stack name per line without --json, for shell loops", async () => {
    const io = capture();
    expect(await runCli(["stacks", "--config", join(examples, "single-tenant.yaml"), "--out", out], { io })).toBe(ExitCode.Success);
    const lines = io.out.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/-platform$/);
    for (const name of lines) expect(existsSync(join(out, "stacks", name, "cdk.tf.json"))).toBe(true);
  });

  it("refuses an invalid config with each field and its fix, exit code 2", async () => {
    const bad = join(out, "bad.yaml");
    writeFileSync(bad, "platform:\n  location: westeurope\ntenants: []\n");
    const io = capture();
    expect(await runCli(["stacks", "--config", bad, "--out", out, "--json"], { io })).toBe(ExitCode.Usage);
    const { error } = JSON.parse(io.out);
    expect(error.code).toBe("InvalidDeploymentConfig");
    expect(error.message).toContain(bad);
    expect(error.details.join("\n")).toMatch(/platform\.tenantId: .*Entra admin center/);
    expect(error.details.join("\n")).toMatch(/tenants: lists no tenant/);
  });
});

describe("deploy --dry-run", () => {
  it.each(["single-tenant.yaml", "mssp.yaml"])("plans %s offline: synth, then init and apply per stack, then publish", async (example) => {
    const io = capture();
    const code = await runCli(["deploy", "--dry-run", "--config", join(examples, example), "--out", out, "--json"], { io });
    expect(code).toBe(ExitCode.Success);
    const result = JSON.parse(io.out);
    const actions = result.plan.map((s: { action: string }) => s.action);
    const stacks = example === "mssp.yaml" ? 4 : 2;
    expect(actions).toEqual(["synth", ...Array(stacks).fill(["init", "apply"]).flat(), "publish"]);
    expect(result.plan[1].stack).toMatch(/-platform$/);
    expect(result.applied).toEqual([]);
  });
});
