// The JSON ingestion mappings against their tables: the engine sends flat rows keyed by column name, so each table has
// one mapping `<table>_json` whose every element reads `$.Column` into a column of the same name and type, and every
// column is fed by it — or documented in the script as computed (`// computed: Column — why`).
import { parseTableScripts, type Column, type MappingElement } from "../catalog";
import { describeCommand, scriptCommands } from "../commands";
import { jsonMappingName } from "../tables";
import type { Problem } from "./diagnostics";

// Mapping datatypes ADX accepts for a column type.
const COMPATIBLE: Record<string, string[]> = {
  string: ["string"],
  datetime: ["datetime", "date"],
  guid: ["guid", "uniqueid"],
  bool: ["bool", "boolean"],
  int: ["int"],
  long: ["long"],
  real: ["real", "double"],
  decimal: ["decimal"],
  dynamic: ["dynamic"],
  timespan: ["timespan", "time"],
};

function problem(line: number, code: string, message: string): Problem {
  return { line, column: 1, code, severity: "error", message };
}

/** Columns a script documents as computed rather than mapped: `// computed: Column — reason`. */
export function computedColumns(script: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of script.matchAll(/^\s*\/\/\s*computed:\s*([A-Za-z_]\w*)\s*(?:—|-|:)\s*(.+)$/gm)) out.set(m[1], m[2].trim());
  return out;
}

/** Problems in the mappings of the tables a (rendered) script creates. */
export function checkMappings(script: string): Problem[] {
  const problems: Problem[] = [];
  const commands = scriptCommands(script);
  const tables = new Map<string, { columns: Column[]; line: number }>();
  const mappings: Array<{ table: string; mapping: string; line: number; elements?: MappingElement[] }> = [];

  for (const command of commands) {
    const info = describeCommand(command.text);
    try {
      if (info.kind === "table") {
        for (const t of parseTableScripts([command.text]).values()) tables.set(t.name, { columns: t.columns, line: command.line });
      } else if (info.kind === "mapping") {
        mappings.push({ table: info.table, mapping: info.mapping, line: command.line });
      }
    } catch (e) {
      problems.push(problem(command.line, "ASSET-TABLE", (e as Error).message));
    }
  }
  for (const m of mappings) {
    const table = tables.get(m.table);
    if (!table) {
      problems.push(problem(m.line, "MAPPING-TABLE", `mapping ${m.mapping} is for table ${m.table}, which this script does not create; put the mapping beside its table.`));
      continue;
    }
    const command = commands.find((c) => c.line === m.line)!;
    const header = commands.filter((c) => describeCommand(c.text).kind === "table" && c.line === table.line).map((c) => c.text);
    try {
      m.elements = parseTableScripts([...header, command.text]).get(m.table)!.mappings[m.mapping];
    } catch (e) {
      problems.push(problem(m.line, "MAPPING-JSON", (e as Error).message));
    }
  }

  const computed = computedColumns(script);
  for (const [name, table] of tables) {
    const expected = jsonMappingName(name);
    const own = mappings.filter((m) => m.table === name);
    for (const m of own) {
      if (m.mapping !== expected) problems.push(problem(m.line, "MAPPING-NAME", `table ${name} has a mapping named ${m.mapping}; the engine and the ADX emulator use exactly one, named ${expected}.`));
    }
    const mapping = own.find((m) => m.mapping === expected);
    if (!mapping) {
      problems.push(problem(table.line, "MAPPING-MISSING", `table ${name} has no JSON ingestion mapping ${expected}; add '.create-or-alter table ${name} ingestion json mapping '${expected}' ...'.`));
      continue;
    }
    if (!mapping.elements) continue;
    const columns = new Map(table.columns.map((c) => [c.name, c]));
    const fed = new Set<string>();
    for (const el of mapping.elements) {
      const column = columns.get(el.column);
      if (!column) {
        // queued ingestion would silently add this column to the table: never let a mapping grow the schema
        problems.push(problem(mapping.line, "MAPPING-COLUMN", `${expected} maps '${el.column}', which is not a column of ${name}.`));
        continue;
      }
      if (fed.has(el.column)) problems.push(problem(mapping.line, "MAPPING-DUPLICATE", `${expected} maps column '${el.column}' twice.`));
      fed.add(el.column);
      const datatype = (el.datatype ?? "").toLowerCase();
      if (datatype && !COMPATIBLE[column.type].includes(datatype)) {
        problems.push(problem(mapping.line, "MAPPING-TYPE", `${expected} reads '${el.column}' as ${datatype}, but the column is ${column.type}.`));
      }
      const flatPaths = [`$.${el.column}`, `$['${el.column}']`, `$["${el.column}"]`];
      if (el.constValue !== undefined || el.transform !== undefined || !el.path || !flatPaths.includes(el.path)) {
        problems.push(
          problem(mapping.line, "MAPPING-PATH", `${expected} feeds '${el.column}' from ${el.path ?? el.constValue ?? el.transform ?? "nothing"}; rows are flat objects keyed by column name, so the path must be $.${el.column}.`),
        );
      }
    }
    for (const c of table.columns) {
      if (!fed.has(c.name) && !computed.has(c.name)) {
        problems.push(problem(table.line, "MAPPING-UNFED", `column ${name}.${c.name} is neither in ${expected} nor documented as computed ('// computed: ${c.name} — why').`));
      }
    }
    for (const c of computed.keys()) {
      if (!columns.has(c)) problems.push(problem(table.line, "MAPPING-COMPUTED", `'// computed: ${c}' names no column of ${name}.`));
    }
  }
  return problems;
}
