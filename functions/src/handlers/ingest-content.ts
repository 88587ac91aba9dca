import type { InvocationContext } from "@azure/functions";
import { parseContentMessage } from "../pipeline/content-queue";
import { getEngine } from "../pipeline/engine";

/**
 * Queue trigger: land one content blob. Throws to have the host retry (transient errors); on the last dequeue the
 * worker quarantines the blob instead (ledger failed + a row in ingestion_errors), so nothing is dropped silently.
 */
export async function ingestContent(message: unknown, context: InvocationContext): Promise<void> {
  const content = parseContentMessage(message);
  const dequeueCount = Number(context.triggerMetadata?.dequeueCount ?? 1) || 1;
  await getEngine().worker.ingest(content, dequeueCount, context);
}
