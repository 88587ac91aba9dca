// Code deployment to a Flex Consumption app, end to end: zip the package, find the SCM host from the site resource,
// OneDeploy it, follow the deployment, then confirm the host indexed the functions (Kudu's success does not say so).
import { setTimeout as sleep } from "node:timers/promises";
import { CliError } from "../output/cli-error";
import { ExitCode } from "../output/exit-codes";
import { listIndexedFunctions, readFlexSite, type SiteRef } from "./flex-site";
import { zipFunctionsPackage } from "./functions-package-zip";
import { startOneDeploy, waitForDeployment } from "./one-deploy";
import { ResourceManagerHttp, type ResourceManagerConnection } from "./resource-manager-pipeline";

export const PUBLISH_STAGES = ["package", "site", "upload", "deploying", "indexing"] as const;
export type PublishStage = (typeof PUBLISH_STAGES)[number];

export interface PublishOptions extends SiteRef {
  /** The built package folder (dist/functions from `npm run bundle`). */
  packageDir: string;
  connection: ResourceManagerConnection;
  /** Between deployment status reads (default 2 s). */
  pollIntervalMs?: number;
  /** For the deployment to end (default 10 min). */
  timeoutMs?: number;
  /** Between functions-list reads while the host restarts (default 5 s). */
  indexPollIntervalMs?: number;
  /** For the host to index the functions after the deployment (default 3 min). */
  indexTimeoutMs?: number;
  /** Names the host must index; without it, any non-empty list passes. */
  expectedFunctions?: string[];
  onStage?: (stage: PublishStage, detail?: string) => void;
  signal?: AbortSignal;
}

export interface PublishResult {
  site: string;
  siteId: string;
  scmHost: string;
  deploymentId: string;
  packageBytes: number;
  files: string[];
  functions: string[];
  seconds: number;
}

export async function publishFunctions(options: PublishOptions): Promise<PublishResult> {
  const started = Date.now();
  const stage = options.onStage ?? (() => {});
  stage("package", options.packageDir);
  const zip = zipFunctionsPackage(options.packageDir);

  const http = new ResourceManagerHttp(options.connection);
  stage("site", options.site);
  const site = await readFlexSite(http, options);
  if (!site.flexConsumption) {
    throw new CliError(
      "NotFlexConsumption",
      `Site '${options.site}' is not a Flex Consumption app; publish deploys with OneDeploy to Flex Consumption only.`,
      "Point --site at the app `m365-audit-lake deploy` created (its infra creates a Flex Consumption app).",
      ExitCode.Usage,
    );
  }

  stage("upload", `${(zip.bytes.length / 1024).toFixed(0)} KiB to ${site.scmHost}`);
  const deploymentId = await startOneDeploy(http, site.scmHost, zip.bytes);
  stage("deploying", deploymentId);
  await waitForDeployment(http, site.scmHost, deploymentId, {
    pollIntervalMs: options.pollIntervalMs ?? 2000,
    timeoutMs: options.timeoutMs ?? 600_000,
    onStatus: (s) => stage("deploying", s),
    signal: options.signal,
  });

  stage("indexing");
  const functions = await waitForIndexedFunctions(http, options);
  return {
    site: options.site,
    siteId: site.id,
    scmHost: site.scmHost,
    deploymentId,
    packageBytes: zip.bytes.length,
    files: zip.files,
    functions,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
}

async function waitForIndexedFunctions(http: ResourceManagerHttp, options: PublishOptions): Promise<string[]> {
  const timeoutMs = options.indexTimeoutMs ?? 180_000;
  const interval = options.indexPollIntervalMs ?? 5000;
  const deadline = Date.now() + timeoutMs;
  const expected = options.expectedFunctions ?? [];
  for (;;) {
    const functions = await listIndexedFunctions(http, options);
    const missing = expected.filter((f) => !functions.includes(f));
    if (functions.length > 0 && missing.length === 0) return functions;
    if (Date.now() + interval > deadline) {
      const seen = functions.length === 0 ? "the host lists no functions" : `the host lists ${functions.join(", ")} but not ${missing.join(", ")}`;
      throw new CliError(
        "FunctionsNotIndexed",
        `The deployment succeeded but ${seen} after ${Math.round(timeoutMs / 1000)} s: the host did not load the package.`,
        "Read the host's startup error in the app's Log stream or Application Insights (often a missing app setting or a module the bundle does not carry); fix it, run `npm run bundle` and publish again.",
        ExitCode.Failed,
      );
    }
    await sleep(interval, undefined, { signal: options.signal });
  }
}
