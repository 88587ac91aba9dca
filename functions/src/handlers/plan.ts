import type { InvocationContext, Timer } from "@azure/functions";
import { getEngine } from "../pipeline/engine";
import { PlanError } from "../pipeline/planner";

/** Timer (every 5 minutes): list new content for every tenant × content type and enqueue it. Throws when any pair failed. */
export async function plan(timer: Timer, context: InvocationContext): Promise<void> {
  const engine = getEngine();
  if (timer.isPastDue) context.warn("plan: the timer is past due (the previous run overran or the app was stopped); catching up");
  const results = await engine.planner.run(context);
  const failures = results.filter((r) => r.error);
  if (failures.length) throw new PlanError(failures);
}
