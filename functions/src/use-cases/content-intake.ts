import type { ContentLedger, LedgerEntry } from "../state/content-ledger";
import { groupIntoMessages, MESSAGE_LIMITS, type ContentQueue } from "../state/content-queue";
import type { ContentRef } from "../state/content-ref";

export type IntakeOutcome = "enqueued" | "known";

/**
 * The one path by which content blobs enter the pipeline, for the planner and the webhook alike: ledger entries first
 * (exactly one racer creates each), then queue messages of several blobs, then the entries marked queued — each step
 * one storage request per partition or message, not per blob. A crash after the claim leaves entries "listed"; the
 * planner re-enqueues such stale claims.
 */
export class ContentIntake {
  constructor(
    private readonly ledger: ContentLedger,
    private readonly queue: Pick<ContentQueue, "enqueue">,
    private readonly now: () => Date = () => new Date(),
    private readonly limits = MESSAGE_LIMITS,
  ) {}

  /** Admits the blobs; returns the contentIds this call enqueued (the others were known already). */
  async admitMany(refs: readonly ContentRef[], source: LedgerEntry["source"]): Promise<Set<string>> {
    if (refs.length === 0) return new Set();
    const claims = await this.ledger.claimMany(refs, source, this.now());
    const byId = new Map(claims.map((c) => [c.ref.contentId, c]));
    for (const message of groupIntoMessages(claims.map((c) => c.ref), this.limits)) {
      await this.queue.enqueue(message);
      await this.ledger.markQueuedMany(message.map((b) => byId.get(b.contentId)!), this.now());
    }
    return new Set(byId.keys());
  }

  async admit(ref: ContentRef, source: LedgerEntry["source"]): Promise<IntakeOutcome> {
    return (await this.admitMany([ref], source)).has(ref.contentId) ? "enqueued" : "known";
  }

  /** Re-enqueues entries stuck in "listed" (their claimer died before enqueueing); the worker is idempotent if not. */
  async readmit(stale: ReadonlyArray<{ ref: ContentRef; etag: string }>): Promise<void> {
    const byId = new Map(stale.map((c) => [c.ref.contentId, c]));
    for (const message of groupIntoMessages(stale.map((c) => c.ref), this.limits)) {
      await this.queue.enqueue(message);
      await this.ledger.markQueuedMany(message.map((b) => byId.get(b.contentId)!), this.now());
    }
  }
}
