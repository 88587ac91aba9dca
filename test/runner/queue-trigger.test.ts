import { QueueServiceClient } from "@azure/storage-queue";
import { startAzurite, type Azurite } from "../../local/azurite";
import { InvocationLog } from "../../local/runner/invocation-log";
import { encodeMessage, QueueTrigger, type QueueHandler } from "../../local/runner/queue-trigger";

// The local runner must treat queue messages the way the Functions host does, or retries and poison handling
// tested locally would mean nothing in Azure.

let azurite: Azurite;
let queues: QueueServiceClient;

beforeAll(async () => {
  azurite = await startAzurite();
  queues = QueueServiceClient.fromConnectionString(azurite.connectionString);
});

afterAll(async () => {
  await azurite?.stop();
});

async function runUntilDrained(trigger: QueueTrigger, limitMs = 30_000): Promise<void> {
  trigger.start();
  const deadline = Date.now() + limitMs;
  try {
    while (!(await trigger.isDrained())) {
      if (Date.now() > deadline) throw new Error("queue did not drain in time");
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await trigger.stop();
  }
}

async function freshQueue(name: string) {
  const queue = queues.getQueueClient(name);
  const poisonQueue = queues.getQueueClient(`${name}-poison`);
  await queue.createIfNotExists();
  return { queue, poisonQueue };
}

test("a message is decoded from base64 JSON, handed over with its dequeue count, and deleted after success", async () => {
  const { queue, poisonQueue } = await freshQueue("decode-ok");
  await queue.sendMessage(encodeMessage({ contentId: "blob-1" }));
  const seen: Array<{ message: unknown; dequeueCount: unknown }> = [];
  const handler: QueueHandler = async (message, context) => {
    seen.push({ message, dequeueCount: context.triggerMetadata?.dequeueCount });
  };
  const trigger = new QueueTrigger({ queue, poisonQueue, functionName: "ingestContent", handler, log: new InvocationLog() });
  await runUntilDrained(trigger);
  expect(seen).toEqual([{ message: { contentId: "blob-1" }, dequeueCount: 1 }]);
  expect(trigger.stats).toMatchObject({ firstDeliveries: 1, succeeded: 1, failedAttempts: 0, poisoned: 0 });
  expect((await queue.getProperties()).approximateMessagesCount).toBe(0);
});

test("a failing message reappears after the visibility timeout with a higher dequeue count until it succeeds", async () => {
  const { queue, poisonQueue } = await freshQueue("retry-then-ok");
  await queue.sendMessage(encodeMessage({ contentId: "blob-2" }));
  const counts: unknown[] = [];
  const handler: QueueHandler = async (_message, context) => {
    counts.push(context.triggerMetadata?.dequeueCount);
    if (counts.length < 3) throw new Error("transient");
  };
  const trigger = new QueueTrigger({ queue, poisonQueue, functionName: "ingestContent", handler, log: new InvocationLog() });
  const started = Date.now();
  await runUntilDrained(trigger);
  expect(counts).toEqual([1, 2, 3]);
  expect(Date.now() - started).toBeGreaterThanOrEqual(2000); // two releases of one second each
  expect(trigger.stats).toMatchObject({ succeeded: 1, failedAttempts: 2, poisoned: 0 });
});

test("after maxDequeueCount failed attempts the message moves to <queue>-poison unchanged", async () => {
  const { queue, poisonQueue } = await freshQueue("always-fails");
  const text = encodeMessage({ contentId: "blob-3" });
  await queue.sendMessage(text);
  let attempts = 0;
  const handler: QueueHandler = async () => {
    attempts++;
    throw new Error("permanent");
  };
  const log = new InvocationLog();
  const trigger = new QueueTrigger({ queue, poisonQueue, functionName: "ingestContent", handler, log, maxDequeueCount: 3 });
  await runUntilDrained(trigger);
  expect(attempts).toBe(3);
  expect(trigger.stats).toMatchObject({ succeeded: 0, failedAttempts: 3, poisoned: 1 });
  const poisoned = await poisonQueue.peekMessages({ numberOfMessages: 5 });
  expect(poisoned.peekedMessageItems.map((m) => m.messageText)).toEqual([text]);
  expect(log.counts.error).toBe(1); // the last attempt is an error, the earlier ones warnings
  expect(log.counts.warning).toBe(2);
});

test("messages are processed concurrently in batches, never more than batchSize + newBatchThreshold at once", async () => {
  const { queue, poisonQueue } = await freshQueue("batches");
  await Promise.all(Array.from({ length: 40 }, (_, i) => queue.sendMessage(encodeMessage({ i }))));
  let running = 0;
  let peak = 0;
  const handler: QueueHandler = async () => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, 50));
    running--;
  };
  const trigger = new QueueTrigger({ queue, poisonQueue, functionName: "ingestContent", handler, log: new InvocationLog(), batchSize: 8 });
  await runUntilDrained(trigger);
  expect(trigger.stats.succeeded).toBe(40);
  expect(peak).toBeGreaterThan(1);
  expect(peak).toBeLessThanOrEqual(8 + 4);
});
