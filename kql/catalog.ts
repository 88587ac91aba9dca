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

const CREATE_TABLE = /^\.(?:create-merge|create|create-or-alter)\s+table\s+([A-Za-z_][\w]*)\s*\(([\s\S]*)\)\s*(?:with\s*\([\s\S]*\))?\s*$/i;
const CREATE_MAPPING = /^\.(?:create|create-or-alter)\s+table\s+([A-Za-z_][\w]*)\s+ingestion\s+json\s+mapping\s+(['"])([^'"]+)\2\s+(@?'(?:[^']|'')*'|@?"(?:[^"]|"")*")\s*$/i;

/** Reads `.create-merge table` and `.create-or-alter table ... ingestion json mapping` commands from scripts. */
export function parseTableScripts(scripts: string[]): Catalog {
  const catalog: Catalog = new Map();
  const mappings: Array<{ table: string; name: string; elements: MappingElement[] }> = [];
  for (const script of scripts) {
    for (const command of splitCommands(script)) {
      const table = CREATE_TABLE.exec(command);
      if (table && !/\bingestion\b/i.test(command.split("(")[0])) {
        catalog.set(table[1], { name: table[1], columns: parseColumns(table[1], table[2]), mappings: {} });
        continue;
      }
      const mapping = CREATE_MAPPING.exec(command);
      if (mapping) {
        mappings.push({ table: mapping[1], name: mapping[3], elements: parseMappingElements(mapping[1], mapping[3], unquoteKustoString(mapping[4])) });
      }
    }
  }
  for (const m of mappings) {
    const table = catalog.get(m.table);
    if (!table) throw new Error(`kql: mapping ${m.name} refers to table ${m.table}, which no script creates`);
    table.mappings[m.name] = m.elements;
  }
  return catalog;
}

/** The catalog of the tables this project owns, from kql/tables/*.kql. */
export function loadCatalog(dir: string = TABLES_DIR): Catalog {
  const files = readdirSync(dir).filter((f) => f.endsWith(".kql")).sort();
  return parseTableScripts(files.map((f) => readFileSync(join(dir, f), "utf8")));
}
