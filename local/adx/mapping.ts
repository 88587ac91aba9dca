import { maxValueBytes, type MappingElement, type TableSchema } from "../../kql/catalog";
import { convertValue, MAX_VALUE_BYTES, type StoredValue } from "./conversions";
import { AdxIngestionError } from "./errors";
import { compilePath } from "./json-path";

/** Where a record came from, for the SourceLocation / SourceLineNumber transforms. */
export interface RecordSource {
  location: string;
  line: number;
  /** Length of the record's JSON text: below MAX_VALUE_BYTES/6 no value in it can reach ADX's 1 MB limits. */
  chars: number;
}

interface ColumnReader {
  name: string;
  type: string;
  read(record: unknown, source: RecordSource): StoredValue;
}

/** A JSON ingestion mapping bound to its table: turns one parsed record into one stored row. */
export interface CompiledMapping {
  name: string;
  toRow(record: unknown, source: RecordSource): Record<string, StoredValue>;
}

export interface MappingChoice {
  reference?: string;     // ingestionMappingReference / mappingName
  inline?: string;        // ingestionMapping: a JSON array of column mappings
}

/** Picks the mapping a request names (stored reference, inline definition, or ADX's by-column-name default). */
export function resolveMapping(schema: TableSchema, choice: MappingChoice): CompiledMapping {
  if (choice.reference) {
    const elements = schema.mappings[choice.reference];
    if (!elements) {
      const known = Object.keys(schema.mappings);
      throw new AdxIngestionError(
        "BadRequest_MappingReferenceWasNotFound",
        `Mapping reference '${choice.reference}' of kind 'Json' in table '${schema.name}' could not be found. ` +
          `Known JSON mappings of this table: ${known.length ? known.join(", ") : "none"}. Create it with '.create-or-alter table ${schema.name} ingestion json mapping' (kql/tables) or fix the name.`,
      );
    }
    return compile(schema, choice.reference, elements);
  }
  if (choice.inline) return compile(schema, "(inline)", parseInlineMapping(choice.inline));
  // No mapping: JSON properties map to columns of the same name.
  return compile(schema, "(identity)", schema.columns.map((c) => ({ column: c.name, path: `$['${c.name}']` })));
}

function parseInlineMapping(json: string): MappingElement[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    throw new AdxIngestionError("BadRequest_InvalidMapping", `The inline ingestion mapping is not valid JSON: ${(e as Error).message}.`);
  }
  if (!Array.isArray(parsed)) throw new AdxIngestionError("BadRequest_InvalidMapping", "The inline ingestion mapping must be a JSON array of column mappings.");
  return parsed.map((raw) => {
    const el = (raw ?? {}) as Record<string, unknown>;
    const props = (el.Properties ?? el.properties ?? {}) as Record<string, unknown>;
    return {
      column: String(el.column ?? el.Column ?? el.ColumnName ?? ""),
      datatype: (el.datatype ?? el.DataType ?? el.ColumnType) as string | undefined,
      path: (el.path ?? el.Path ?? props.Path ?? props.path) as string | undefined,
      constValue: (el.ConstValue ?? props.ConstValue) as string | undefined,
      transform: (el.transform ?? el.Transform ?? props.Transform) as string | undefined,
    };
  });
}

// Up to 3 UTF-8 bytes per character, and re-serialising a value can lengthen a number like 1e21 slightly: halve again.
// (The smallest MaxValueSize any encoding policy gives is the default's, so this holds for every column.)
const SMALL_RECORD_CHARS = MAX_VALUE_BYTES / 6;

const UNIX_TRANSFORMS: Record<string, number> = {
  DateTimeFromUnixSeconds: 1000,
  DateTimeFromUnixMilliseconds: 1,
  DateTimeFromUnixMicroseconds: 1 / 1000,
  DateTimeFromUnixNanoseconds: 1 / 1_000_000,
};

function compile(schema: TableSchema, name: string, elements: MappingElement[]): CompiledMapping {
  const types = new Map(schema.columns.map((c) => [c.name, c.type as string]));
  const readers: ColumnReader[] = elements.map((el, i) => {
    if (!el.column) throw new AdxIngestionError("BadRequest_InvalidMapping", `Mapping '${name}' element ${i} has no column name.`);
    // The table's column type wins over the mapping's datatype; a column the table lacks keeps the mapping's type.
    const type = types.get(el.column) ?? el.datatype?.toLowerCase() ?? "string";
    // The column's encoding policy sets how large a string or dynamic value may be (`.alter column … policy encoding`).
    const limit = maxValueBytes(schema.encodings?.[el.column]);
    if (el.constValue !== undefined) {
      const constant = convertValue(type, el.constValue, false, limit);
      return { name: el.column, type, read: () => constant };
    }
    if (el.transform === "SourceLocation") return { name: el.column, type, read: (_r, s) => convertValue(type, s.location, false, limit) };
    if (el.transform === "SourceLineNumber") return { name: el.column, type, read: (_r, s) => convertValue(type, s.line) };
    const get = compilePath(el.path ?? `$['${el.column}']`);
    if (el.transform && el.transform in UNIX_TRANSFORMS) {
      const msPerUnit = UNIX_TRANSFORMS[el.transform];
      return { name: el.column, type, read: (r) => fromUnix(get(r), msPerUnit) };
    }
    if (el.transform) {
      throw new AdxIngestionError("BadRequest_InvalidMapping", `Mapping '${name}' uses transform '${el.transform}', which the ADX emulator does not implement (supported: ${["SourceLocation", "SourceLineNumber", ...Object.keys(UNIX_TRANSFORMS)].join(", ")}).`);
    }
    return { name: el.column, type, read: (r, s) => convertValue(type, get(r), s.chars < SMALL_RECORD_CHARS, limit) };
  });
  const mapped = new Set(readers.map((r) => r.name));
  const unmapped = schema.columns.filter((c) => !mapped.has(c.name)).map((c) => c.name);
  const order = [...schema.columns.map((c) => c.name), ...readers.filter((r) => !types.has(r.name)).map((r) => r.name)];
  return {
    name,
    toRow(record, source) {
      const values = new Map<string, StoredValue>();
      for (const r of readers) values.set(r.name, r.read(record, source));
      for (const c of unmapped) values.set(c, null);
      const row: Record<string, StoredValue> = {};
      for (const c of order) row[c] = values.get(c) ?? null;
      return row;
    },
  };
}

function fromUnix(value: unknown, msPerUnit: number): StoredValue {
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  if (!Number.isFinite(n)) return null;
  const ms = n * msPerUnit;
  if (Math.abs(ms) > 8.64e15) return null;
  return convertValue("datetime", new Date(Math.floor(ms)).toISOString());
}
