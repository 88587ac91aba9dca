// The database the analyser checks against, built from kql/ itself: every table (ours and the reference ones), every
// dedup view (its columns are what its query returns) and every stored function (with its body, so calls resolve and
// their result columns are known). A second, Sentinel-shaped schema holds only what a workspace resolves.
import { parseTableScripts, type Column } from "../catalog";
import { describeCommand, scriptCommands } from "../commands";
import { renderScript, type KqlScript, type ScriptParameters } from "../scripts";
import { kustoLanguage, toArray, type KustoLanguage, type LsGlobals, type LsMember } from "./language-service";

export interface SchemaColumn {
  name: string;
  /** Kusto type name as the analyser reports it (string, long, datetime, dynamic, ...). */
  type: string;
}

export interface TableDefinition {
  name: string;
  columns: SchemaColumn[];
  path: string;
  /** A table we read but do not own (EmailEvents, OfficeActivity). */
  reference: boolean;
}

export interface ViewDefinition {
  name: string;
  source: string;
  query: string;
  columns: SchemaColumn[];
  path: string;
  line: number;
}

export interface FunctionDefinition {
  name: string;
  parameters: string;
  body: string;
  docstring?: string;
  folder?: string;
  path: string;
  line: number;
}

export interface KqlSchema {
  tables: Map<string, TableDefinition>;
  views: Map<string, ViewDefinition>;
  functions: Map<string, FunctionDefinition>;
  /** ADX: tables, views, functions, reference tables. */
  adx: LsGlobals;
  /** Sentinel: the dedup views (workspace functions named like them) and the reference tables; no ADX functions. */
  sentinel: LsGlobals;
}

export const ANALYSIS_DATABASE = "audit";

/** `(['a']:string, ['b']:long)`: the column-list syntax the symbol factories read. */
export function columnList(columns: SchemaColumn[]): string {
  return `(${columns.map((c) => `['${c.name.replace(/'/g, "\\'")}']:${c.type}`).join(", ")})`;
}

function fromCatalog(columns: Column[]): SchemaColumn[] {
  return columns.map((c) => ({ name: c.name, type: c.type }));
}

/** Builds both schemas from the scripts (rendered with the given parameters). */
export function buildSchema(scripts: KqlScript[], parameters: Partial<ScriptParameters> = {}, ls: KustoLanguage = kustoLanguage()): KqlSchema {
  const tables = new Map<string, TableDefinition>();
  const views = new Map<string, ViewDefinition>();
  const functions = new Map<string, FunctionDefinition>();

  for (const script of scripts) {
    if (script.kind === "function") continue;
    // table definitions only: a broken mapping is the mapping check's finding, not a reason to lose the table
    const definitions = scriptCommands(renderScript(script.text, parameters)).filter((c) => describeCommand(c.text).kind === "table");
    for (const definition of definitions) {
      let catalog;
      try {
        catalog = parseTableScripts([definition.text]);
      } catch {
        continue; // an unreadable column list: the command's own analysis reports it (KS005)
      }
      for (const table of catalog.values()) {
        tables.set(table.name, { name: table.name, columns: fromCatalog(table.columns), path: script.path, reference: script.kind === "reference" });
      }
    }
  }
  const tableMembers = [...tables.values()].map((t) => ls.table(t.name, columnList(t.columns)));
  const tablesOnly = ls.globals(ANALYSIS_DATABASE, tableMembers);

  for (const script of scripts) {
    for (const command of scriptCommands(renderScript(script.text, parameters))) {
      const info = describeCommand(command.text);
      if (info.kind === "materialized-view") {
        const result = ls.analyse(info.query, tablesOnly).ResultType;
        const columns = toArray(result?.Columns).map((c) => ({ name: c.Name, type: c.Type.Name }));
        views.set(info.name, { name: info.name, source: info.source, query: info.query, columns, path: script.path, line: command.line });
      } else if (info.kind === "function") {
        functions.set(info.name, {
          name: info.name,
          parameters: info.parameters,
          body: info.body,
          docstring: info.docstring,
          folder: info.folder,
          path: script.path,
          line: command.line,
        });
      }
    }
  }

  const viewMembers: LsMember[] = [...views.values()].map((v) => ls.materializedView(v.name, columnList(v.columns), v.query, `dedup view of ${v.source}`));
  const functionMembers: LsMember[] = [...functions.values()].map((f) => ls.func(f.name, f.parameters, f.body, f.docstring ?? ""));
  const adx = ls.globals(ANALYSIS_DATABASE, [...tableMembers, ...viewMembers, ...functionMembers]);

  // In Sentinel each dedup view is reached through a parameterless workspace function of the same name: a table shape.
  const sentinelMembers = [
    ...[...views.values()].map((v) => ls.table(v.name, columnList(v.columns))),
    ...[...tables.values()].filter((t) => t.reference).map((t) => ls.table(t.name, columnList(t.columns))),
  ];
  const sentinel = ls.globals(ANALYSIS_DATABASE, sentinelMembers);
  return { tables, views, functions, adx, sentinel };
}
