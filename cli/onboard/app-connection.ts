// How onboard and rollout reach the Function App (cli/app: --app-url/--function-key, or the site in Azure) and where
// they deploy: terraform/tofu in Azure; when the app is a loopback host, the local Functions host's settings.
import type { Command } from "commander";
import { AdminClient } from "../app/admin-client";
import { accessAdvice } from "../app/access-advice";
import { APP_URL_ENV, resolveAppEndpoint, withAppOptions, type AppEndpointOptions } from "../app/app-endpoint";
import type { AzureAccess } from "../deploy/publish-command";
import type { SynthFunction } from "../deploy/synthesized-stacks";
import { onboardingApp, type OnboardingApp, type TenantAccessView } from "./onboarding-app";
import { azureDeployment, localDeployment, servedByLocalHost, type LocalHostSettings, type TenantDeployment } from "./tenant-deployment";

export type AppOptions = AppEndpointOptions;

export interface OnboardingWiring {
  synth: SynthFunction;
  azure?: AzureAccess;
  searchPath?: string;
  /** The local Functions host's settings, when the CLI runs beside it (tests); see local/host. */
  localHost?: LocalHostSettings;
  env?: Record<string, string | undefined>;
}

export function addAppOptions(command: Command, wiring: OnboardingWiring): Command {
  return withAppOptions(command, wiring.azure);
}

export function isLocalApp(url: string | undefined): boolean {
  if (!url) return false;
  try {
    return ["127.0.0.1", "localhost", "[::1]"].includes(new URL(url).hostname);
  } catch {
    return false;
  }
}

export interface OnboardingConnection {
  /** Offline, from the flags alone: the deployment a run would make (for --dry-run). */
  plannedDeployment: TenantDeployment;
  /** Finds the app (in Azure through Resource Manager) and picks the deployment by where it runs. */
  connect(): Promise<{ app: OnboardingApp; deployment: TenantDeployment }>;
  advise: (access: TenantAccessView) => string[];
  consentUrl: (access: TenantAccessView) => string | undefined;
}

export function connectOnboarding(o: AppOptions, wiring: OnboardingWiring, azure: { outDir: string; terraform?: string; onLine?: (line: string) => void }): OnboardingConnection {
  const env = wiring.env ?? process.env;
  const deploymentFor = (url: string | undefined, app: () => OnboardingApp): TenantDeployment =>
    isLocalApp(url)
      ? wiring.localHost
        ? localDeployment(wiring.localHost)
        : servedByLocalHost(app)
      : azureDeployment({ outDir: azure.outDir, synth: wiring.synth, terraform: { binary: azure.terraform, searchPath: wiring.searchPath }, onLine: azure.onLine });
  const offline = (): OnboardingApp => {
    throw new Error("a dry run calls no app");
  };
  return {
    plannedDeployment: deploymentFor(o.appUrl ?? env[APP_URL_ENV], offline),
    async connect() {
      const endpoint = await resolveAppEndpoint(o, env, wiring.azure);
      const app = onboardingApp(new AdminClient(endpoint));
      return { app, deployment: deploymentFor(endpoint.url, () => app) };
    },
    advise: (a) => accessAdvice(a).map((f) => `${f.problem} ${f.fix}${f.consentUrl ? ` Admin-consent URL: ${f.consentUrl}` : ""}`),
    consentUrl: (a) => accessAdvice(a).find((f) => f.consentUrl)?.consentUrl,
  };
}
