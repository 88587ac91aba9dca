// `m365-audit-lake onboard`: one command from a tenant id or domain to a tenant whose audit log lands in the lake.
import { Command, Option } from "commander";
import { resolve } from "node:path";
import type { TenantDiscoveryOptions } from "../../infra/config/tenant-discovery";
import { readCaFile, seconds } from "../deploy/publish-command";
import { commandAction, withDryRun, withJson, type CommonOptions, type ExitCodeSink } from "../output/command-action";
import { writeResult, type CommandIo } from "../output/command-io";
import { TENANT_CLOUDS, type TenantCloud } from "../tenants/tenant-addition";
import { onboardingProgress } from "./onboarding-progress";
import { onboard, type OnboardOutcome } from "./onboard-run";
import { onboardingSummary } from "./onboarding-summary";
import { addAppOptions, connectOnboarding, type AppOptions, type OnboardingWiring } from "./app-connection";

/** The options onboard and rollout share (addOnboardingOptions declares them). */
export interface OnboardingCommandOptions extends CommonOptions, Omit<AppOptions, "cloud"> {
  config: string;
  timeout: number;
  catchUpTimeout: number;
  pollInterval: number;
  authorityHost?: string;
  out: string;
  terraform?: string;
  dryRun?: boolean;
}

interface OnboardCommandOptions extends OnboardingCommandOptions {
  tenant: string;
  name?: string;
  key?: string;
  cloud?: TenantCloud;
  mssp?: boolean;
}

/** The login host options shared by onboard and rollout: where a domain is resolved. */
export function loginOptions(o: { cloud?: TenantCloud; authorityHost?: string; caFile?: string }): TenantDiscoveryOptions & { cloud: "public" | "usgovernment" } {
  return {
    cloud: o.cloud === "GCCHigh" || o.cloud === "DoD" ? "usgovernment" : "public",
    ...(o.authorityHost ? { authorityHost: o.authorityHost } : {}),
    ...(o.caFile ? { caPem: readCaFile(o.caFile) } : {}),
  };
}

/** Options onboard and rollout share: timeouts, polling, the login host and the Azure deployment. */
export function addOnboardingOptions(command: Command): Command {
  return command
    .option("--timeout <seconds>", "how long to wait until the app can read the tenant (consent, roles, subscriptions)", seconds("--timeout"), 900)
    .option("--catch-up-timeout <seconds>", "how long to follow health until the tenant has caught up", seconds("--catch-up-timeout"), 3600)
    .option("--poll-interval <seconds>", "how often to ask the app while waiting", seconds("--poll-interval"), 10)
    .option("--authority-host <url>", "login host that resolves a domain (default: the cloud's, e.g. https://login.microsoftonline.com)")
    .option("--out <dir>", "where the stacks are synthesized (Azure)", "cdktf.out")
    .option("--terraform <path>", "terraform or tofu binary (Azure; default: terraform, then tofu, on PATH)");
}

export function onboardCommand(io: CommandIo, sink: ExitCodeSink, wiring: OnboardingWiring): Command {
  const command = new Command("onboard")
    .summary("add a tenant to the config, deploy it, wait for consent, start ingestion and follow it until caught up")
    .description(
      "Onboard one tenant: resolve --tenant (an id, or a domain through Entra's public discovery document), add it to the " +
        "deployment config (validated first, written atomically, unchanged when already listed), deploy its stacks (terraform/tofu; " +
        "against a local Functions host: its app settings), print the admin-consent URL for an MSSP client tenant and wait until the " +
        "app reports the tenant ready, ask the app for a plan run, then follow its health until every content type has caught up " +
        "(nothing pending, small lag) and print a health summary. Run it again after a timeout: every step picks up where it stopped.",
    )
    .requiredOption("--tenant <id|domain>", "the tenant's id (GUID) or a verified domain, e.g. contoso.onmicrosoft.com")
    .option("--name <display name>", "the tenant's display name in the config (default: its domain)")
    .option("--key <key>", "the tenant's key: its database is audit_<key> (default: from the domain or name)")
    .addOption(new Option("--cloud <cloud>", "the tenant's Microsoft 365 cloud (default Enterprise)").choices(TENANT_CLOUDS))
    .option("--mssp", "onboard as an MSSP client tenant (the multi-tenant app, consented by the client's admin)")
    .option("--config <file>", "deployment config (YAML; see infra/examples/)", "deploy.yaml");
  addOnboardingOptions(command);
  // --ca-file (from the app options) is trusted for the login host too: the emulated cloud has one per-run CA
  addAppOptions(command, wiring);
  withDryRun(command);
  withJson(command);
  command.addHelpText(
    "after",
    "\nExamples:\n  m365-audit-lake onboard --tenant contoso.onmicrosoft.com --config deploy.yaml\n" +
      "  m365-audit-lake onboard --tenant c1c1c1c1-0000-4000-8000-000000000001 --mssp --name \"Northwind Traders\" --config mssp.yaml --json\n" +
      "  m365-audit-lake onboard --tenant northwind.onmicrosoft.com --mssp --config mssp.yaml --dry-run\n" +
      "\nExit codes: 0 onboarded and caught up, 1 a deployment or the plan run failed, 2 bad arguments or a config that does not\n" +
      "validate (the file is left byte for byte as it was), 3 the app refused the function key, 4 unknown tenant or config file,\n" +
      "5 terraform/tofu or the local host missing, 7 not ready (consent) or not caught up in time — the error names the fix.",
  );
  return command.action(
    commandAction<OnboardCommandOptions>(io, sink, async (o) => {
      const progress = onboardingProgress(io, o.json);
      const connection = connectOnboarding(o, wiring, { outDir: resolve(o.out), terraform: o.terraform, onLine: (line) => o.json || io.stderr(`    ${line}\n`) });
      let outcome: OnboardOutcome;
      try {
        outcome = await onboard(
          { tenant: o.tenant, name: o.name, key: o.key, cloud: o.cloud, mssp: o.mssp, configPath: resolve(o.config), dryRun: o.dryRun },
          {
            login: loginOptions(o),
            ...connection,
            accessTimeoutMs: o.timeout * 1000,
            catchUpTimeoutMs: o.catchUpTimeout * 1000,
            pollMs: o.pollInterval * 1000,
            events: progress,
          },
        );
      } finally {
        progress.stop();
      }
      writeResult(io, o.json, outcome, onboardingSummary(outcome));
    }),
  );
}
