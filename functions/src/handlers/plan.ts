import type { InvocationContext, Timer } from "@azure/functions";
import { getAuditLake } from "../composition-root";
import { PlanError } from "../use-cases/planner";
import { fieldsArgument } from "../log-line";

/** Timer (every 5 minutes): list new content for every tenant × content type and enqueue it. Throws when any pair failed. */
export async function plan(timer: Timer, context: InvocationContext): Promise<void> {
  if (timer.isPastDue) context.warn("plan: the timer is past due (the previous run overran or the app was stopped); catching up", fieldsArgument({ stage: "plan", outcome: "past-due" }));
  const failures = (await getAuditLake().plan(context)).filter((r) => r.error);
  if (failures.length) throw new PlanError(failures);
}
