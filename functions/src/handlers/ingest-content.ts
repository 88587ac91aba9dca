import type { InvocationContext } from "@azure/functions";
import { getAuditLake } from "../composition-root";
import { parseContentMessage } from "../state/content-queue";

/**
 * Queue trigger: land one message's content blobs. Throws to have the host retry (transient errors); on the last
 * dequeue the worker quarantines a blob instead (ledger failed + a row in ingestion_errors), so nothing is dropped silently.
 */
export async function ingestContent(message: unknown, context: InvocationContext): Promise<void> {
  const dequeueCount = Number(context.triggerMetadata?.dequeueCount ?? 1) || 1;
  await getAuditLake().ingest(parseContentMessage(message), dequeueCount, context);
}
