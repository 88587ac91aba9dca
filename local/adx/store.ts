import { randomUUID } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { StoredValue } from "./conversions";

/** One ingestion's worth of rows in a table, with the extent tags ADX keeps for it. */
export interface Extent {
  extentId: string;
  tags: string[];          // e.g. "ingest-by:<contentId>", "drop-by:x", additional tags
  rowCount: number;
  firstRow: number;        // index of its first row in <table>.jsonl
  ingestedAt: string;      // ISO
  mode: "streaming" | "queued";
  sourceId: string | null; // the SDK's ingestion source id (queued) or client request id (streaming)
}

/** What the emulator counted since it started (or since the data folder was first used, for rows/extents). */
export interface AdxCounters {
  streamingRequests: number;
  queuedMessages: number;
  extents: number;
  rowsIngested: number;
  skippedIngestIfNotExists: number;
  permanentFailures: number;
  transientFailures: number;
  injectedPermanent: number;
  injectedTransient: number;
  failureMessagesPosted: number;
  successMessagesPosted: number;
}

export type Row = Record<string, StoredValue>;

/** Why a batch of queued ingestions became an extent (ADX names the same reasons in its batching metrics). */
export type SealReason = "Time" | "Count" | "Size" | "SingleBlob_IngestIfNotExists" | "SingleBlob_IngestByTag" | "Flush" | "Streaming";

/** Per table: ingestions accepted (queued messages or streaming requests), extents made and why they were sealed. */
export interface TableFigures {
  database: string;
  table: string;
  ingestions: number;
  extents: number;
  rows: number;
  sealedBy: Partial<Record<SealReason, number>>;
}

/**
 * The ADX emulator's tables: rows per database and table as JSON lines in `<dir>/<db>/<table>.jsonl`, and each
 * extent (one per successful ingestion) in `<dir>/<db>/<table>.extents.jsonl` with its tags, so a row's tags are
 * found through the extent whose [firstRow, firstRow+rowCount) range holds it. Data already in the folder is loaded,
 * so tags keep deduplicating across restarts.
 */
export class AdxStore {
  private readonly extentsByTable = new Map<string, Extent[]>();
  private readonly tagsByTable = new Map<string, Set<string>>();
  private readonly rowCounts = new Map<string, number>();
  private readonly figuresByTable = new Map<string, TableFigures>();
  private idleProbe: () => Promise<void> = async () => {};
  readonly counters: AdxCounters = {
    streamingRequests: 0,
    queuedMessages: 0,
    extents: 0,
    rowsIngested: 0,
    skippedIngestIfNotExists: 0,
    permanentFailures: 0,
    transientFailures: 0,
    injectedPermanent: 0,
    injectedTransient: 0,
    failureMessagesPosted: 0,
    successMessagesPosted: 0,
  };

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.loadExisting();
  }

  /** The stored rows of a table, in ingestion order (empty when nothing landed). */
  rows(db: string, table: string): Row[] {
    const file = this.rowsFile(db, table);
    if (!existsSync(file)) return [];
    const text = readFileSync(file, "utf8");
    const rows: Row[] = [];
    let start = 0;
    for (;;) {
      const end = text.indexOf("\n", start);
      if (end < 0) break;
      rows.push(JSON.parse(text.slice(start, end)));
      start = end + 1;
    }
    return rows;
  }

  /** Rows with the tags of the extent that holds them. */
  taggedRows(db: string, table: string): Array<{ row: Row; tags: string[]; extentId: string }> {
    const rows = this.rows(db, table);
    const result: Array<{ row: Row; tags: string[]; extentId: string }> = [];
    for (const extent of this.extents(db, table)) {
      for (let i = extent.firstRow; i < extent.firstRow + extent.rowCount && i < rows.length; i++) {
        result.push({ row: rows[i], tags: extent.tags, extentId: extent.extentId });
      }
    }
    return result;
  }

  extents(db: string, table: string): Extent[] {
    return [...(this.extentsByTable.get(key(db, table)) ?? [])];
  }

  /** Whether any extent of the table carries this exact tag (e.g. "ingest-by:abc"). */
  hasTag(db: string, table: string, tag: string): boolean {
    return this.tagsByTable.get(key(db, table))?.has(tag) ?? false;
  }

  /** Databases and tables that hold data. */
  tables(): Array<{ database: string; table: string; rows: number }> {
    return [...this.rowCounts.entries()].map(([k, rows]) => {
      const [database, table] = k.split("\u0000");
      return { database, table, rows };
    });
  }

  /** Ingestions, extents and seal reasons per table since the emulator started (what the bench prints). */
  tableFigures(): TableFigures[] {
    return [...this.figuresByTable.values()].map((f) => ({ ...f, sealedBy: { ...f.sealedBy } }));
  }

  /** @internal one more ingestion accepted for the table (queued message or streaming request) */
  countIngestion(db: string, table: string): void {
    this.figures(db, table).ingestions++;
  }

  private figures(db: string, table: string): TableFigures {
    const k = key(db, table);
    let f = this.figuresByTable.get(k);
    if (!f) this.figuresByTable.set(k, (f = { database: db, table, ingestions: 0, extents: 0, rows: 0, sealedBy: {} }));
    return f;
  }

  /**
   * Resolves once the aggregation queue is empty, every open batch is sealed into its extent and no ingestion is in
   * flight: what waiting out the tables' batching time would give, without the wait (a run's "seal now").
   */
  idle(): Promise<void> {
    return this.idleProbe();
  }

  /** The file holding a table's rows (it may not exist yet). */
  rowsFile(db: string, table: string): string {
    return join(this.dir, db, `${table}.jsonl`);
  }

  /** @internal the emulator wires its queue's drain state here */
  setIdleProbe(probe: () => Promise<void>): void {
    this.idleProbe = probe;
  }

  /** @internal appends one extent: rows first, then its extent line (a crash in between leaves untagged rows, never tags without rows) */
  appendExtent(db: string, table: string, rows: Row[], meta: { tags: string[]; mode: Extent["mode"]; sourceId: string | null; sealedBy: SealReason }): Extent {
    return this.appendExtentLines(db, table, rows.map((r) => JSON.stringify(r) + "\n").join(""), rows.length, meta);
  }

  /** @internal appendExtent with the rows already as JSON lines (each ending in a newline), in pieces written in order */
  appendExtentLines(db: string, table: string, lines: string | readonly string[], rowCount: number, meta: { tags: string[]; mode: Extent["mode"]; sourceId: string | null; sealedBy: SealReason }): Extent {
    const k = key(db, table);
    mkdirSync(join(this.dir, db), { recursive: true });
    const firstRow = this.rowCounts.get(k) ?? 0;
    const extent: Extent = {
      extentId: randomUUID(),
      tags: meta.tags,
      rowCount,
      firstRow,
      ingestedAt: new Date().toISOString(),
      mode: meta.mode,
      sourceId: meta.sourceId,
    };
    for (const piece of typeof lines === "string" ? [lines] : lines) appendFileSync(this.rowsFile(db, table), piece);
    appendFileSync(join(this.dir, db, `${table}.extents.jsonl`), JSON.stringify(extent) + "\n");
    this.remember(k, extent);
    this.counters.extents++;
    this.counters.rowsIngested += rowCount;
    const f = this.figures(db, table);
    f.extents++;
    f.rows += rowCount;
    f.sealedBy[meta.sealedBy] = (f.sealedBy[meta.sealedBy] ?? 0) + 1;
    return extent;
  }

  private remember(k: string, extent: Extent): void {
    let list = this.extentsByTable.get(k);
    if (!list) this.extentsByTable.set(k, (list = []));
    list.push(extent);
    let tags = this.tagsByTable.get(k);
    if (!tags) this.tagsByTable.set(k, (tags = new Set()));
    for (const t of extent.tags) tags.add(t);
    this.rowCounts.set(k, extent.firstRow + extent.rowCount);
  }

  private loadExisting(): void {
    for (const db of readdirSync(this.dir, { withFileTypes: true })) {
      if (!db.isDirectory()) continue;
      for (const file of readdirSync(join(this.dir, db.name))) {
        if (!file.endsWith(".extents.jsonl")) continue;
        const table = file.slice(0, -".extents.jsonl".length);
        const text = readFileSync(join(this.dir, db.name, file), "utf8");
        for (const line of text.split("\n")) {
          if (line.trim()) this.remember(key(db.name, table), JSON.parse(line) as Extent);
        }
        // Rows written just before a crash have no extent line; new rows still go after them.
        const rowsFile = this.rowsFile(db.name, table);
        if (existsSync(rowsFile)) {
          const lines = readFileSync(rowsFile, "utf8").split("\n").length - 1;
          this.rowCounts.set(key(db.name, table), lines);
        }
      }
    }
  }
}

function key(db: string, table: string): string {
  return `${db}\u0000${table}`;
}
