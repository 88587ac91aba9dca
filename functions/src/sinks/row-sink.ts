// What the use cases need of the sinks: the sinks own these contracts (AdxSink and SentinelSink satisfy them), so the
// worker, the ADX failure settlement and a back-fill land rows without knowing which SDK carries them.
import type { RowChunk } from "./row-chunks";

type Rows = Record<string, unknown>[];

/** What a queued ingestion reports once accepted: its source ids, in case ADX reports a failure later. */
export type IngestReport = { sources?: ReadonlyArray<{ sourceId: string }> } | void;

/** Rows compressed as they come, into chunks the same sink's `ingestChunks` takes. */
export interface RowWriter {
  readonly heldBytes: number;
  write(rows: readonly Record<string, unknown>[]): Promise<void>;
  finish(): Promise<RowChunk[]>;
}

/** Azure Data Explorer, the system of record. */
export interface RowSink {
  /** Resolves once ADX accepted the rows; queued ingestions name their source ids, in case ADX reports a failure later. */
  ingestRows(database: string, table: string, rows: Rows): Promise<IngestReport>;
  /** A writer that compresses rows as they come, for `ingestChunks`. */
  rowWriter(): RowWriter;
  ingestChunks(database: string, table: string, chunks: readonly RowChunk[]): Promise<IngestReport>;
}

/** Sentinel's copy of the mail-access rows (the Logs Ingestion API), for its analytics rules. */
export interface MailAccessForwarder {
  send(rows: Rows): Promise<unknown>;
}
