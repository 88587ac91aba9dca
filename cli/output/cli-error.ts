// The one error shape a command reports: what is wrong, the next step, a stable code and the exit code.
import { ExitCode, type ExitCodeValue } from "./exit-codes";

export class CliError extends Error {
  constructor(
    /** Stable identifier, e.g. "TerraformNotFound", "DeploymentFailed", or the service's own error code. */
    readonly code: string,
    /** What is wrong, in one or two sentences. */
    message: string,
    /** What the operator should do next. */
    readonly next: string,
    readonly exitCode: ExitCodeValue = ExitCode.Failed,
    /** Extra lines that help diagnose it (a deployment log, a service response). */
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = "CliError";
  }

  toJSON(): { code: string; message: string; next: string; exitCode: number; details: string[] } {
    return { code: this.code, message: this.message, next: this.next, exitCode: this.exitCode, details: this.details };
  }
}
