import type { QueueClient } from "@azure/storage-queue";
import { z } from "zod";
import type { ContentRef } from "./content-ledger";

/** One queue message per content blob: everything the worker needs, nothing it must look up first. */
export type ContentMessage = ContentRef;

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "expected an ISO 8601 date");

export const contentMessageSchema = z.object({
  tenantId: z.string().min(1),
  contentType: z.string().min(1),
  contentId: z.string().min(1),
  contentUri: z.string().min(1),
  contentCreated: isoDate,
  contentExpiration: isoDate,
});

export class MalformedMessageError extends Error {
  readonly code = "MalformedMessage";
  constructor(detail: string) {
    super(`Queue message is not a content message (${detail}); it was not produced by this engine's planner or webhook — delete it.`);
    this.name = "MalformedMessageError";
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
  const parsed = contentMessageSchema.safeParse(value);
  if (!parsed.success) throw new MalformedMessageError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  return parsed.data;
}

/** Base64 JSON: the Functions host's default queue message encoding. */
export function encodeContentMessage(m: ContentMessage): string {
  const { tenantId, contentType, contentId, contentUri, contentCreated, contentExpiration } = m;
  return Buffer.from(JSON.stringify({ tenantId, contentType, contentId, contentUri, contentCreated, contentExpiration }), "utf8").toString("base64");
}

export class ContentQueue {
  private ready?: Promise<unknown>;

  constructor(readonly client: QueueClient) {}

  async enqueue(m: ContentMessage): Promise<void> {
    this.ready ??= this.client.createIfNotExists().catch((e) => {
      this.ready = undefined;
      throw e;
    });
    await this.ready;
    // Never let a message expire on the queue (default 7 days): an unprocessed blob must end up in the ledger, not vanish.
    await this.client.sendMessage(encodeContentMessage(m), { messageTimeToLive: -1 });
  }
}
