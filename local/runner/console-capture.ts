// The host captures what the worker writes to the console into its log stream; so do the local runner and host.
import { format } from "node:util";
import type { InvocationLog } from "./invocation-log";

/** Sends console output to `log` until the returned undo is called. */
export function captureConsole(log: InvocationLog): () => void {
  const saved = { log: console.log, info: console.info, debug: console.debug, warn: console.warn, error: console.error };
  console.log = console.info = console.debug = (...args: unknown[]) => log.write("information", format(...args));
  console.warn = (...args: unknown[]) => log.write("warning", format(...args));
  console.error = (...args: unknown[]) => log.write("error", format(...args));
  return () => Object.assign(console, saved);
}
