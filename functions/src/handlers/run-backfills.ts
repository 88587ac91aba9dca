import type { InvocationContext, Timer } from "@azure/functions";
import { getAuditLake } from "../composition-root";

/**
 * Timer (every 5 minutes): advance the back-fill jobs — submit Graph queries, poll them, land the pages of those that
 * succeeded — within one run's budget; never waits on Graph, which takes minutes to hours per query.
 */
export async function runBackfills(timer: Timer, context: InvocationContext): Promise<void> {
  if (timer.isPastDue) context.warn("run-backfills: the timer is past due (the previous run overran or the app was stopped); catching up");
  await getAuditLake().runBackfills(context);
}
