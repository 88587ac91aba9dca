import { InvocationContext } from "@azure/functions";
import type { DequeuedMessageItem, QueueClient } from "@azure/storage-queue";
import { randomUUID } from "node:crypto";
import type { InvocationLog } from "./invocation-log";

export type QueueHandler = (message: unknown, context: InvocationContext) => Promise<void>;

export interface QueueTriggerOptions {
  queue: QueueClient;
  /** `<queue>-poison`, where the host moves a message after its last failed dequeue. */
  poisonQueue: QueueClient;
  functionName: string;
  handler: QueueHandler;
  log: InvocationLog;
  /** host.json extensions.queues.batchSize (host default 16). */
  batchSize?: number;
  /** Fetch the next batch once this few messages are still running (host default batchSize / 2). */
  newBatchThreshold?: number;
  /** host.json maxDequeueCount (host default 5). */
  maxDequeueCount?: number;
  /** How long a failed message stays invisible before its retry (host default 0; locally 1 s so retries are visible). */
  visibilityTimeoutSeconds?: number;
  /** Upper bound of the empty-queue polling backoff (host default 1 min; locally 1 s). */
  maxPollingIntervalMs?: number;
  /** Lease taken on a received message while it runs (the host takes 10 min and renews it). */
  leaseSeconds?: number;
}

export interface QueueTriggerStats {
  /** Messages seen for the first time (dequeueCount 1): what the planner enqueued. */
  firstDeliveries: number;
  succeeded: number;
  /** Invocations that threw; the message reappears after the visibility timeout. */
  failedAttempts: number;
  /** Messages moved to `<queue>-poison` after maxDequeueCount failed attempts. */
  poisoned: number;
  inFlight: number;
}

/**
 * The Azure Functions host's queue trigger, in process: receive batches, decode the base64 JSON message, invoke the
 * handler with the dequeue count, delete on success, release for a retry on failure, poison after the last attempt.
 */
export class QueueTrigger {
  private readonly batchSize: number;
  private readonly newBatchThreshold: number;
  private readonly maxDequeueCount: number;
  private readonly visibilityTimeoutSeconds: number;
  private readonly maxPollingIntervalMs: number;
  private readonly leaseSeconds: number;
  private readonly running = new Set<Promise<void>>();
  private readonly counters = { firstDeliveries: 0, succeeded: 0, failedAttempts: 0, poisoned: 0 };
  private polling: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;

  constructor(private readonly opts: QueueTriggerOptions) {
    this.batchSize = opts.batchSize ?? 16;
    this.newBatchThreshold = opts.newBatchThreshold ?? Math.floor(this.batchSize / 2);
    this.maxDequeueCount = opts.maxDequeueCount ?? 5;
    this.visibilityTimeoutSeconds = opts.visibilityTimeoutSeconds ?? 1;
    this.maxPollingIntervalMs = opts.maxPollingIntervalMs ?? 1000;
    this.leaseSeconds = opts.leaseSeconds ?? 600;
  }

  get stats(): QueueTriggerStats {
    return { ...this.counters, inFlight: this.running.size };
  }

  start(): void {
    if (this.polling) return;
    this.stopping = false;
    this.polling = this.poll();
  }

  /** Stops receiving and waits for the invocations already running. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.polling;
    this.polling = undefined;
    await Promise.all([...this.running]);
  }

  /** True when no message is running and the queue holds none, counting those invisible while awaiting a retry. */
  async isDrained(): Promise<boolean> {
    if (this.running.size > 0) return false;
    const { approximateMessagesCount } = await this.opts.queue.getProperties();
    return (approximateMessagesCount ?? 0) === 0 && this.running.size === 0;
  }

  private async poll(): Promise<void> {
    const minDelayMs = 50;
    let delayMs = minDelayMs;
    while (!this.stopping) {
      if (this.running.size > this.newBatchThreshold) {
        await Promise.race(this.running);
        continue;
      }
      let messages: DequeuedMessageItem[] = [];
      try {
        const response = await this.opts.queue.receiveMessages({
          numberOfMessages: this.batchSize,
          visibilityTimeout: this.leaseSeconds,
        });
        messages = response.receivedMessageItems;
      } catch (error) {
        this.opts.log.write("error", `queue trigger: receiving from ${this.opts.queue.name} failed: ${describeError(error)}`);
      }
      if (messages.length > 0) {
        delayMs = minDelayMs;
        for (const message of messages) this.track(this.process(message));
        continue;
      }
      // The host backs off exponentially (with jitter) while the queue stays empty.
      await this.sleep(delayMs * (0.8 + Math.random() * 0.4));
      delayMs = Math.min(delayMs * 2, this.maxPollingIntervalMs);
    }
  }

  private track(invocation: Promise<void>): void {
    this.running.add(invocation);
    void invocation.finally(() => this.running.delete(invocation));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async process(message: DequeuedMessageItem): Promise<void> {
    if (message.dequeueCount === 1) this.counters.firstDeliveries++;
    try {
      // A message that already used up its attempts (e.g. its worker crashed) goes straight to poison, like the host.
      if (message.dequeueCount > this.maxDequeueCount) {
        await this.poison(message);
        return;
      }
      const context = new InvocationContext({
        invocationId: randomUUID(),
        functionName: this.opts.functionName,
        logHandler: this.opts.log.handler(this.opts.functionName),
        triggerMetadata: {
          id: message.messageId,
          dequeueCount: message.dequeueCount,
          insertionTime: message.insertedOn.toISOString(),
          expirationTime: message.expiresOn.toISOString(),
          nextVisibleTime: message.nextVisibleOn.toISOString(),
          popReceipt: message.popReceipt,
        },
      });
      let failure: unknown;
      try {
        await this.opts.handler(decodeMessage(message.messageText), context);
      } catch (error) {
        failure = error ?? new Error("handler threw without an error");
      }
      if (failure === undefined) {
        await this.opts.queue.deleteMessage(message.messageId, message.popReceipt);
        this.counters.succeeded++;
        return;
      }
      this.counters.failedAttempts++;
      const last = message.dequeueCount >= this.maxDequeueCount;
      this.opts.log.write(
        last ? "error" : "warning",
        `${this.opts.functionName}: attempt ${message.dequeueCount}/${this.maxDequeueCount} failed: ${describeError(failure)}`,
      );
      if (last) await this.poison(message);
      else await this.opts.queue.updateMessage(message.messageId, message.popReceipt, undefined, this.visibilityTimeoutSeconds);
    } catch (error) {
      // Losing the lease (or Azurite hiccups) leaves the message to reappear after its lease, as in the host.
      this.opts.log.write("error", `queue trigger: settling message ${message.messageId} failed: ${describeError(error)}`);
    }
  }

  private async poison(message: DequeuedMessageItem): Promise<void> {
    await this.opts.poisonQueue.createIfNotExists();
    await this.opts.poisonQueue.sendMessage(message.messageText);
    await this.opts.queue.deleteMessage(message.messageId, message.popReceipt);
    this.counters.poisoned++;
  }
}

/** The host's default messageEncoding is base64; a JSON payload binds as an object, anything else as a string. */
export function decodeMessage(messageText: string): unknown {
  const text = Buffer.from(messageText, "base64").toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function encodeMessage(message: unknown): string {
  return Buffer.from(JSON.stringify(message), "utf8").toString("base64");
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return code ? `${error.message} [${String(code)}]` : error.message;
  }
  return String(error);
}
