import type { TableClient, TransactionAction } from "@azure/data-tables";
import { encodeKeyPart } from "./entity-keys";
import type { ContentRef } from "./content-ledger";
import { deletePartitionRange, ensureTable, statusOf } from "./storage-account";

/**
 * Which content blob each queued ADX ingestion belongs to. ADX reports a failed queued ingestion minutes after the
 * worker moved on, naming only its database, table and ingestion source id; this table turns that id back into the
 * tenant, content type and contentId whose ledger entry must change.
 *
 * Keys: partition `<database>|<YYYYMMDD of posting>`, row = source id. One blob's sources share a partition, so they
 * are written in one transaction (one storage request per blob); a lookup is a point read per day back to the
 * retention; the purge drops whole days.
 */
export const ADX_SOURCES_TABLE = "AuditLakeAdxSources";

/** Why the rows were sent: the blob's own rows, or the record of its failure (whose own failure ends in the log). */
export type SourcePurpose = "rows" | "failure-record";

export interface AdxSourceRecord {
  sourceId: string;
  database: string;
  table: string;
  tag: string;
  tenantId: string;
  contentType: string;
  contentId: string;
  contentCreated: string;
  /** the ledger entry's replay count when the rows were sent: a failure of an older generation was replayed already */
  generation: number;
  purpose: SourcePurpose;
  postedAt: Date;
}

export interface PostedSource {
  table: string;
  sourceId: string;
  tag: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function day(at: Date): string {
  return at.toISOString().slice(0, 10).replace(/-/g, "");
}

function partition(database: string, at: Date): string {
  return `${encodeKeyPart(database)}|${day(at)}`;
}

export class AdxIngestionSources {
  constructor(
    private readonly table: TableClient,
    /** how far back a lookup searches, in days (the ledger keeps entries 8 days) */
    private readonly retentionDays: number,
  ) {}

  /** Records the sources of one blob's ingestions; idempotent (a worker retry may record more of them). */
  async record(ref: ContentRef, database: string, sources: readonly PostedSource[], o: { generation: number; purpose: SourcePurpose; now: Date }): Promise<void> {
    if (sources.length === 0) return;
    await ensureTable(this.table);
    const partitionKey = partition(database, o.now);
    const actions: TransactionAction[] = sources.map((s) => [
      "upsert",
      {
        partitionKey,
        rowKey: s.sourceId.toLowerCase(),
        database,
        table: s.table,
        tag: s.tag,
        tenantId: ref.tenantId,
        contentType: ref.contentType,
        contentId: ref.contentId,
        contentCreated: new Date(ref.contentCreated),
        generation: o.generation,
        purpose: o.purpose,
        postedAt: o.now,
      },
      "Replace",
    ]);
    // A transaction holds at most 100 operations.
    for (let i = 0; i < actions.length; i += 100) await this.table.submitTransaction(actions.slice(i, i + 100));
  }

  /** The blob behind an ingestion source id, searched from `now`'s day back through the retention. */
  async find(database: string, sourceId: string, now: Date): Promise<AdxSourceRecord | undefined> {
    await ensureTable(this.table);
    const rowKey = sourceId.toLowerCase();
    // One day ahead too: the worker that posted may run on a clock a little ahead of this one.
    for (let d = -1; d <= this.retentionDays; d++) {
      try {
        const e = await this.table.getEntity<Record<string, unknown>>(partition(database, new Date(now.getTime() - d * DAY_MS)), rowKey);
        return {
          sourceId: rowKey,
          database,
          table: String(e.table ?? ""),
          tag: String(e.tag ?? ""),
          tenantId: String(e.tenantId ?? ""),
          contentType: String(e.contentType ?? ""),
          contentId: String(e.contentId ?? ""),
          contentCreated: new Date(e.contentCreated as string | Date).toISOString(),
          generation: Number(e.generation ?? 0),
          purpose: e.purpose === "failure-record" ? "failure-record" : "rows",
          postedAt: new Date(e.postedAt as string | Date),
        };
      } catch (err) {
        if (statusOf(err) !== 404) throw err;
      }
    }
    return undefined;
  }

  /** Deletes a database's records posted on days before `cutoff`'s. Returns how many. */
  async purge(database: string, cutoff: Date): Promise<number> {
    const prefix = `${encodeKeyPart(database)}|`;
    return deletePartitionRange(this.table, prefix, prefix + day(cutoff));
  }
}
