// Moves a ledger entry back to "listed" so the normal intake enqueues it again. Conditional on the entry's ETag: of two
// racing requeues (or a requeue racing the worker) exactly one moves it, so a blob is never re-admitted twice.
import type { TableClient } from "@azure/data-tables";
import type { LedgerEntry } from "../state/content-ledger";
import { ledgerPartitionKey, ledgerRowKey } from "../state/entity-keys";
import { statusOf } from "../state/storage-account";

export class LedgerReopening {
  constructor(private readonly table: TableClient) {}

  /** The entry's new ETag, or undefined when someone moved it since it was read (412) or it is gone (404). */
  async reopen(entry: LedgerEntry, now: Date): Promise<string | undefined> {
    if (!entry.etag) return undefined;
    const keys = { partitionKey: ledgerPartitionKey(entry.tenantId, entry.contentType, new Date(entry.contentCreated)), rowKey: ledgerRowKey(entry.contentId) };
    try {
      // listedAt now: the planner's stale-claim recovery re-enqueues it if this process dies before the enqueue.
      const res = await this.table.updateEntity({ ...keys, state: "listed", listedAt: now }, "Merge", { etag: entry.etag });
      return res.etag;
    } catch (err) {
      if (statusOf(err) === 412 || statusOf(err) === 404) return undefined;
      throw err;
    }
  }
}
