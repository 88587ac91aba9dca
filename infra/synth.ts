// Synthesis as a function, for `npm run synth` and for the operator CLI: reads the config, writes
// <outDir>/stacks/<stack>/cdk.tf.json for every stack (offline), and says what to apply and what the CLI reads after.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildApp } from "./app";
import { loadDeploymentConfig, type DeploymentConfig, type LoadOptions } from "./config/load";
import { clusterUri, platformNames, platformStackName, tenantStackName } from "./config/naming";
import type { PlatformConfig } from "./config/schema";

export interface SynthOptions extends LoadOptions {
  configPath: string;
  outDir?: string;
}

export interface SynthesizedStack {
  name: string;
  /** Where `terraform -chdir=<dir> init` and `apply` run. */
  dir: string;
  kind: "platform" | "tenant";
  /** The tenant's key, for tenant stacks. */
  tenant?: string;
}

export interface SynthResult {
  config: DeploymentConfig;
  /** Platform first: tenant stacks find its resources by name. */
  stacks: SynthesizedStack[];
  /** Known before apply: where the code goes and what the tenants' databases are. */
  outputs: {
    resourceGroup: string;
    functionAppName: string;
    functionAppId: string;
    /** Which Resource Manager (and token audience) the code is published through. */
    azureCloud: PlatformConfig["azureCloud"];
    adxClusterUri: string;
    databases: Record<string, string>;
    /** Terraform output names (in the platform stack) holding each MSSP client's admin-consent URL. */
    consentUrlOutputs: Record<string, string>;
  };
}

export async function synthesize(opts: SynthOptions): Promise<SynthResult> {
  const config = await loadDeploymentConfig(opts.configPath, opts);
  const outDir = resolve(opts.outDir ?? "cdktf.out");
  mkdirSync(outDir, { recursive: true }); // cdktf creates only the last folder of outdir: a nested --out would fail with ENOENT
  buildApp(config, outDir).app.synth();
  const { platform, tenants } = config;
  const names = platformNames(platform);
  const stack = (name: string, kind: SynthesizedStack["kind"], tenant?: string): SynthesizedStack => ({ name, dir: join(outDir, "stacks", name), kind, tenant });
  return {
    config,
    stacks: [stack(platformStackName(platform), "platform"), ...tenants.map((t) => stack(tenantStackName(platform, t.key), "tenant", t.key))],
    outputs: {
      resourceGroup: names.resourceGroup,
      functionAppName: names.functionApp,
      functionAppId: `/subscriptions/${platform.subscriptionId}/resourceGroups/${names.resourceGroup}/providers/Microsoft.Web/sites/${names.functionApp}`,
      azureCloud: platform.azureCloud,
      adxClusterUri: clusterUri(platform),
      databases: Object.fromEntries(tenants.map((t) => [t.key, t.database])),
      consentUrlOutputs: Object.fromEntries(tenants.filter((t) => t.identity === "msspClient").map((t) => [t.key, `consent_url_${t.key}`])),
    },
  };
}
