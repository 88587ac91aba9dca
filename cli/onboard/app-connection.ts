// How onboard and rollout reach the Function App and deploy to it: the admin API at --app-url with a function key,
// and — when that URL is a loopback host — the local Functions host's settings as the deployment target.
import { Command, Option } from "commander";
import { CliError } from "../output/cli-error";
import { ExitCode } from "../output/exit-codes";
import type { SynthFunction } from "../deploy/synthesized-stacks";
import { onboardingApi } from "./onboarding-api";
import type { OnboardingApp, TenantAccessView } from "./onboarding-app";
import { azureDeployment, localDeployment, servedByLocalHost, type LocalHostSettings, type TenantDeployment } from "./tenant-deployment";
import { AUTHORITY_HOSTS } from "../../infra/config/tenant-discovery";

export interface AppOptions {
  appUrl?: string;
  functionKey?: string;
  authorityHost?: string;
  cloud?: string;
}

export interface OnboardingWiring {
  synth: SynthFunction;
  searchPath?: string;
  /** The local Functions host's settings, when the CLI runs beside it (tests); see local/host. */
  localHost?: LocalHostSettings;
  env?: Record<string, string | undefined>;
}

export function addAppOptions(command: Command): Command {
  return command
    .addOption(new Option("--app-url <url>", "the Function App's URL, e.g. https://<app>.azurewebsites.net or a local host's").env("M365_AUDIT_LAKE_APP_URL"))
    .addOption(new Option("--function-key <key>", "a function key of the app (sent as x-functions-key, never logged)").env("M365_AUDIT_LAKE_FUNCTION_KEY"));
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

export function isLocalApp(url: string | undefined): boolean {
  if (!url) return false;
  try {
    return LOOPBACK.has(new URL(url).hostname);
  } catch {
    return false;
  }
}

export interface OnboardingConnection {
  deployment: TenantDeployment;
  app: () => OnboardingApp;
  advise: (access: TenantAccessView) => string[];
  consentUrl: (access: TenantAccessView) => string | undefined;
}

export function connectOnboarding(o: AppOptions, wiring: OnboardingWiring, azure: { outDir: string; terraform?: string; onLine?: (line: string) => void }): OnboardingConnection {
  const app = (): OnboardingApp => {
    if (!o.appUrl || !o.functionKey) {
      throw new CliError(
        "AppNotGiven",
        "The Function App's URL and a function key are needed to follow the tenant's onboarding.",
        "Pass --app-url and --function-key (or set M365_AUDIT_LAKE_APP_URL and M365_AUDIT_LAKE_FUNCTION_KEY); `az functionapp keys list` shows the key.",
        ExitCode.Usage,
      );
    }
    return onboardingApi(o.appUrl, o.functionKey);
  };
  const deployment = isLocalApp(o.appUrl)
    ? wiring.localHost
      ? localDeployment(wiring.localHost)
      : servedByLocalHost(app)
    : azureDeployment({ outDir: azure.outDir, synth: wiring.synth, terraform: { binary: azure.terraform, searchPath: wiring.searchPath }, onLine: azure.onLine });
  const loginHost = (o.authorityHost ?? AUTHORITY_HOSTS[o.cloud === "GCCHigh" || o.cloud === "DoD" ? "usgovernment" : "public"]).replace(/\/+$/, "");
  return {
    deployment,
    app,
    advise: (a) => a.advice,
    consentUrl: (a) => (a.clientId ? `${loginHost}/${a.tenantId}/adminconsent?client_id=${a.clientId}` : undefined),
  };
}
