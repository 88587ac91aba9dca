import type { Catalog, TableSchema } from "../../kql/catalog";
import { AdxIngestionError } from "./errors";
import { resolveMapping, type CompiledMapping, type MappingChoice } from "./mapping";
import { decodeData, parseRecords } from "./records";
import type { AdxStore, Extent, Row, SealReason } from "./store";

/** One batch to ingest, however it arrived (a streaming request or a queued blob). */
export interface IngestionRequest {
  database: string;
  table: string;
  format: string;
  mapping: MappingChoice;
  data: Buffer;              // raw or gzip
  tags: string[];            // extent tags, already prefixed ("ingest-by:x", "drop-by:y", plain ones)
  ingestIfNotExists: string[];
  sourceLocation: string;    // for the SourceLocation transform
  mode: Extent["mode"];
  sourceId: string | null;
}

export type IngestionOutcome =
  | { status: "ingested"; extent: Extent }
  | { status: "skipped"; tag: string; reason: string };

/** The part of ADX that turns a batch into an extent: target checks, mapping, conversions, tags. */
export class AdxIngestion {
  private readonly mappings = new Map<string, CompiledMapping>();

  constructor(
    private readonly catalog: Catalog,
    private readonly databases: Set<string>,
    private readonly store: AdxStore,
  ) {}

  /** The table schema, or the permanent error ADX gives for an unknown database or table. */
  target(database: string, table: string): TableSchema {
    if (!this.databases.has(database)) {
      throw new AdxIngestionError(
        "BadRequest_DatabaseNotExist",
        `Database '${database}' does not exist. The emulator holds: ${[...this.databases].join(", ") || "none"}. Check the tenant's "database" setting.`,
      );
    }
    const schema = this.catalog.get(table);
    if (!schema) {
      throw new AdxIngestionError(
        "BadRequest_TableNotExist",
        `Table '${table}' does not exist in database '${database}'. Known tables: ${[...this.catalog.keys()].join(", ")}. Create it in kql/tables or fix the table name.`,
      );
    }
    return schema;
  }

  /** Validates the target and mapping without data (streaming checks these before reading the body). */
  mappingFor(database: string, table: string, choice: MappingChoice): CompiledMapping {
    const schema = this.target(database, table);
    if (choice.inline) return resolveMapping(schema, choice);
    const k = `${table}\u0000${choice.reference ?? ""}`;
    let compiled = this.mappings.get(k);
    if (!compiled) this.mappings.set(k, (compiled = resolveMapping(schema, choice)));
    return compiled;
  }

  /** Whether an extent already carries the ingest-by tag of one of `ingestIfNotExists` (ADX then skips the ingestion). */
  existingTag(req: Pick<IngestionRequest, "database" | "table" | "ingestIfNotExists">): string | undefined {
    return req.ingestIfNotExists.find((tag) => this.store.hasTag(req.database, req.table, `ingest-by:${tag}`));
  }

  /** The rows one ingestion holds, through its mapping; the failures ADX reports for this source alone. */
  rows(req: IngestionRequest): Row[] {
    const mapping = this.mappingFor(req.database, req.table, req.mapping);
    const records = parseRecords(decodeData(req.data), req.format);
    if (records.length === 0) {
      throw new AdxIngestionError("BadRequest_NoRecordsOrWrongFormat", `The data for ${req.database}.${req.table} is empty or holds no ${req.format} records. Do not send empty batches.`);
    }
    return records.map((r, i) => mapping.toRow(r.value, { location: req.sourceLocation, line: i + 1, chars: r.chars }));
  }

  /** One ingestion made its own extent at once: streaming, or a queued ingestion that ADX does not batch (see QueuedIngestion). */
  ingest(req: IngestionRequest, sealedBy: SealReason): IngestionOutcome {
    this.mappingFor(req.database, req.table, req.mapping);
    const existing = this.existingTag(req);
    if (existing !== undefined) {
      this.store.counters.skippedIngestIfNotExists++;
      return { status: "skipped", tag: existing, reason: `an extent tagged 'ingest-by:${existing}' already exists in ${req.database}.${req.table}` };
    }
    const rows = this.rows(req);
    const extent = this.store.appendExtent(req.database, req.table, rows, { tags: req.tags, mode: req.mode, sourceId: req.sourceId, sealedBy });
    return { status: "ingested", extent };
  }
}

/**
 * Reads a tag-list ingestion property as ADX does: text holding a JSON array of strings. The Node SDK forwards
 * `ingestIfNotExists` untouched, so an array (instead of JSON.stringify([tag])) would reach the service as a non-string
 * property; the emulator refuses it rather than let the mistake pass.
 */
export function parseTagList(value: unknown, property: string): string[] {
  if (value === undefined || value === null || value === "") return [];
  const wrong = () =>
    new AdxIngestionError(
      "BadRequest_InvalidIngestionProperty",
      `Ingestion property '${property}' must be text holding a JSON array of strings, e.g. JSON.stringify(["tag"]); got ${JSON.stringify(value)}.`,
    );
  if (typeof value !== "string") throw wrong();
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw wrong();
  }
  if (!Array.isArray(parsed) || !parsed.every((t) => typeof t === "string")) throw wrong();
  return parsed;
}
