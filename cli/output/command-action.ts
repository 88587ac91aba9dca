// The options every command shares and the wrapper that turns a command's outcome into output and an exit code.
import { Command, Option } from "commander";
import { writeError, type CommandIo } from "./command-io";
import { ExitCode } from "./exit-codes";

export interface CommonOptions {
  json: boolean;
}

/** `--json`: one JSON document on stdout (`{ ok, ... }`), no progress bars. */
export function withJson(command: Command): Command {
  return command.addOption(new Option("--json", "print the result (or the error) as one JSON document on stdout"));
}

/** `--dry-run`: for commands that change something — validate, then print the ordered plan, change nothing. */
export function withDryRun(command: Command): Command {
  return command.addOption(new Option("--dry-run", "check the input and print the ordered plan of what would happen; change nothing"));
}

/** Where a command's exit code goes: the action sets it, main() returns it. */
export interface ExitCodeSink {
  exitCode: number;
}

/** Runs a command body; its errors become the documented error output and exit code. */
export function commandAction<O extends CommonOptions>(io: CommandIo, sink: ExitCodeSink, body: (options: O, command: Command) => Promise<number | void>) {
  return async (...args: unknown[]): Promise<void> => {
    const command = args[args.length - 1] as Command;
    const options = command.opts<O>();
    options.json = Boolean(options.json);
    try {
      sink.exitCode = (await body(options, command)) ?? ExitCode.Success;
    } catch (error) {
      sink.exitCode = writeError(io, options.json, error);
    }
  };
}
