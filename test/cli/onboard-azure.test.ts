// onboard's Azure path with a real terraform: the config is written first, then the platform stack (whose app settings
// list every tenant) and the new tenant's own stack are applied — no other tenant's stack — before the app is asked.
// The synthesis is a stand-in that writes output-only stacks from the config (the real one needs the providers).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../cli/main";
import type { SynthFunction } from "../../cli/deploy/synthesized-stacks";
import type { CommandIo } from "../../cli/output/command-io";
import { ExitCode } from "../../cli/output/exit-codes";
import { loadDeploymentConfig } from "../../infra/config/load";
import { platformStackName, tenantStackName } from "../../infra/config/naming";
import { terraformOnPath } from "./deploy-fixture";

if (!terraformOnPath) console.log("onboard-azure.test: terraform is not on PATH here, so the Azure onboarding test is skipped.");

/** Stacks as the infra app names them, holding only outputs: the platform's lists the tenants its settings would carry. */
const synthFromConfig: SynthFunction = async (configPath, outDir) => {
  const config = await loadDeploymentConfig(configPath);
  const stacks = [
    { name: platformStackName(config.platform), output: { tenants: config.tenants.map((t) => t.tenantId).join(",") } },
    ...config.tenants.map((t) => ({ name: tenantStackName(config.platform, t.key), output: { database: t.database } })),
  ];
  return {
    stacks: stacks.map((s) => {
      const dir = join(outDir, "stacks", s.name);
      mkdirSync(dir, { recursive: true });
      const output = Object.fromEntries(Object.entries(s.output).map(([k, v]) => [k, { value: v }]));
      writeFileSync(join(dir, "cdk.tf.json"), JSON.stringify({ terraform: { backend: { local: { path: "terraform.tfstate" } } }, output }, null, 2));
      return { name: s.name, dir };
    }),
  };
};

(terraformOnPath ? test : test.skip)("onboard in Azure applies the platform stack and the new tenant's stack, not the others, then asks the app", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cli-onboard-azure-"));
  try {
    const config = join(dir, "mssp.yaml");
    writeFileSync(config, readFileSync(join(__dirname, "..", "..", "infra", "examples", "mssp.yaml"), "utf8"));
    const out = join(dir, "out");
    const io: CommandIo & { out: string; err: string } = { out: "", err: "", interactive: false, stdout: (t) => void (io.out += t), stderr: (t) => void (io.err += t) };
    const client = "c4c4c4c4-0000-4000-8000-000000000004";
    // an app host that does not resolve: the deployment runs, then the access check cannot reach the app
    const args = ["onboard", "--tenant", client, "--mssp", "--key", "adatum", "--name", "Adatum", "--config", config, "--out", out];
    const app = ["--app-url", "https://fabrikamsoc-func.invalid", "--function-key", "k", "--timeout", "1", "--poll-interval", "0.2", "--json"];
    const code = await runCli([...args, ...app], { io, synth: synthFromConfig });

    expect(code).toBe(ExitCode.Timeout);
    expect(JSON.parse(io.out).error).toMatchObject({ code: "AppUnreachable", message: expect.stringContaining("fabrikamsoc-func.invalid") });
    expect(readFileSync(config, "utf8")).toContain(`- tenant: ${client}\n    key: adatum\n    displayName: Adatum\n    identity: msspClient\n`);
    const state = (stack: string) => join(out, "stacks", stack, "terraform.tfstate");
    const outputs = (stack: string) => JSON.parse(execFileSync("terraform", ["output", "-json"], { cwd: join(out, "stacks", stack), stdio: ["ignore", "pipe", "ignore"] }).toString());
    expect(outputs("fabrikamsoc-platform").tenants.value.split(",")).toContain(client);
    expect(outputs("fabrikamsoc-tenant-adatum").database.value).toBe("audit_adatum");
    for (const other of ["northwind", "tailspin", "woodgrove"]) expect(existsSync(state(`fabrikamsoc-tenant-${other}`))).toBe(false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
