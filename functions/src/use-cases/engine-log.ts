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
