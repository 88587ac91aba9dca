// `m365-audit-lake rollout`: the MSSP case — every client tenant of a config (or those named) onboarded, a few at a time.
import { Command, InvalidArgumentError } from "commander";
import { resolve } from "node:path";
import { commandAction, withDryRun, withJson, type ExitCodeSink } from "../output/command-action";
import { writeResult, type CommandIo } from "../output/command-io";
import { ExitCode } from "../output/exit-codes";
import { addAppOptions, connectOnboarding, type OnboardingWiring } from "../onboard/app-connection";
import { addOnboardingOptions, loginOptions, type OnboardingCommandOptions } from "../onboard/onboard-command";
import { onboardingProgress } from "../onboard/onboarding-progress";
import { rollout } from "./rollout-run";
import { rolloutTable } from "./rollout-table";

interface RolloutCommandOptions extends OnboardingCommandOptions {
  clients?: string[];
  parallel: number;
}

const list = (value: string): string[] => value.split(",").map((s) => s.trim()).filter(Boolean);

function parallelism(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError("--parallel must be a whole number from 1 to 64.");
  return n;
}

export function rolloutCommand(io: CommandIo, sink: ExitCodeSink, wiring: OnboardingWiring): Command {
  const command = new Command("rollout")
    .summary("onboard every MSSP client tenant of a config, a few at a time, with a result per client")
    .description(
      "Roll the deployment out to an MSSP's client tenants: validate the config, deploy once (the platform stack and each " +
        "client's stack; against a local Functions host: its app settings), then take every client (identity msspClient, or " +
        "those named with --clients) through onboarding — wait until the app can read it (its admin-consent URL is printed " +
        "while it cannot), a plan run, health followed until caught up — --parallel at a time. A client that fails is " +
        "reported with its error and advice (the consent URL) and does not stop the others.",
    )
    .option("--config <file>", "deployment config with the client tenants (YAML; see infra/examples/mssp.yaml)", "deploy.yaml")
    .option("--clients <a,b,...>", "only these clients: keys, tenant ids or domains, comma-separated", list)
    .option("--parallel <n>", "how many clients onboard at once", parallelism, 4);
  addOnboardingOptions(command);
  addAppOptions(command, wiring);
  withDryRun(command);
  withJson(command);
  command.addHelpText(
    "after",
    "\nExamples:\n  m365-audit-lake rollout --config mssp.yaml\n  m365-audit-lake rollout --config mssp.yaml --clients northwind,tailspin --parallel 2 --json\n" +
      "  m365-audit-lake rollout --config mssp.yaml --dry-run\n" +
      "\nExit codes: 0 every client onboarded and caught up, 1 at least one client failed (the table says which and why) or the\n" +
      "deployment failed, 2 bad arguments, a config that does not validate or an unknown client, 3 the app refused the function key,\n" +
      "4 config file not found, 5 terraform/tofu or the local host missing.",
  );
  return command.action(
    commandAction<RolloutCommandOptions>(io, sink, async (o) => {
      const connection = connectOnboarding(o, wiring, { outDir: resolve(o.out), terraform: o.terraform, onLine: (line) => o.json || io.stderr(`    ${line}\n`) });
      // several clients at once: stage lines labelled by client, no bars
      const lineIo = { ...io, interactive: false };
      const progress = new Map<string, ReturnType<typeof onboardingProgress>>();
      const outcome = await rollout(
        { configPath: resolve(o.config), clients: o.clients, parallel: o.parallel, dryRun: o.dryRun },
        {
          discovery: loginOptions({ authorityHost: o.authorityHost, caFile: o.caFile }),
          ...connection,
          accessTimeoutMs: o.timeout * 1000,
          catchUpTimeoutMs: o.catchUpTimeout * 1000,
          pollMs: o.pollInterval * 1000,
          events: (client) => {
            const p = onboardingProgress(lineIo, o.json, client.key);
            progress.set(client.key, p);
            return p;
          },
        },
      );
      for (const p of progress.values()) p.stop();
      writeResult(io, o.json, outcome, rolloutTable(outcome));
      return outcome.ok ? ExitCode.Success : ExitCode.Failed;
    }),
  );
}
