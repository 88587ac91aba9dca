import { InvocationContext, type Timer } from "@azure/functions";
import { randomUUID } from "node:crypto";
import type { InvocationLog } from "./invocation-log";

export type TimerHandler = (timer: Timer, context: InvocationContext) => Promise<void>;

/** One occurrence of a timer trigger, as the host would fire it on its schedule. */
export async function fireTimer(
  handler: TimerHandler,
  functionName: string,
  log: InvocationLog,
  intervalMs: number,
  previous?: Date,
): Promise<void> {
  const now = new Date();
  const timer: Timer = {
    isPastDue: false,
    schedule: { adjustForDST: false },
    scheduleStatus: {
      last: (previous ?? now).toISOString(),
      next: new Date(now.getTime() + intervalMs).toISOString(),
      lastUpdated: now.toISOString(),
    },
  };
  const context = new InvocationContext({
    invocationId: randomUUID(),
    functionName,
    logHandler: log.handler(functionName),
  });
  await handler(timer, context);
}
