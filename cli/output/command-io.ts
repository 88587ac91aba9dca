// Where a command writes, and how: --json makes stdout exactly one JSON document (the result or the error); humans
// get text on stdout and errors on stderr.
import { CliError } from "./cli-error";
import { ExitCode } from "./exit-codes";

export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (progress bars draw only there). */
  interactive: boolean;
}

export const processIo: CommandIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  interactive: Boolean(process.stderr.isTTY),
};

/** Writes a command's result: JSON (`{ ok: true, ...result }`) or the human text. */
export function writeResult(io: CommandIo, json: boolean, result: object, human: string): void {
  if (json) io.stdout(JSON.stringify({ ok: true, ...result }, null, 2) + "\n");
  else io.stdout(human.endsWith("\n") ? human : human + "\n");
}

/** Writes an error and returns the exit code it maps to; anything not a CliError is a bug and says so. */
export function writeError(io: CommandIo, json: boolean, error: unknown): number {
  const e =
    error instanceof CliError
      ? error
      : new CliError("Unexpected", (error as Error)?.message ?? String(error), "This is a bug in m365-audit-lake: report it with the command you ran.", ExitCode.Failed, [
          (error as Error)?.stack ?? "",
        ]);
  if (json) io.stdout(JSON.stringify({ ok: false, error: e.toJSON() }, null, 2) + "\n");
  else {
    const details = e.details.filter(Boolean).map((d) => `  | ${d.replace(/\n/g, "\n  | ")}`);
    io.stderr([`error [${e.code}]: ${e.message}`, ...details, `  next: ${e.next}`].join("\n") + "\n");
  }
  return e.exitCode;
}
