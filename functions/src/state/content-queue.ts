import type { QueueClient } from "@azure/storage-queue";
import { z } from "zod";
import { contentRef, contentRefSchema, type ContentRef } from "./content-ref";
import { ServiceError } from "../service-error";

/** A blob in a queue message: its reference, and the attempts an earlier message already made on it (re-queued alone). */
export const queuedBlobSchema = contentRefSchema.extend({ priorAttempts: z.number().int().min(0).optional() });
export type QueuedBlob = z.infer<typeof queuedBlobSchema>;

/** One queue message carries several blobs of one tenant: everything the worker needs, nothing it must look up first. */
export interface ContentMessage {
  blobs: QueuedBlob[];
}

const contentMessageSchema = z.object({ blobs: z.array(queuedBlobSchema).min(1) });

/**
 * How many blobs one message carries and how large it may get. 64 KiB is the queue's limit for a message (its base64
 * text); a reference is ~0.5 KiB, so the count decides in practice. The count trades requests per blob (one
 * ingestion per table per message) against the rows a worker holds at once; 25 was chosen by `npm run bench`.
 */
export const MESSAGE_LIMITS = { maxBlobs: 25, maxBytes: 60 * 1024 };

export class MalformedMessageError extends ServiceError {
  override readonly name = "MalformedMessageError";
  constructor(detail: string) {
    super(`Queue message is not a content message (${detail}); it was not produced by this engine's planner or webhook — delete it.`, {
      code: "MalformedMessage",
      transient: false,
      advice: "Delete the message from the queue (or let it reach the poison queue); polling lists its blobs again if they were real.",
    });
  }
}

/** The Functions host decodes base64 and JSON before calling us; a runner may hand over either layer, so accept all three. */
export function parseContentMessage(message: unknown): ContentMessage {
  let value = message;
  if (Buffer.isBuffer(value)) value = value.toString("utf8");
  if (typeof value === "string") {
    const text = value.trim();
    const json = text.startsWith("{") ? text : Buffer.from(text, "base64").toString("utf8");
    try {
      value = JSON.parse(json);
    } catch {
      throw new MalformedMessageError("neither JSON nor base64 JSON");
    }
  }
  // A message of one bare blob reference: what the engine enqueued before messages carried several.
  const single = queuedBlobSchema.safeParse(value);
  if (single.success) return { blobs: [single.data] };
  const parsed = contentMessageSchema.safeParse(value);
  if (!parsed.success) throw new MalformedMessageError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  const tenants = new Set(parsed.data.blobs.map((b) => b.tenantId.toLowerCase()));
  if (tenants.size > 1) throw new MalformedMessageError(`its blobs belong to ${tenants.size} tenants; a message carries one tenant's blobs`);
  return parsed.data;
}

/** Base64 JSON: the Functions host's default queue message encoding. */
export function encodeContentMessage(blobs: readonly QueuedBlob[]): string {
  const body = blobs.map((b) => ({ ...contentRef(b), ...(b.priorAttempts ? { priorAttempts: b.priorAttempts } : {}) }));
  return Buffer.from(JSON.stringify({ blobs: body }), "utf8").toString("base64");
}

/** Splits blobs into messages of at most `maxBlobs` and `maxBytes` (encoded), one tenant per message, in order. */
export function groupIntoMessages(blobs: readonly QueuedBlob[], limits = MESSAGE_LIMITS): QueuedBlob[][] {
  const byTenant = new Map<string, QueuedBlob[]>();
  for (const b of blobs) {
    const k = b.tenantId.toLowerCase();
    byTenant.set(k, [...(byTenant.get(k) ?? []), b]);
  }
  const messages: QueuedBlob[][] = [];
  for (const list of byTenant.values()) {
    let current: QueuedBlob[] = [];
    let bytes = 0;
    for (const b of list) {
      // base64 of the JSON: 4 characters per 3 bytes, plus the separating comma
      const size = Math.ceil(((JSON.stringify(b).length + 1) * 4) / 3);
      if (current.length > 0 && (current.length >= limits.maxBlobs || bytes + size > limits.maxBytes)) {
        messages.push(current);
        current = [];
        bytes = 0;
      }
      current.push(b);
      bytes += size;
    }
    if (current.length) messages.push(current);
  }
  return messages;
}

export class ContentQueue {
  private ready?: Promise<unknown>;

  constructor(readonly client: QueueClient) {}

  /** One message for the blobs given (callers group them with groupIntoMessages). */
  async enqueue(blobs: readonly QueuedBlob[]): Promise<void> {
    if (blobs.length === 0) return;
    this.ready ??= this.client.createIfNotExists().catch((e) => {
      this.ready = undefined;
      throw e;
    });
    await this.ready;
    // Never let a message expire on the queue (default 7 days): an unprocessed blob must end up in the ledger, not vanish.
    await this.client.sendMessage(encodeContentMessage(blobs), { messageTimeToLive: -1 });
  }
}

export type { ContentRef };
