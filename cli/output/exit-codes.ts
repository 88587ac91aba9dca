// Every exit code the CLI returns, in one place: a pipeline branches on these, never on message text.
export const ExitCode = {
  /** The command did what it was asked. */
  Success: 0,
  /** The command ran and the service reported failure (a deployment failed, functions did not index). */
  Failed: 1,
  /** Bad arguments or input: an unknown option, a missing value, a config file that does not validate. */
  Usage: 2,
  /** No Azure credential could be obtained, or the service refused it (401/403). */
  Auth: 3,
  /** A named resource or file does not exist (subscription, resource group, site, stack). */
  NotFound: 4,
  /** A prerequisite is missing on this machine: a tool (terraform/tofu) or a build output (dist/functions). */
  Prerequisite: 5,
  /** Another operation holds the resource (a deployment is running): retry when it ends. */
  Conflict: 6,
  /** The operation did not end within the time it was given. */
  Timeout: 7,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The table printed at the end of `m365-audit-lake --help`. */
export function exitCodeHelp(): string {
  const lines = [
    [ExitCode.Success, "success"],
    [ExitCode.Failed, "the service reported failure (deployment failed, functions not indexed)"],
    [ExitCode.Usage, "bad arguments or input file"],
    [ExitCode.Auth, "no Azure credential, or it was refused"],
    [ExitCode.NotFound, "a named resource or file does not exist"],
    [ExitCode.Prerequisite, "a tool or build output is missing (terraform/tofu, dist/functions)"],
    [ExitCode.Conflict, "another deployment is running: retry when it ends"],
    [ExitCode.Timeout, "the operation did not end in time"],
  ] as const;
  return ["Exit codes:", ...lines.map(([code, text]) => `  ${code}  ${text}`)].join("\n");
}
