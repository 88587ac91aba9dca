// `m365-audit-lake publish`: OneDeploy the built functions package to an existing Flex Consumption app.
import type { TokenCredential } from "@azure/core-auth";
import { DefaultAzureCredential } from "@azure/identity";
import { Command, InvalidArgumentError, Option } from "commander";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { CliError } from "../output/cli-error";
import type { CommandIo } from "../output/command-io";
import { ExitCode } from "../output/exit-codes";
import { commandAction, withDryRun, withJson, type CommonOptions, type ExitCodeSink } from "../output/command-action";
import { writeResult } from "../output/command-io";
import { stageProgress } from "../output/progress";
import { zipFunctionsPackage } from "./functions-package-zip";
import { PUBLISH_STAGES, publishFunctions } from "./publish-functions";
import { RESOURCE_MANAGER, type ResourceManagerCloud } from "./resource-manager-pipeline";

export const DEFAULT_PACKAGE = "dist/functions";

interface PublishCommandOptions extends CommonOptions {
  subscription: string;
  resourceGroup: string;
  site: string;
  package: string;
  dryRun: boolean;
  timeout: number;
  indexTimeout: number;
  resourceManager?: string;
  azureCloud: ResourceManagerCloud;
  caFile?: string;
}

/** What a command needs from the outside world; tests pass the emulated cloud's. */
export interface AzureAccess {
  credential: () => TokenCredential;
  /** Default https://management.azure.com. */
  resourceManager?: string;
  caPem?: string;
}

export const defaultAzureAccess: AzureAccess = { credential: () => new DefaultAzureCredential() };

export function seconds(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a number of seconds > 0.`);
    return n;
  };
}

export function readCaFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new CliError("CaFileUnreadable", `--ca-file ${path} cannot be read: ${(e as Error).message}`, "Pass the PEM file of the CA to trust (the emulated cloud writes it as ca.pem in its data folder).", ExitCode.NotFound);
  }
}

export function publishCommand(io: CommandIo, sink: ExitCodeSink, access: AzureAccess = defaultAzureAccess): Command {
  const command = new Command("publish")
    .summary("deploy the functions package to the Function App (OneDeploy), wait until its functions are indexed")
    .description(
      "Publish the built functions package (npm run bundle → dist/functions) to an existing Flex Consumption Function App with " +
        "OneDeploy: get a Resource Manager token (DefaultAzureCredential: az login, environment, managed identity), read the site, " +
        "take its SCM host from hostNameSslStates, upload the zip, follow the deployment until it ends, then wait until the host " +
        "lists the functions (Kudu reports success even when the host cannot load the package).",
    )
    .requiredOption("--subscription <id>", "subscription id of the Function App")
    .requiredOption("--resource-group <name>", "resource group of the Function App")
    .requiredOption("--site <name>", "Function App name")
    .option("--package <folder>", "built functions package to publish", DEFAULT_PACKAGE)
    .option("--timeout <seconds>", "how long the deployment may take", seconds("--timeout"), 600)
    .option("--index-timeout <seconds>", "how long the host may take to index the functions after the deployment", seconds("--index-timeout"), 180)
    .addOption(new Option("--azure-cloud <cloud>", "the deployment config's platform.azureCloud: which Resource Manager, and its token audience").choices(Object.keys(RESOURCE_MANAGER)).default("public"))
    .addOption(new Option("--resource-manager <url>", "Resource Manager endpoint (default: the --azure-cloud's; or the emulated cloud)").default(access.resourceManager).hideHelp(access.resourceManager !== undefined))
    .option("--ca-file <pem>", "extra CA certificate to trust (the emulated cloud's per-run CA)");
  withDryRun(command);
  withJson(command);
  command.addHelpText(
    "after",
    "\nExamples:\n  m365-audit-lake publish --subscription <id> --resource-group rg-audit-lake --site func-audit-lake\n" +
      "  m365-audit-lake publish --subscription <id> --resource-group rg-audit-lake --site func-audit-lake --dry-run --json\n" +
      "\nExit codes: 0 published and indexed, 1 deployment failed or functions not indexed, 2 bad arguments, 3 no credential or refused,\n" +
      "4 subscription/group/site not found, 5 package not built, 6 another deployment is running, 7 timed out.",
  );
  return command.action(
    commandAction<PublishCommandOptions>(io, sink, async (o) => {
      const packageDir = resolve(o.package);
      const resourceManager = o.resourceManager ?? RESOURCE_MANAGER[o.azureCloud].endpoint;
      const target = { subscription: o.subscription, resourceGroup: o.resourceGroup, site: o.site };
      if (o.dryRun) {
        const zip = zipFunctionsPackage(packageDir);
        const plan = [
          `zip ${packageDir} (${zip.files.length} files, ${(zip.bytes.length / 1024).toFixed(0)} KiB, Unix modes)`,
          `GET ${resourceManager}/subscriptions/${o.subscription}/resourceGroups/${o.resourceGroup}/providers/Microsoft.Web/sites/${o.site} → SCM host (hostNameSslStates, Repository)`,
          "POST https://<scm host>/api/publish?RemoteBuild=false (the zip)",
          `GET https://<scm host>/api/deployments/<id> until it ends (up to ${o.timeout} s)`,
          `GET …/sites/${o.site}/functions until the host lists the functions (up to ${o.indexTimeout} s)`,
        ];
        writeResult(io, o.json, { dryRun: true, target, package: { dir: packageDir, files: zip.files, bytes: zip.bytes.length }, plan }, ["publish (dry run): nothing was changed. Plan:", ...plan.map((p, i) => `  ${i + 1}. ${p}`)].join("\n"));
        return;
      }
      const progress = stageProgress(io, o.json, "publish", PUBLISH_STAGES);
      const result = await publishFunctions({
        ...target,
        packageDir,
        connection: { credential: access.credential(), cloud: o.azureCloud, endpoint: resourceManager, caPem: o.caFile ? readCaFile(o.caFile) : access.caPem },
        timeoutMs: o.timeout * 1000,
        indexTimeoutMs: o.indexTimeout * 1000,
        onStage: (stage, detail) => progress.stage(stage, detail),
      }).finally(() => progress.stop());
      writeResult(
        io,
        o.json,
        { dryRun: false, ...result },
        [
          `Published ${result.files.length} files (${(result.packageBytes / 1024).toFixed(0)} KiB) to ${result.site} via ${result.scmHost} in ${result.seconds} s.`,
          `  deployment ${result.deploymentId}: succeeded`,
          `  functions indexed: ${result.functions.join(", ")}`,
        ].join("\n"),
      );
    }),
  );
}
