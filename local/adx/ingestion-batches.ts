import { DEFAULT_INGESTION_BATCHING, type Catalog, type IngestionBatchingPolicy } from "../../kql/catalog";
import type { AdxStore, Extent, SealReason } from "./store";

/** One queued ingestion waiting in a batch: its rows (as JSON lines: a third of the memory of objects), its raw size, and whatever its reporter needs once sealed. */
export interface BatchItem<T> {
  rows: { lines: string; count: number };
  rawBytes: number;
  sourceId: string | null;
  source: T;
}

interface OpenBatch<T> {
  database: string;
  table: string;
  tags: string[];
  items: BatchItem<T>[];
  rawBytes: number;
  timer: NodeJS.Timeout;
}

/**
 * ADX's batching of queued ingestions: per table (and ingestion properties), ingestions wait until the table's batching
 * policy says seal — its time, item count or raw size, whichever comes first — and then become one extent together.
 */
export class IngestionBatches<T> {
  private readonly open = new Map<string, OpenBatch<T>>();
  private readonly sealing = new Set<Promise<void>>();

  constructor(
    private readonly catalog: Catalog,
    private readonly store: AdxStore,
    private readonly onSealed: (items: BatchItem<T>[], extent: Extent) => Promise<void>,
    private readonly log: (line: string) => void,
  ) {}

  policy(table: string): IngestionBatchingPolicy {
    return this.catalog.get(table)?.ingestionBatching ?? DEFAULT_INGESTION_BATCHING;
  }

  /** Adds one ingestion to its table's open batch; seals the batch when it is full by count or size. */
  async add(database: string, table: string, tags: string[], item: BatchItem<T>): Promise<void> {
    const policy = this.policy(table);
    // ADX batches only ingestions whose properties agree: the extent tags are part of that.
    const k = [database, table, ...[...tags].sort()].join("\u0000");
    let batch = this.open.get(k);
    if (!batch) {
      const timer = setTimeout(() => void this.seal(k, "Time"), policy.maxBatchingTimeMs);
      timer.unref();
      this.open.set(k, (batch = { database, table, tags, items: [], rawBytes: 0, timer }));
    }
    batch.items.push(item);
    batch.rawBytes += item.rawBytes;
    if (batch.items.length >= policy.maxItems) await this.seal(k, "Count");
    else if (batch.rawBytes >= policy.maxRawBytes) await this.seal(k, "Size");
  }

  /** Seals every open batch now, as if each had waited out its batching time; resolves once all are extents. */
  async sealAll(): Promise<void> {
    await Promise.all([...this.open.keys()].map((k) => this.seal(k, "Flush")));
    await Promise.all([...this.sealing]);
  }

  get pending(): number {
    return this.open.size + this.sealing.size;
  }

  /** Drops open batches without sealing them (the emulator is closing). */
  discard(): void {
    for (const b of this.open.values()) clearTimeout(b.timer);
    this.open.clear();
  }

  private seal(k: string, reason: SealReason): Promise<void> {
    const batch = this.open.get(k);
    if (!batch) return Promise.resolve();
    this.open.delete(k);
    clearTimeout(batch.timer);
    const lines = batch.items.map((i) => i.rows.lines); // written piece by piece: a batch can exceed V8's longest string
    const rowCount = batch.items.reduce((n, i) => n + i.rows.count, 0);
    const extent = this.store.appendExtentLines(batch.database, batch.table, lines, rowCount, { tags: batch.tags, mode: "queued", sourceId: batch.items.length === 1 ? batch.items[0].sourceId : null, sealedBy: reason });
    const done = this.onSealed(batch.items, extent)
      .catch((e: Error) => this.log(`adx emulator: reports of a sealed batch not posted: ${e.message}`))
      .finally(() => this.sealing.delete(done));
    this.sealing.add(done);
    return done;
  }
}
