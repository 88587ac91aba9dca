// `m365-audit-lake deploy`: synthesize the infrastructure, apply each stack with terraform/tofu, publish the code.
import { Command, Option } from "commander";
import { resolve } from "node:path";
import { commandAction, withDryRun, withJson, type CommonOptions, type ExitCodeSink } from "../output/command-action";
import { writeResult, type CommandIo } from "../output/command-io";
import { deploySolution } from "./deploy-solution";
import { defaultAzureAccess, DEFAULT_PACKAGE, readCaFile, seconds, type AzureAccess } from "./publish-command";
import { PUBLIC_RESOURCE_MANAGER } from "./resource-manager-pipeline";
import type { SynthFunction } from "./synthesized-stacks";
import { TERRAFORM_INSTALL_HINT } from "./terraform";

interface DeployCommandOptions extends CommonOptions {
  config: string;
  stack?: string[];
  out: string;
  terraform?: string;
  package: string;
  skipPublish?: boolean;
  dryRun?: boolean;
  timeout: number;
  indexTimeout: number;
  resourceManager: string;
  caFile?: string;
}

export interface DeployCommandWiring {
  /** The infrastructure app's synthesis (see synthesized-stacks.ts for the wiring point). */
  synth: SynthFunction;
  azure?: AzureAccess;
  /** The PATH searched for terraform/tofu (default process.env.PATH). */
  searchPath?: string;
}

export function deployCommand(io: CommandIo, sink: ExitCodeSink, wiring: DeployCommandWiring): Command {
  const access = wiring.azure ?? defaultAzureAccess;
  const command = new Command("deploy")
    .summary("synthesize the infrastructure, apply every stack with terraform/tofu, publish the functions package")
    .description(
      "Deploy the whole solution from a deployment config: synthesize the CDKTF app offline into --out, run `init` and `apply` " +
        "in each stack folder (platform first, then one per tenant) with terraform or OpenTofu from PATH, then publish the built " +
        "functions package (npm run bundle) to the Function App and wait until its functions are indexed. Terraform, the config " +
        "and the package are checked before anything runs.",
    )
    .requiredOption("--config <file>", "deployment config (YAML; see infra/examples/)")
    .option("--stack <name...>", "apply only these stacks (repeatable; default: all, in order)")
    .option("--out <dir>", "where the stacks are synthesized", "cdktf.out")
    .option("--terraform <path>", "terraform or tofu binary to use (default: terraform, then tofu, on PATH)")
    .option("--package <folder>", "built functions package to publish", DEFAULT_PACKAGE)
    .option("--skip-publish", "apply the infrastructure only; publish the code later with `m365-audit-lake publish`")
    .option("--timeout <seconds>", "how long the code deployment may take", seconds("--timeout"), 600)
    .option("--index-timeout <seconds>", "how long the host may take to index the functions", seconds("--index-timeout"), 180)
    .addOption(new Option("--resource-manager <url>", "Resource Manager endpoint (sovereign clouds, or the emulated cloud)").default(access.resourceManager ?? PUBLIC_RESOURCE_MANAGER))
    .option("--ca-file <pem>", "extra CA certificate to trust (the emulated cloud's per-run CA)");
  withDryRun(command);
  withJson(command);
  command.addHelpText(
    "after",
    "\nExamples:\n  m365-audit-lake deploy --config deploy.yaml\n  m365-audit-lake deploy --config mssp.yaml --stack audit-lake-contoso --skip-publish\n" +
      "  m365-audit-lake deploy --config deploy.yaml --dry-run --json\n" +
      `\nNeeds terraform or tofu: ${TERRAFORM_INSTALL_HINT}\n` +
      "Exit codes: 0 deployed, 1 terraform or the code deployment failed, 2 bad arguments or config, 3 no credential or refused,\n" +
      "4 config file or stack not found, 5 terraform/tofu or the package missing, 6 another deployment is running, 7 timed out.",
  );
  return command.action(
    commandAction<DeployCommandOptions>(io, sink, async (o) => {
      const outcome = await deploySolution({
        configPath: resolve(o.config),
        outDir: resolve(o.out),
        stacks: o.stack,
        synth: wiring.synth,
        terraform: { binary: o.terraform, searchPath: wiring.searchPath },
        skipPublish: o.skipPublish,
        packageDir: resolve(o.package),
        dryRun: o.dryRun,
        connection: () => ({ credential: access.credential(), endpoint: o.resourceManager, caPem: o.caFile ? readCaFile(o.caFile) : access.caPem }),
        publishTimeouts: { timeoutMs: o.timeout * 1000, indexTimeoutMs: o.indexTimeout * 1000 },
        // terraform's own output goes to stderr: under --json stdout carries the one result document
        onStep: (step, i, total) => o.dryRun || io.stderr(`==> [${i + 1}/${total}] ${step.action}${step.stack ? ` ${step.stack}` : ""}\n`),
        onLine: (line) => io.stderr(`    ${line}\n`),
      });
      const planText = outcome.plan.map((s, i) => `  ${i + 1}. ${s.detail}`);
      const human = outcome.dryRun
        ? ["deploy (dry run): nothing was applied or published. Plan:", ...planText].join("\n")
        : [
            `Deployed: applied ${outcome.applied.length} stack(s) with ${outcome.terraform!.flavor} (${outcome.applied.join(", ") || "none"}).`,
            outcome.publish
              ? `Published to ${outcome.publish.site}: deployment ${outcome.publish.deploymentId}, functions ${outcome.publish.functions.join(", ")}.`
              : "Code not published (--skip-publish): run `m365-audit-lake publish` when ready.",
          ].join("\n");
      writeResult(io, o.json, outcome, human);
    }),
  );
}
