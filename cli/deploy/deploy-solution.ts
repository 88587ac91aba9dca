// `deploy` as a use case: check what it needs first (config, terraform, the built package) so nothing is half-done,
// synthesize, apply each stack in order, then publish the functions package and wait until it is indexed.
import { existsSync, statSync } from "node:fs";
import { CliError } from "../output/cli-error";
import { ExitCode } from "../output/exit-codes";
import { checkFunctionsPackage } from "./functions-package-zip";
import { publishFunctions, type PublishResult } from "./publish-functions";
import { RESOURCE_MANAGER, type ResourceManagerCloud, type ResourceManagerConnection } from "./resource-manager-pipeline";
import { selectStacks, siteFromResourceId, type SynthFunction } from "./synthesized-stacks";
import { findTerraform, runTerraform, stackCommands, stackOutputs, type FindTerraformOptions, type TerraformBinary } from "./terraform";

export interface DeployStep {
  action: "synth" | "init" | "apply" | "publish";
  stack?: string;
  /** What runs, in words an operator reads in a plan. */
  detail: string;
  /** The terraform arguments, for init and apply. */
  args?: string[];
  /** Where it runs, for init and apply. */
  dir?: string;
}

export interface DeployOptions {
  configPath: string;
  outDir: string;
  stacks?: string[];
  synth: SynthFunction;
  terraform?: FindTerraformOptions;
  /** Skip the code deployment (infrastructure only). */
  skipPublish?: boolean;
  packageDir: string;
  /** Resource Manager access for publish; only asked for when publishing. */
  connection: () => ResourceManagerConnection;
  publishTimeouts?: { timeoutMs?: number; indexTimeoutMs?: number; pollIntervalMs?: number; indexPollIntervalMs?: number };
  dryRun?: boolean;
  onStep?: (step: DeployStep, index: number, total: number) => void;
  onLine?: (line: string) => void;
}

export interface DeployOutcome {
  dryRun: boolean;
  terraform?: TerraformBinary;
  plan: DeployStep[];
  applied: string[];
  publish?: PublishResult;
}

export async function deploySolution(options: DeployOptions): Promise<DeployOutcome> {
  if (!existsSync(options.configPath) || !statSync(options.configPath).isFile()) {
    throw new CliError("ConfigNotFound", `The deployment config ${options.configPath} does not exist.`, "Pass --config <file>; infra/examples/ holds a single-tenant and an MSSP example to copy.", ExitCode.NotFound);
  }
  // prerequisites before any work: a missing tool must not leave a synthesized-but-unapplied or applied-but-unpublished state
  const terraform = options.dryRun ? undefined : findTerraform(options.terraform);
  if (!options.dryRun && !options.skipPublish) checkFunctionsPackage(options.packageDir);

  const synthStep: DeployStep = { action: "synth", detail: `synthesize ${options.configPath} into ${options.outDir}` };
  options.onStep?.(synthStep, 0, 1);
  const synthesized = await synthesize(options);
  const stacks = selectStacks(synthesized.stacks, options.stacks);
  const knownSite = synthesized.outputs?.functionAppId;

  const plan: DeployStep[] = [synthStep];
  for (const stack of stacks) {
    for (const args of stackCommands()) plan.push({ action: args[0] as "init" | "apply", stack: stack.name, args, dir: stack.dir, detail: `${terraform?.flavor ?? "terraform"} ${args.join(" ")} in ${stack.dir}` });
  }
  if (!options.skipPublish) {
    plan.push({
      action: "publish",
      detail: `publish ${options.packageDir} to ${knownSite ?? "the Function App named by the applied stacks' function_app_id output"} (OneDeploy), then wait until its functions are indexed`,
    });
  }
  if (options.dryRun || !terraform) return { dryRun: true, plan, applied: [] };

  const applied: string[] = [];
  let siteId = knownSite;
  for (const [i, step] of plan.entries()) {
    if (step.action === "synth") continue;
    options.onStep?.(step, i, plan.length);
    if (step.action === "publish") break;
    await runTerraform(terraform, step.args!, step.dir!, { onLine: options.onLine });
    if (step.action === "apply") {
      applied.push(step.stack!);
      if (!siteId) {
        const outputs = await stackOutputs(terraform, step.dir!);
        if (typeof outputs.function_app_id === "string") siteId = outputs.function_app_id;
      }
    }
  }
  if (options.skipPublish) return { dryRun: false, terraform, plan, applied };

  const target = siteId ? siteFromResourceId(siteId) : undefined;
  if (!target) {
    throw new CliError(
      "NoFunctionApp",
      siteId ? `The function app id '${siteId}' is not a Microsoft.Web/sites resource id.` : "No applied stack names a Function App (output function_app_id), so there is nothing to publish to.",
      "Include the platform stack (leave out --stack), or pass --skip-publish to deploy infrastructure only and publish later with `m365-audit-lake publish`.",
      ExitCode.Failed,
    );
  }
  const publish = await publishFunctions({ ...target, packageDir: options.packageDir, connection: connectionFor(options.connection(), synthesized.outputs?.azureCloud), ...options.publishTimeouts });
  return { dryRun: false, terraform, plan, applied, publish };
}

async function synthesize(options: DeployOptions) {
  try {
    return await options.synth(options.configPath, options.outDir);
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError("SynthFailed", `Synthesizing ${options.configPath} failed: ${(e as Error).message}`, "Fix what the message names in the config file (infra/examples/ shows valid ones) and run deploy again; nothing was applied.", ExitCode.Usage);
  }
}

/** The config's cloud picks Resource Manager and its token audience, unless an endpoint was given (the emulated cloud). */
function connectionFor(connection: ResourceManagerConnection, cloud: ResourceManagerCloud | undefined): ResourceManagerConnection {
  if (!cloud) return connection;
  const endpoint = connection.endpoint === RESOURCE_MANAGER.public.endpoint ? RESOURCE_MANAGER[cloud].endpoint : connection.endpoint;
  return { ...connection, cloud, endpoint };
}
