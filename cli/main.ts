// `npx m365-audit-lake <command>`: the operator's entry point. Each command lives in its own file and follows the
// conventions in cli/output/ (--json, --dry-run, errors with a next step, the exit codes in exit-codes.ts).
import { Command, CommanderError } from "commander";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { backfillCommand } from "./backfill/backfill-command";
import { deployCommand } from "./deploy/deploy-command";
import { publishCommand, type AzureAccess } from "./deploy/publish-command";
import { stacksCommand } from "./deploy/stacks-command";
import { investigateCommand } from "./investigate";
import { onboardCommand } from "./onboard/onboard-command";
import type { LocalHostSettings } from "./onboard/tenant-deployment";
import { rolloutCommand } from "./rollout/rollout-command";
import { requeueCommand } from "./requeue";
import { statusCommand } from "./status";
import type { SynthFunction } from "./deploy/synthesized-stacks";
import { CliError } from "./output/cli-error";
import { processIo, type CommandIo } from "./output/command-io";
import type { ExitCodeSink } from "./output/command-action";
import { ExitCode, exitCodeHelp } from "./output/exit-codes";

export interface CliEnvironment {
  io: CommandIo;
  /** Credentials and endpoints for commands that reach Azure (default: DefaultAzureCredential, public cloud). */
  azure?: AzureAccess;
  /** The infrastructure app's synthesis for `deploy` and `stacks` (default: infra/synth.ts). */
  synth?: SynthFunction;
  /** The PATH `deploy` searches for terraform/tofu (default process.env.PATH). */
  searchPath?: string;
  /** The settings of a local Functions host running in this process (tests): onboard and rollout deploy to them. */
  localHost?: LocalHostSettings;
  /** Where the admin commands read M365_AUDIT_LAKE_APP_URL / _FUNCTION_KEY (default process.env). */
  env?: Record<string, string | undefined>;
}

// `npm start` stays `tsx cli/start.ts`; here it runs as its own process because start.ts parses argv and exits itself.
function startCommand(sink: ExitCodeSink): Command {
  return new Command("start")
    .summary("run the ingestion job locally against the emulated cloud (same as npm start)")
    .description("Run the ingestion job locally: the real function handlers against the emulated cloud. Every option is start's own: see `m365-audit-lake start --help`.")
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument("[options...]", "passed to start unchanged")
    .action((args: string[]) => {
      const result = spawnSync(process.execPath, [require.resolve("tsx/cli"), join(__dirname, "start.ts"), ...args], { stdio: "inherit" });
      sink.exitCode = result.status ?? ExitCode.Failed;
    });
}

// Loaded on first use: the infrastructure app pulls in cdktf and the provider bindings, which other commands never need.
const infraSynth: SynthFunction = async (configPath, outDir) => {
  // require, not import(): the bin runs through tsx's CommonJS hook, which an ESM import() of a .ts path bypasses
  const { synthesize } = require("../infra/synth") as typeof import("../infra/synth");
  const { DeploymentConfigError } = require("../infra/config/load") as typeof import("../infra/config/load");
  try {
    return await synthesize({ configPath, outDir });
  } catch (error) {
    if (!(error instanceof DeploymentConfigError)) throw error;
    throw new CliError(error.code, `${error.file} is not a valid deployment config.`, "Fix each field listed (the line says how) and run again; infra/examples/ shows every field.", ExitCode.Usage, error.problems);
  }
};

export function buildProgram(env: CliEnvironment, sink: ExitCodeSink): Command {
  const program = new Command("m365-audit-lake")
    .description("Deploy, onboard and operate m365-audit-lake: Microsoft 365 audit logs (MailItemsAccessed above all) in Azure Data Explorer and Sentinel.")
    .addHelpText("after", `\nEvery command takes --help; commands that change something take --dry-run; all take --json.\n\n${exitCodeHelp()}`);

  const synth = env.synth ?? infraSynth;
  program.addCommand(deployCommand(env.io, sink, { synth, azure: env.azure, searchPath: env.searchPath }));
  program.addCommand(stacksCommand(env.io, sink, synth));
  program.addCommand(publishCommand(env.io, sink, env.azure));
  program.addCommand(onboardCommand(env.io, sink, { synth, azure: env.azure, searchPath: env.searchPath, localHost: env.localHost, env: env.env }));
  program.addCommand(rolloutCommand(env.io, sink, { synth, azure: env.azure, searchPath: env.searchPath, localHost: env.localHost, env: env.env }));
  program.addCommand(startCommand(sink));
  program.addCommand(statusCommand(env.io, sink, env.azure, env.env));
  program.addCommand(requeueCommand(env.io, sink, env.azure, env.env));
  program.addCommand(backfillCommand(env.io, sink, env.azure, env.env));
  // investigate writes its own report formats (--format html|csv|json) and sets process.exitCode, which runCli honours
  program.addCommand(investigateCommand());

  for (const command of allCommands(program)) command.exitOverride().configureOutput({ writeOut: env.io.stdout, writeErr: env.io.stderr });
  return program;
}

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

/** Runs the CLI for `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: string[], env: CliEnvironment = { io: processIo }): Promise<number> {
  const sink: ExitCodeSink = { exitCode: ExitCode.Success };
  const program = buildProgram(env, sink);
  const json = argv.includes("--json");
  if (json) for (const c of allCommands(program)) c.configureOutput({ writeOut: env.io.stdout, writeErr: env.io.stderr, outputError: () => {} });
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // help and version end the run successfully; anything else commander raises is a usage error
    if (error.exitCode === 0) return ExitCode.Success;
    const message = error.message.replace(/^error: /, "");
    const named = program.commands.find((c) => c.name() === argv[0]);
    const next = `Run \`m365-audit-lake ${named ? named.name() + " " : ""}--help\` for the options.`;
    if (json) env.io.stdout(JSON.stringify({ ok: false, error: { code: error.code, message, next, exitCode: ExitCode.Usage, details: [] } }, null, 2) + "\n");
    else env.io.stderr(`  next: ${next}\n`);
    return ExitCode.Usage;
  }
  return sink.exitCode !== ExitCode.Success ? sink.exitCode : Number(process.exitCode ?? ExitCode.Success);
}

/** Runs the CLI on this process's arguments and exits with its code. */
export function main(): void {
  runCli(process.argv.slice(2)).then(
    (code) => {
      // exit once stdout drained; an SDK's idle keep-alive socket must not hold the process open
      process.exitCode = code;
      setTimeout(() => process.exit(code), 1000).unref();
    },
    (error: Error) => {
      process.stderr.write(`m365-audit-lake: ${error.stack ?? error.message}\n`);
      process.exit(ExitCode.Failed);
    },
  );
}

if (require.main === module) main();
