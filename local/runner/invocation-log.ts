import type { LogHandler, LogLevel } from "@azure/functions";
import { createWriteStream, type WriteStream } from "node:fs";
import { format } from "node:util";

export interface InvocationLogOptions {
  /** Every line goes here (the host's log stream); omitted → kept in memory only. */
  file?: string;
  /** Also print lines at or above this level (progress display permitting). */
  echo?: (line: string) => void;
  echoLevel?: LogLevel;
}

const rank: Record<LogLevel, number> = { trace: 0, debug: 1, information: 2, warning: 3, error: 4, critical: 5, none: 6 };

/** What the handlers log through `context.log/warn/error`, kept like the host keeps it: a stream plus counts. */
export class InvocationLog {
  readonly counts: Record<"warning" | "error", number> = { warning: 0, error: 0 };
  /** The last few errors, for the end-of-run summary. */
  readonly recentErrors: string[] = [];
  private readonly stream: WriteStream | undefined;

  constructor(private readonly opts: InvocationLogOptions = {}) {
    this.stream = opts.file ? createWriteStream(opts.file, { flags: "a" }) : undefined;
  }

  handler(functionName: string): LogHandler {
    return (level, ...args) => this.write(level, `${functionName}: ${format(...args)}`);
  }

  write(level: LogLevel, message: string): void {
    if (level === "warning") this.counts.warning++;
    if (level === "error" || level === "critical") {
      this.counts.error++;
      this.recentErrors.push(message);
      if (this.recentErrors.length > 5) this.recentErrors.shift();
    }
    const line = `${new Date().toISOString()} ${level} ${message}`;
    this.stream?.write(line + "\n");
    if (this.opts.echo && rank[level] >= rank[this.opts.echoLevel ?? "error"]) this.opts.echo(line);
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.stream ? this.stream.end(resolve) : resolve()));
  }
}
