// Deploying a tenant's configuration. In Azure: the platform stack (the Function App's settings list every tenant)
// and the tenant's own stacks, applied with terraform/tofu through `deploy`'s use case; the code is unchanged, so
// nothing is published. Locally: the same settings change made on the running local Functions host.
import type { DeploymentConfig, Tenant } from "../../infra/config/load";
import { platformStackName, tenantStackName } from "../../infra/config/naming";
import { deploySolution } from "../deploy/deploy-solution";
import type { SynthFunction } from "../deploy/synthesized-stacks";
import { findTerraform, type FindTerraformOptions } from "../deploy/terraform";
import { CliError } from "../output/cli-error";
import { ExitCode } from "../output/exit-codes";
import { databaseFor } from "../../local/runner/app-settings";
import { localTenantSettings } from "./local-app-settings";
import type { OnboardingApp } from "./onboarding-app";

export interface DeploymentOutcome {
  where: "azure" | "local";
  /** Azure: the stacks applied; local: the tenants added to the host's settings. */
  applied: string[];
}

export interface TenantDeployment {
  readonly where: "azure" | "local";
  /** What apply would do, one line per step (for --dry-run; offline). */
  plan(config: DeploymentConfig, tenants: Tenant[]): string[];
  /** Throws when a prerequisite is missing (terraform/tofu, the local host), before anything is changed. */
  check(): Promise<void>;
  apply(config: DeploymentConfig, tenants: Tenant[]): Promise<DeploymentOutcome>;
  /** The ADX database the tenant's records land in there. */
  databaseOf(tenant: Tenant): string;
}

export interface AzureDeploymentOptions {
  outDir: string;
  synth: SynthFunction;
  terraform?: FindTerraformOptions;
  onLine?: (line: string) => void;
}

export function azureDeployment(o: AzureDeploymentOptions): TenantDeployment {
  const stacks = (config: DeploymentConfig, tenants: Tenant[]) => [platformStackName(config.platform), ...tenants.map((t) => tenantStackName(config.platform, t.key))];
  return {
    where: "azure",
    databaseOf: (tenant) => tenant.database,
    plan: (config, tenants) => [
      `synthesize ${config.file} into ${o.outDir}`,
      ...stacks(config, tenants).map((s) => `terraform init, apply in ${o.outDir}/stacks/${s}`),
    ],
    async check() {
      findTerraform(o.terraform);
    },
    async apply(config, tenants) {
      const outcome = await deploySolution({
        configPath: config.file,
        outDir: o.outDir,
        stacks: stacks(config, tenants),
        synth: o.synth,
        terraform: o.terraform,
        skipPublish: true,
        packageDir: "",
        connection: () => {
          throw new Error("onboarding publishes no code");
        },
        onLine: o.onLine,
      });
      return { where: "azure", applied: outcome.applied };
    },
  };
}

/** A running local Functions host's app settings: what a deployment changes in Azure. */
export interface LocalHostSettings {
  read(): Promise<Record<string, string>>;
  update(settings: Record<string, string>): Promise<void>;
}

export function localDeployment(host: LocalHostSettings): TenantDeployment {
  return {
    where: "local",
    // the emulated cluster holds one database per emulated tenant, named by its id (the tenant stack's name in Azure)
    databaseOf: (tenant) => databaseFor(tenant.tenantId),
    plan: (_config, tenants) => [`add ${tenants.map((t) => t.tenantId).join(", ")} to the local Functions host's AUDIT_LAKE_TENANTS (the emulated cloud's stand-in for terraform apply)`],
    async check() {
      await host.read();
    },
    async apply(config, tenants) {
      const change = localTenantSettings(await host.read(), config, tenants);
      if (change.added.length) await host.update(change.settings);
      return { where: "local", applied: change.added };
    },
  };
}

/** A local host started on its own (npm run host) takes no settings from this process: it must already serve the tenant. */
export function servedByLocalHost(app: () => OnboardingApp): TenantDeployment {
  return {
    where: "local",
    // the emulated cluster holds one database per emulated tenant, named by its id (the tenant stack's name in Azure)
    databaseOf: (tenant) => databaseFor(tenant.tenantId),
    plan: (_config, tenants) => [`check that the local Functions host serves ${tenants.map((t) => t.tenantId).join(", ")} (its settings are its own)`],
    async check() {},
    async apply(_config, tenants) {
      for (const t of tenants) {
        await app()
          .tenantAccess(t.tenantId)
          .catch((e: unknown) => {
            if (!(e instanceof CliError) || e.exitCode !== ExitCode.NotFound) throw e;
            throw new CliError(
              "TenantNotServedLocally",
              `The local Functions host does not serve tenant ${t.tenantId}, and a host started on its own takes no settings from the CLI.`,
              "Start the host with the tenant among its tenants (npm run host -- --tenants <k> serves the first k emulated tenants), then run again.",
              ExitCode.Prerequisite,
            );
          });
      }
      return { where: "local", applied: [] };
    },
  };
}
