import { odata, type TableClient, type TransactionAction } from "@azure/data-tables";
import type { ContentRef } from "./content-ref";
import { decodeKeyPart, hourBucket, ledgerPartitionPrefix } from "./entity-keys";
import {
  errorText,
  finishFields,
  fromEntity,
  ledgerKeys,
  refFields,
  type Finish,
  type IngestedFigures,
  type LedgerEntry,
  type LedgerKey,
  type LedgerState,
} from "./ledger-entry";
import { asDate, deletePartitionRange, dropUndefined, ensureTable, statusOf } from "./storage-account";

// The entry's states, fields and entity mapping live in ledger-entry.ts; re-exported for code that imports them here.
export type { ContentRef };
export { LEDGER_STATES, PENDING_STATES, type FinalState, type Finish, type IngestedFigures, type LedgerEntry, type LedgerKey, type LedgerState } from "./ledger-entry";

/**
 * The blob's fields an outcome (the worker's, ADX's) writes: all but contentUri, which only a claim and the listing
 * write, so a forged URI a message carried never overwrites the one a requeue will fetch.
 */
function outcomeRefFields(ref: ContentRef) {
  const { contentUri: _fromIntakeOnly, ...fields } = refFields(ref);
  return fields;
}

export const LEDGER_TABLE = "AuditLakeContentLedger";
export const LEDGER_RETENTION_DAYS = 8;

/** Azure Table storage: at most 100 operations per transaction, and 15 comparisons per filter. */
const MAX_TRANSACTION = 100;
const MAX_KEYS_PER_QUERY = 14;

/**
 * The content ledger (ledger-entry.ts has the entry's life): every content blob the engine has seen, by contentId, for
 * 8 days (one day past the blob's own life). It makes re-listing cheap and enqueueing exactly-once: a blob is enqueued
 * only by whoever creates its entry, and the worker skips blobs already ingested.
 */
export class ContentLedger {
  constructor(private readonly table: TableClient) {}

  private keys(ref: LedgerKey): { partitionKey: string; rowKey: string } {
    return ledgerKeys(ref);
  }

  /**
   * Creates the entry in state "listed". Exactly one of any number of racing callers gets `claimed: true`
   * (Table storage rejects the second create with 409); only that caller enqueues the blob.
   */
  async claim(ref: ContentRef, source: LedgerEntry["source"], now = new Date()): Promise<{ claimed: true; etag: string } | { claimed: false }> {
    await ensureTable(this.table);
    try {
      const res = await this.table.createEntity({
        ...this.keys(ref),
        ...refFields(ref),
        state: "listed",
        source,
        listedAt: now,
        attempts: 0,
      });
      return { claimed: true, etag: res.etag! };
    } catch (err) {
      if (statusOf(err) === 409) return { claimed: false };
      throw err;
    }
  }

  /**
   * claim() for many blobs in as few requests as their partitions allow (one transaction per partition and 100).
   * A transaction fails whole when one entity exists (a racing webhook or planner): that group is claimed one by one.
   */
  async claimMany(refs: readonly ContentRef[], source: LedgerEntry["source"], now = new Date()): Promise<Array<{ ref: ContentRef; etag: string }>> {
    await ensureTable(this.table);
    const claimed: Array<{ ref: ContentRef; etag: string }> = [];
    for (const group of this.partitions(refs)) {
      const actions: TransactionAction[] = group.map((ref) => ["create", { ...this.keys(ref), ...refFields(ref), state: "listed", source, listedAt: now, attempts: 0 }]);
      try {
        const res = await this.table.submitTransaction(actions);
        // Without the entity's ETag the queued mark is skipped (never forced): the entry stays "listed" and a stale claim
        // is re-enqueued by the planner, which the worker's ledger check makes harmless.
        // Sub-responses come in request order; by row key first (the service may echo an escaped key).
        group.forEach((ref, i) => claimed.push({ ref, etag: res.getResponseForEntity(this.keys(ref).rowKey)?.etag ?? res.subResponses[i]?.etag ?? "" }));
      } catch (err) {
        if (statusOf(err) !== 409) throw err;
        for (const ref of group) {
          const one = await this.claim(ref, source, now);
          if (one.claimed) claimed.push({ ref, etag: one.etag });
        }
      }
    }
    return claimed;
  }

  /** markQueued() for many claims, one transaction per partition; a claim moved by someone else makes its group go one by one. */
  async markQueuedMany(claims: ReadonlyArray<{ ref: ContentRef; etag: string }>, now = new Date()): Promise<void> {
    for (const group of this.partitions(claims.filter((c) => c.etag), (c) => c.ref)) {
      const actions: TransactionAction[] = group.map((c) => ["update", { ...this.keys(c.ref), state: "queued", queuedAt: now }, "Merge", { etag: c.etag }]);
      try {
        await this.table.submitTransaction(actions);
      } catch (err) {
        if (statusOf(err) !== 412 && statusOf(err) !== 404) throw err;
        for (const c of group) await this.markQueued(c.ref, c.etag, now);
      }
    }
  }

  /** The entries of many blobs: one query per partition and 14 blobs (Table storage's filter limit). */
  async getMany(refs: readonly LedgerKey[]): Promise<Map<string, LedgerEntry>> {
    await ensureTable(this.table);
    const found = new Map<string, LedgerEntry>();
    for (const group of this.partitions(refs)) {
      for (let i = 0; i < group.length; i += MAX_KEYS_PER_QUERY) {
        const keys = group.slice(i, i + MAX_KEYS_PER_QUERY).map((r) => this.keys(r));
        const filter = odata`PartitionKey eq ${keys[0].partitionKey}` + ` and (${keys.map((k) => odata`RowKey eq ${k.rowKey}`).join(" or ")})`;
        for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
          const entry = fromEntity(e);
          found.set(entry.contentId, entry);
        }
      }
    }
    return found;
  }

  /** Writes the final states of many blobs (upserts, unconditional like markIngested): one transaction per partition. */
  async finishMany(finishes: readonly Finish[], now = new Date()): Promise<void> {
    if (finishes.length === 0) return;
    await ensureTable(this.table);
    for (const group of this.partitions(finishes, (f) => f.ref)) {
      const actions: TransactionAction[] = group.map((f) => ["upsert", dropUndefined({ ...this.keys(f.ref), ...outcomeRefFields(f.ref), ...finishFields(f, now) }), "Merge"]);
      await this.table.submitTransaction(actions);
    }
  }

  /** Groups items by ledger partition, each group at most one transaction's worth. */
  private partitions<T>(items: readonly T[], ref: (item: T) => LedgerKey = (item) => item as unknown as LedgerKey): T[][] {
    const groups: T[][] = [];
    const open = new Map<string, T[]>();
    for (const item of items) {
      const pk = this.keys(ref(item)).partitionKey;
      let list = open.get(pk);
      if (!list || list.length >= MAX_TRANSACTION) {
        open.set(pk, (list = []));
        groups.push(list);
      }
      list.push(item);
    }
    return groups;
  }

  /** listed → queued, only if nobody moved the entry since `etag` (a fast worker may already have ingested it). */
  async markQueued(ref: LedgerKey, etag: string, now = new Date()): Promise<boolean> {
    try {
      await this.table.updateEntity({ ...this.keys(ref), state: "queued", queuedAt: now }, "Merge", { etag });
      return true;
    } catch (err) {
      if (statusOf(err) === 412 || statusOf(err) === 404) return false;
      throw err;
    }
  }

  async get(ref: LedgerKey): Promise<LedgerEntry | undefined> {
    await ensureTable(this.table);
    const { partitionKey, rowKey } = this.keys(ref);
    try {
      const e = await this.table.getEntity<Record<string, unknown>>(partitionKey, rowKey);
      return fromEntity(e);
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  /** Final states are written unconditionally (upsert): the worker's outcome is the truth whatever happened before. */
  async markIngested(ref: ContentRef, figures: IngestedFigures, attempts: number, now = new Date()): Promise<void> {
    await this.finish(ref, { state: "ingested", finishedAt: now, attempts, ...figures, lastErrorCode: "", lastError: "" });
  }

  async markFailed(ref: ContentRef, code: string, reason: string, attempts: number, now = new Date()): Promise<void> {
    await this.finish(ref, { state: "failed", finishedAt: now, attempts, lastErrorCode: code, lastError: errorText(reason) });
  }

  async markExpired(ref: ContentRef, code: string, reason: string, attempts: number, now = new Date()): Promise<void> {
    await this.finish(ref, { state: "expired", finishedAt: now, attempts, lastErrorCode: code, lastError: errorText(reason) });
  }

  /**
   * ingested → queued, because ADX reported a queued ingestion of the blob failed after the worker was done: the blob
   * goes through the worker again (its landed chunks are skipped by their ingest-by tags). Only if nobody moved the
   * entry since `etag`; false otherwise.
   */
  async markReplay(ref: LedgerKey, etag: string, replay: { replays: number; sourceId: string; code: string; reason: string }, now = new Date()): Promise<boolean> {
    try {
      await this.table.updateEntity(
        {
          ...this.keys(ref),
          state: "queued",
          queuedAt: now,
          adxReplays: replay.replays,
          adxReplaySource: replay.sourceId,
          lastErrorCode: replay.code,
          lastError: errorText(replay.reason),
        },
        "Merge",
        { etag },
      );
      return true;
    } catch (err) {
      if (statusOf(err) === 412 || statusOf(err) === 404) return false;
      throw err;
    }
  }

  /** A failed attempt the queue will retry: state unchanged, the error kept for health and operators. */
  async recordAttempt(ref: ContentRef, code: string, reason: string, attempts: number): Promise<void> {
    await ensureTable(this.table);
    await this.table.upsertEntity({ ...this.keys(ref), ...outcomeRefFields(ref), attempts, lastErrorCode: code, lastError: errorText(reason) }, "Merge");
  }

  private async finish(ref: ContentRef, fields: Record<string, unknown>): Promise<void> {
    await ensureTable(this.table);
    await this.table.upsertEntity(dropUndefined({ ...this.keys(ref), ...outcomeRefFields(ref), ...fields }), "Merge");
  }

  /** Entries whose contentCreated falls in the hours [from, to] (whole hours: callers filter finer if they need). */
  async *entries(tenantId: string, contentType: string, from: Date, to: Date, filter?: { states?: readonly LedgerState[] }): AsyncIterable<LedgerEntry> {
    for await (const e of this.query(tenantId, contentType, from, to, filter?.states)) yield fromEntity(e);
  }

  /**
   * The same entries reduced to what the planner's skip decision needs (and the contentUri it checks against the
   * listing). A full-retention sweep of a busy tenant reads a hundred thousand entries: selecting five properties keeps
   * that to tens of MB.
   */
  async *brief(tenantId: string, contentType: string, from: Date, to: Date): AsyncIterable<Pick<LedgerEntry, "contentId" | "state" | "listedAt" | "etag" | "contentUri">> {
    for await (const e of this.query(tenantId, contentType, from, to, undefined, ["RowKey", "state", "listedAt", "contentUri"])) {
      yield {
        contentId: decodeKeyPart(String(e.rowKey)),
        state: e.state as LedgerState,
        listedAt: asDate(e.listedAt),
        etag: e.etag as string | undefined,
        contentUri: String(e.contentUri ?? ""),
      };
    }
  }

  /**
   * Puts the listing's contentUri on entries that hold another one (a claim announced with a forged URI): requeues
   * then fetch what the API lists. Merged unconditionally, one transaction per partition; a vanished entry is skipped.
   */
  async adoptListedUris(refs: readonly ContentRef[]): Promise<void> {
    for (const group of this.partitions(refs)) {
      const actions: TransactionAction[] = group.map((ref) => ["update", { ...this.keys(ref), contentUri: ref.contentUri }, "Merge"]);
      try {
        await this.table.submitTransaction(actions);
      } catch (err) {
        if (statusOf(err) !== 404) throw err;
        for (const ref of group) await this.table.updateEntity({ ...this.keys(ref), contentUri: ref.contentUri }, "Merge").catch((e) => { if (statusOf(e) !== 404) throw e; });
      }
    }
  }

  private async *query(tenantId: string, contentType: string, from: Date, to: Date, states?: readonly LedgerState[], select?: string[]) {
    await ensureTable(this.table);
    const prefix = ledgerPartitionPrefix(tenantId, contentType);
    let filter = odata`PartitionKey ge ${prefix + hourBucket(from)} and PartitionKey le ${prefix + hourBucket(to)}`;
    if (states?.length) filter += ` and (${states.map((s) => odata`state eq ${s}`).join(" or ")})`;
    yield* this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter, select } });
  }

  /** Deletes entries whose contentCreated is before `cutoff` (their blobs expired a day ago). Returns how many. */
  async purge(tenantId: string, contentType: string, cutoff: Date): Promise<number> {
    const prefix = ledgerPartitionPrefix(tenantId, contentType);
    return deletePartitionRange(this.table, prefix, prefix + hourBucket(cutoff));
  }
}
