import type { TableClient, TransactionAction } from "@azure/data-tables";
import { encodeKeyPart } from "./entity-keys";
import { deletePartitionRange, ensureTable, statusOf } from "./storage-account";

/**
 * Which content blobs each queued ADX ingestion holds. ADX reports a failed queued ingestion minutes after the
 * worker moved on, naming only its database, table and ingestion source id; this table turns that id back into the
 * tenant, content type and contentIds whose ledger entries must change (one ingestion holds the rows of a queue
 * message, or of a part of one, for its table: several blobs).
 *
 * Keys: partition `<database>|<YYYYMMDD of posting>`, row = source id, the blobs as a JSON list. One message's sources
 * share a partition, so they are written in one transaction (one storage request per message); a lookup is a point
 * read per day back to the retention; the purge drops whole days.
 */
export const ADX_SOURCES_TABLE = "AuditLakeAdxSources";

/**
 * Why the rows were sent: the blob's own rows, the record of its failure (whose own failure ends in the log), or a
 * back-fill interval's page (contentId = the interval's, contentCreated = its start; no content blob, no ledger entry).
 */
export type SourcePurpose = "rows" | "failure-record" | "backfill";
const PURPOSES: readonly SourcePurpose[] = ["rows", "failure-record", "backfill"];

/** One blob (or back-fill interval) whose rows an ingestion holds. */
export interface SourceBlob {
  tenantId: string;
  contentType: string;
  contentId: string;
  contentCreated: string;
  /** the ledger entry's replay count (a back-fill interval's re-openings) when the rows were sent: a failure of an
   *  older generation was replayed already */
  generation: number;
  purpose: SourcePurpose;
}

export interface AdxSourceRecord {
  sourceId: string;
  database: string;
  table: string;
  blobs: SourceBlob[];
  postedAt: Date;
}

export interface PostedSource {
  table: string;
  sourceId: string;
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

  /** Records the sources of one message's ingestions, each with the blobs it holds; idempotent (upserts). */
  async record(database: string, sources: readonly PostedSource[], blobs: readonly SourceBlob[], now: Date): Promise<void> {
    if (sources.length === 0 || blobs.length === 0) return;
    await ensureTable(this.table);
    const partitionKey = partition(database, now);
    const list = JSON.stringify(blobs.map((b) => [b.tenantId, b.contentType, b.contentId, b.contentCreated, b.generation, b.purpose]));
    const actions: TransactionAction[] = sources.map((s) => [
      "upsert",
      { partitionKey, rowKey: s.sourceId.toLowerCase(), database, table: s.table, blobs: list, postedAt: now },
      "Replace",
    ]);
    // A transaction holds at most 100 operations.
    for (let i = 0; i < actions.length; i += 100) await this.table.submitTransaction(actions.slice(i, i + 100));
  }

  /** The blobs behind an ingestion source id, searched from `now`'s day back through the retention. */
  async find(database: string, sourceId: string, now: Date): Promise<AdxSourceRecord | undefined> {
    await ensureTable(this.table);
    const rowKey = sourceId.toLowerCase();
    // One day ahead too: the worker that posted may run on a clock a little ahead of this one.
    for (let d = -1; d <= this.retentionDays; d++) {
      try {
        const e = await this.table.getEntity<Record<string, unknown>>(partition(database, new Date(now.getTime() - d * DAY_MS)), rowKey);
        const list = JSON.parse(String(e.blobs ?? "[]")) as Array<[string, string, string, string, number, string]>;
        return {
          sourceId: rowKey,
          database,
          table: String(e.table ?? ""),
          blobs: list.map(([tenantId, contentType, contentId, contentCreated, generation, purpose]) => ({
            tenantId,
            contentType,
            contentId,
            contentCreated,
            generation: Number(generation ?? 0),
            purpose: PURPOSES.includes(purpose as SourcePurpose) ? (purpose as SourcePurpose) : "rows",
          })),
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
