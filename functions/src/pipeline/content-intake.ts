import type { ContentLedger, ContentRef, LedgerEntry } from "./content-ledger";
import type { ContentQueue } from "./content-queue";

export type IntakeOutcome = "enqueued" | "known";

/**
 * The one path by which a content blob enters the pipeline, for the planner and the webhook alike:
 * ledger entry first (exactly one racer creates it), then the queue message, then the entry marked queued.
 * A crash after the claim leaves the entry "listed"; the planner re-enqueues such stale claims.
 */
export class ContentIntake {
  constructor(
    private readonly ledger: ContentLedger,
    private readonly queue: ContentQueue,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async admit(ref: ContentRef, source: LedgerEntry["source"]): Promise<IntakeOutcome> {
    const claim = await this.ledger.claim(ref, source, this.now());
    if (!claim.claimed) return "known";
    await this.queue.enqueue(ref);
    await this.ledger.markQueued(ref, claim.etag, this.now());
    return "enqueued";
  }

  /** Re-enqueues an entry stuck in "listed" (its claimer died before enqueueing); the worker is idempotent if not. */
  async readmit(ref: ContentRef, etag: string): Promise<void> {
    await this.queue.enqueue(ref);
    await this.ledger.markQueued(ref, etag, this.now());
  }
}
