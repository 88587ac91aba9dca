// The app's log lines in the shape Application Insights stores them in `traces`: what the Functions host keeps of a
// log call (its arguments joined by util.format into `message`, the level as `severityLevel`, the function as
// `operation_Name`). The alert rules' TypeScript conditions (kql/alerts.ts) read these rows where no Kusto engine runs.
import { format } from "node:util";
import type { TraceRow } from "../../kql/alerts";
import type { EngineLog } from "../../functions/src/use-cases/engine-log";

/** Application Insights' severity for each level the host logs at. */
const SEVERITY = { info: 1, warn: 2, error: 3 } as const;

export function traceRow(level: keyof typeof SEVERITY, args: unknown[], at: Date, operation: string): TraceRow {
  return { timestamp: at.toISOString(), message: format(...args), severityLevel: SEVERITY[level], operation_Name: operation };
}

/**
 * Records every line written to `log` from now on as a `traces` row stamped with `clock()` (the emulator's pinned
 * clock in tests), still passing it on. Returns the rows, which grow as the app logs.
 */
export function recordTraces(log: EngineLog, clock: () => Date, operation: () => string): TraceRow[] {
  const rows: TraceRow[] = [];
  for (const level of ["info", "warn", "error"] as const) {
    const inner = log[level].bind(log);
    log[level] = (...args: unknown[]) => {
      rows.push(traceRow(level, args, clock(), operation()));
      inner(...args);
    };
  }
  return rows;
}

/** The host's levels (InvocationLog) as Application Insights' severities. */
const HOST_SEVERITY: Record<string, number> = { trace: 0, debug: 0, information: 1, warning: 2, error: 3, critical: 4 };

/**
 * The local Functions host's log stream (local/runner/invocation-log.ts: `<ISO time> <level> <function>: <message>`)
 * as `traces` rows: the function becomes operation_Name, the rest the message. A line that does not start with a time
 * continues the one before (a message with line breaks).
 */
export function tracesFromHostLog(text: string): TraceRow[] {
  const rows: TraceRow[] = [];
  for (const line of text.split("\n")) {
    const m = /^(\d{4}-\d{2}-\d{2}T[\d:.]+Z) (\w+) (.*)$/.exec(line);
    if (!m) {
      if (rows.length && line) rows[rows.length - 1]!.message += `\n${line}`;
      continue;
    }
    const [, timestamp, level, rest] = m;
    const fn = /^([a-z][\w-]*): ([\s\S]*)$/.exec(rest!);
    rows.push({ timestamp: timestamp!, severityLevel: HOST_SEVERITY[level!] ?? 1, operation_Name: fn ? fn[1]! : "", message: fn ? fn[2]! : rest! });
  }
  return rows;
}
