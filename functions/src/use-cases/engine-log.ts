import { fieldsArgument, type LogFields } from "../log-line";

export type { LogFields };

/** Where the engine logs: the Functions InvocationContext satisfies it (its error level is what alerts fire on). */
export interface EngineLog {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export const consoleLog: EngineLog = {
  info: (...a) => console.info(...a),
  warn: (...a) => console.warn(...a),
  error: (...a) => console.error(...a),
};

/**
 * How the use cases log: every line a readable message plus its named fields (log-line.ts), written to the host's log
 * as two arguments. A use case wraps the log it is handed once; no line goes out without its fields.
 */
export class PipelineLog {
  constructor(private readonly host: EngineLog) {}

  info(message: string, fields: LogFields): void {
    this.host.info(message, fieldsArgument(fields));
  }

  warn(message: string, fields: LogFields): void {
    this.host.warn(message, fieldsArgument(fields));
  }

  error(message: string, fields: LogFields): void {
    this.host.error(message, fieldsArgument(fields));
  }
}

/** The use cases' log over whatever they were handed (already wrapped, or the host's). */
export function pipelineLog(log: EngineLog | PipelineLog): PipelineLog {
  return log instanceof PipelineLog ? log : new PipelineLog(log);
}
