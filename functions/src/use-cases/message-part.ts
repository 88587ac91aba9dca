import { Tables } from "../../../kql/tables";
import type { RowChunk } from "../sinks/row-chunks";
import type { RowWriter } from "../sinks/row-sink";

type Rows = Record<string, unknown>[];

/** The tables whose rows a part collects from its blobs (the ledger rows are written when the part lands). */
export const PART_TABLES = [Tables.unifiedAudit, Tables.accessMail, Tables.errors] as const;
export type PartTable = (typeof PART_TABLES)[number];

/**
 * Some of one queue message's blobs whose rows land together, one ingestion per table. The rows are compressed as
 * each blob arrives, so what a message holds is its gzipped rows, not their objects; the worker lands a part once
 * `heldBytes` passes its budget and starts the next, so a message of large blobs never holds more than that.
 */
export class MessagePart<Blob> {
  readonly blobs: Blob[] = [];
  /** mail-access rows kept as objects for Sentinel (only when forwarding: the Logs Ingestion client takes objects) */
  readonly forwardRows: Rows = [];
  private readonly writers: Map<PartTable, RowWriter>;

  constructor(newWriter: () => RowWriter, private readonly keepMailRows: boolean) {
    this.writers = new Map(PART_TABLES.map((t) => [t, newWriter()]));
  }

  /**
   * Adds a blob and queues its rows, synchronously (a part swapped out right after still finishes these writes);
   * resolves once they are compressed.
   */
  add(blob: Blob, rows: Record<PartTable, Rows>): Promise<void> {
    this.blobs.push(blob);
    if (this.keepMailRows) for (const r of rows[Tables.accessMail]) this.forwardRows.push(r);
    return Promise.all(PART_TABLES.map((t) => this.writers.get(t)!.write(rows[t]))).then(() => undefined);
  }

  /** Rows added after the blobs (Sentinel's refusals, recorded in ingestion_errors). */
  addErrorRows(rows: Rows): Promise<void> {
    return this.writers.get(Tables.errors)!.write(rows);
  }

  /** Compressed bytes held across the part's tables. */
  get heldBytes(): number {
    let n = 0;
    for (const w of this.writers.values()) n += w.heldBytes;
    return n;
  }

  /** The table's chunks, once every queued write is done; the writer is released. */
  async finish(table: PartTable): Promise<RowChunk[]> {
    return this.writers.get(table)!.finish();
  }
}
