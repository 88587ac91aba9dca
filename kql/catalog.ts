import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

export type KustoType = "string" | "datetime" | "guid" | "bool" | "int" | "long" | "real" | "decimal" | "dynamic" | "timespan";

export interface Column {
  name: string;
  type: KustoType;
}

export interface MappingElement {
  column: string;
  datatype?: string;
  path?: string;
  constValue?: string;
  transform?: string;
}

export interface TableSchema {
  name: string;
  columns: Column[];
  /** mapping name → elements (JSON ingestion mappings only) */
  mappings: Record<string, MappingElement[]>;
  /** column → encoding policy profile set by `.alter column T.C policy encoding type = '…'`; absent: the default */
  encodings?: Record<string, EncodingPolicyType>;
  /** `.alter table T policy ingestionbatching`: when queued ingestion seals a batch; absent: ADX's defaults */
  ingestionBatching?: IngestionBatchingPolicy;
  /** `.alter table T policy streamingingestion enable`: without it ADX refuses streaming ingestion to the table */
  streamingIngestion?: boolean;
}

/** When ADX seals a batch of queued ingestions into one extent: whichever limit is reached first. */
export interface IngestionBatchingPolicy {
  maxBatchingTimeMs: number;
  maxItems: number;
  maxRawBytes: number;
}

/** ADX's defaults when a table (and its database) sets no batching policy: 5 minutes, 1,000 items, 1 GB raw. */
export const DEFAULT_INGESTION_BATCHING: IngestionBatchingPolicy = { maxBatchingTimeMs: 5 * 60_000, maxItems: 1000, maxRawBytes: 1024 * 1024 * 1024 };

/** ADX's column encoding policy profiles (`.alter column … policy encoding type = '…'`). */
export type EncodingPolicyType = "Identifier" | "BigObject" | "BigObject32" | "BigObjectIndexed32" | "Vector16";

const ENCODING_POLICY_TYPES = new Set<string>(["Identifier", "BigObject", "BigObject32", "BigObjectIndexed32", "Vector16"]);

/** ADX's default MaxValueSize: a longer string is truncated, a larger dynamic value stored as NULL. */
export const DEFAULT_MAX_VALUE_BYTES = 1024 * 1024;

/** The MaxValueSize a column's encoding profile gives its string and dynamic values (ADX: BigObject 2 MB, BigObject32 32 MB). */
export function maxValueBytes(encoding: EncodingPolicyType | undefined): number {
  if (encoding === "BigObject") return 2 * 1024 * 1024;
  if (encoding === "BigObject32" || encoding === "BigObjectIndexed32") return 32 * 1024 * 1024;
  return DEFAULT_MAX_VALUE_BYTES;
}

export interface ColumnEncoding {
  table: string;
  column: string;
  /** null: the command resets the column to the default policy (`type = 'Null'` or no type) */
  type: EncodingPolicyType | null;
}

// `.alter column [db.]T.C policy encoding [type = 'X']` — the database prefix is optional, the type too (no type resets).
const ALTER_ENCODING = /^\.alter\s+column\s+(?:[A-Za-z_]\w*\.)?([A-Za-z_]\w*)\.([A-Za-z_]\w*)\s+policy\s+encoding\b(?:\s+type\s*=\s*(['"])(\w+)\3)?\s*$/i;

/** Reads the `.alter column … policy encoding` commands of scripts, in order (a later command overrides an earlier one). */
export function parseColumnEncodings(scripts: string[]): ColumnEncoding[] {
  const encodings: ColumnEncoding[] = [];
  for (const script of scripts) {
    for (const command of splitCommands(script)) {
      const m = ALTER_ENCODING.exec(command);
      if (!m) continue;
      const raw = m[4];
      if (raw === undefined || raw.toLowerCase() === "null") {
        encodings.push({ table: m[1], column: m[2], type: null });
        continue;
      }
      const type = [...ENCODING_POLICY_TYPES].find((t) => t.toLowerCase() === raw.toLowerCase());
      if (!type) throw new Error(`kql: column ${m[1]}.${m[2]} has unknown encoding policy type '${raw}' (known: ${[...ENCODING_POLICY_TYPES].join(", ")}, Null)`);
      encodings.push({ table: m[1], column: m[2], type: type as EncodingPolicyType });
    }
  }
  return encodings;
}

export type Catalog = Map<string, TableSchema>;

export const TABLES_DIR = join(__dirname, "tables");

const KUSTO_TYPES = new Set<string>(["string", "datetime", "guid", "bool", "int", "long", "real", "decimal", "dynamic", "timespan"]);
// ADX accepts these aliases in table definitions.
const TYPE_ALIASES: Record<string, KustoType> = { boolean: "bool", date: "datetime", double: "real", uniqueid: "guid", time: "timespan" };

/** Splits a script into control commands: each starts with a line beginning with '.'; `//` comment lines are dropped. */
export function splitCommands(script: string): string[] {
  const commands: string[] = [];
  let current: string[] | undefined;
  for (const line of script.split(/\r?\n/)) {
    if (/^\s*\/\//.test(line)) continue;
    if (line.startsWith(".")) {
      if (current) commands.push(current.join("\n").trim());
      current = [line];
    } else if (current) {
      current.push(line);
    }
  }
  if (current) commands.push(current.join("\n").trim());
  return commands.filter((c) => c.length > 0);
}

function parseColumns(table: string, body: string): Column[] {
  return body
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => {
      const m = /^\[?'?([A-Za-z_][\w]*)'?\]?\s*:\s*([A-Za-z]+)$/.exec(part);
      if (!m) throw new Error(`kql: cannot read column definition '${part}' of table ${table}`);
      const raw = m[2].toLowerCase();
      const type = (TYPE_ALIASES[raw] ?? raw) as KustoType;
      if (!KUSTO_TYPES.has(type)) throw new Error(`kql: column ${table}.${m[1]} has unknown type '${m[2]}'`);
      return { name: m[1], type };
    });
}

function unquoteKustoString(literal: string): string {
  const verbatim = literal.startsWith("@");
  const quote = literal[verbatim ? 1 : 0];
  const inner = literal.slice(verbatim ? 2 : 1, -1);
  if (verbatim) return inner.split(quote + quote).join(quote);
  return inner.replace(/\\(.)/g, "$1");
}

function parseMappingElements(table: string, mapping: string, json: string): MappingElement[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    throw new Error(`kql: mapping ${mapping} of table ${table} is not valid JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new Error(`kql: mapping ${mapping} of table ${table} must be a JSON array`);
  return parsed.map((raw, i) => {
    const el = raw as Record<string, unknown>;
    const props = (el.Properties ?? el.properties ?? {}) as Record<string, unknown>;
    const column = (el.column ?? el.Column) as string | undefined;
    if (typeof column !== "string") throw new Error(`kql: mapping ${mapping} element ${i} has no column`);
    return {
      column,
      datatype: (el.datatype ?? el.DataType) as string | undefined,
      path: (el.path ?? el.Path ?? props.Path ?? props.path) as string | undefined,
      constValue: (el.ConstValue ?? props.ConstValue) as string | undefined,
      transform: (el.transform ?? el.Transform ?? props.Transform) as string | undefined,
    };
  });
}

const ALTER_BATCHING = /^\.alter\s+table\s+([A-Za-z_][\w]*)\s+policy\s+ingestionbatching\s+(@?'(?:[^']|'')*'|@?"(?:[^"]|"")*"|```[\s\S]*```)\s*$/i;
const ALTER_STREAMING = /^\.alter\s+table\s+([A-Za-z_][\w]*)\s+policy\s+streamingingestion\s+(enable|disable)\s*$/i;

/** Reads a batching policy object as ADX does: MaximumBatchingTimeSpan (hh:mm:ss), MaximumNumberOfItems, MaximumRawDataSizeMB. */
export function parseIngestionBatching(table: string, text: string): IngestionBatchingPolicy {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`kql: the ingestion batching policy of table ${table} is not valid JSON: ${(e as Error).message}`);
  }
  const span = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})$/.exec(String(raw.MaximumBatchingTimeSpan ?? ""));
  const items = Number(raw.MaximumNumberOfItems);
  const mb = Number(raw.MaximumRawDataSizeMB);
  if (!span || !Number.isInteger(items) || items < 1 || !Number.isInteger(mb) || mb < 1) {
    throw new Error(
      `kql: the ingestion batching policy of table ${table} needs MaximumBatchingTimeSpan ("hh:mm:ss"), MaximumNumberOfItems and MaximumRawDataSizeMB (positive integers); got ${text}`,
    );
  }
  const [, days, h, m, sec] = span;
  const ms = (((Number(days ?? 0) * 24 + Number(h)) * 60 + Number(m)) * 60 + Number(sec)) * 1000;
  return { maxBatchingTimeMs: ms, maxItems: items, maxRawBytes: mb * 1024 * 1024 };
}

const CREATE_TABLE = /^\.(?:create-merge|create|create-or-alter)\s+table\s+([A-Za-z_][\w]*)\s*\(([\s\S]*)\)\s*(?:with\s*\([\s\S]*\))?\s*$/i;
const CREATE_MAPPING = /^\.(?:create|create-or-alter)\s+table\s+([A-Za-z_][\w]*)\s+ingestion\s+json\s+mapping\s+(['"])([^'"]+)\2\s+(@?'(?:[^']|'')*'|@?"(?:[^"]|"")*")\s*$/i;

/**
 * Reads `.create-merge table`, `.create-or-alter table ... ingestion json mapping`, `.alter column ... policy encoding` and
 * the `.alter table ... policy ingestionbatching|streamingingestion`
 * commands from scripts.
 */
export function parseTableScripts(scripts: string[]): Catalog {
  const catalog: Catalog = new Map();
  const mappings: Array<{ table: string; name: string; elements: MappingElement[] }> = [];
  const policies: Array<{ table: string; policy: Partial<TableSchema> }> = [];
  for (const script of scripts) {
    for (const command of splitCommands(script)) {
      const table = CREATE_TABLE.exec(command);
      if (table && !/\bingestion\b/i.test(command.split("(")[0])) {
        catalog.set(table[1], { name: table[1], columns: parseColumns(table[1], table[2]), mappings: {} });
        continue;
      }
      const batching = ALTER_BATCHING.exec(command);
      if (batching) {
        const literal = batching[2];
        const text = literal.startsWith("```") ? literal.slice(3, -3) : unquoteKustoString(literal);
        policies.push({ table: batching[1], policy: { ingestionBatching: parseIngestionBatching(batching[1], text) } });
        continue;
      }
      const streaming = ALTER_STREAMING.exec(command);
      if (streaming) {
        policies.push({ table: streaming[1], policy: { streamingIngestion: streaming[2].toLowerCase() === "enable" } });
        continue;
      }
      const mapping = CREATE_MAPPING.exec(command);
      if (mapping) {
        mappings.push({ table: mapping[1], name: mapping[3], elements: parseMappingElements(mapping[1], mapping[3], unquoteKustoString(mapping[4])) });
      }
    }
  }
  for (const { table, policy } of policies) {
    const schema = catalog.get(table);
    if (!schema) throw new Error(`kql: a table policy refers to table ${table}, which no script creates`);
    Object.assign(schema, policy);
  }
  for (const m of mappings) {
    const table = catalog.get(m.table);
    if (!table) throw new Error(`kql: mapping ${m.name} refers to table ${m.table}, which no script creates`);
    table.mappings[m.name] = m.elements;
  }
  for (const e of parseColumnEncodings(scripts)) {
    const table = catalog.get(e.table);
    if (!table) throw new Error(`kql: an encoding policy refers to table ${e.table}, which no script creates`);
    if (!table.columns.some((c) => c.name === e.column)) throw new Error(`kql: an encoding policy refers to column ${e.table}.${e.column}, which the table does not have`);
    const encodings = (table.encodings ??= {});
    if (e.type) encodings[e.column] = e.type;
    else delete encodings[e.column];
  }
  return catalog;
}

/** The catalog of the tables this project owns, from kql/tables/*.kql. */
export function loadCatalog(dir: string = TABLES_DIR): Catalog {
  const files = readdirSync(dir).filter((f) => f.endsWith(".kql")).sort();
  return parseTableScripts(files.map((f) => readFileSync(join(dir, f), "utf8")));
}
