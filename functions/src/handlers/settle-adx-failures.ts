import type { InvocationContext, Timer } from "@azure/functions";
import { getAuditLake } from "../composition-root";
import { fieldsArgument } from "../log-line";

/**
 * Timer (every 5 minutes): act on ADX's reports of queued ingestions that failed after the worker was done — the blob
 * failed in the ledger (permanent) or replayed (ADX gave up on transient errors). Throws when the reports cannot be
 * read; unread reports stay in ADX's queue for the next run.
 */
export async function settleAdxFailures(timer: Timer, context: InvocationContext): Promise<void> {
  if (timer.isPastDue) context.warn("settle-adx-failures: the timer is past due (the previous run overran or the app was stopped); catching up", fieldsArgument({ stage: "adx-settlement", outcome: "past-due" }));
  await getAuditLake().settleAdxFailures(context);
}
