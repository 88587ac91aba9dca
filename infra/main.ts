// npm run synth -- --config <file> [--out <dir>]: writes the Terraform JSON of every stack, offline.
import { relative } from "node:path";
import { DeploymentConfigError } from "./config/load";
import { synthesize } from "./synth";

function argument(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function main(argv: string[]): Promise<number> {
  // cdktf-cli runs the app without arguments: the config then comes from the environment.
  const configPath = argument(argv, "--config") ?? process.env.AUDIT_LAKE_DEPLOY_CONFIG;
  if (!configPath) {
    console.error("No deployment config: pass --config <file> (infra/examples/single-tenant.yaml is a start).");
    return 2;
  }
  const started = performance.now();
  try {
    const result = await synthesize({ configPath, outDir: argument(argv, "--out") ?? process.env.CDKTF_OUTDIR });
    console.log(`Synthesized ${result.stacks.length} stacks from ${configPath} in ${((performance.now() - started) / 1000).toFixed(1)} s:`);
    for (const s of result.stacks) console.log(`  ${s.kind.padEnd(8)} terraform -chdir=${relative(process.cwd(), s.dir)} init && terraform -chdir=${relative(process.cwd(), s.dir)} apply`);
    console.log("Apply the platform stack first; then each tenant stack. Publishing the code is the operator CLI's job.");
    return 0;
  } catch (e) {
    if (e instanceof DeploymentConfigError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
