// Every KQL asset of the project checked in one pass: table scripts (commands, dedup views, mappings), reference
// schemas, stored functions (bodies, documentation, result columns) and hunting queries (format, ATT&CK, analysis
// against what a Sentinel workspace resolves, entity columns in the result). Used by the tests and by kql:check.
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describeCommand, scriptCommands } from "../commands";
import { parseHuntingQuery, type HuntingQuery } from "../hunting";
import { KQL_DIR, loadScripts, renderScript, type KqlScript, type KqlScriptKind, type ScriptParameters } from "../scripts";
import { Tables, dedupViewName } from "../tables";
import { checkAlertQueries } from "./alert-check";
import { analyseKql, type Problem } from "./diagnostics";
import { kustoLanguage, type KustoLanguage } from "./language-service";
import { checkMappings } from "./mapping-check";
import { buildSchema, type FunctionDefinition, type KqlSchema, type SchemaColumn } from "./schema";

export interface FileReport {
  path: string;
  kind: KqlScriptKind | "hunting" | "alert";
  /** Commands (scripts) or queries (hunting files) analysed. */
  items: number;
  problems: Problem[];
}

export interface AssetCheck {
  files: FileReport[];
  schema: KqlSchema;
  hunting: HuntingQuery[];
}

export interface AssetCheckOptions {
  /** The kql/ folder (tests point it at fixtures). */
  dir?: string;
  parameters?: Partial<ScriptParameters>;
  ls?: KustoLanguage;
}

const TYPED_NULL: Record<string, string> = {
  string: '""',
  dynamic: "dynamic(null)",
  datetime: "datetime(null)",
  timespan: "timespan(null)",
  long: "long(null)",
  int: "int(null)",
  real: "real(null)",
  bool: "bool(null)",
  guid: "guid(null)",
  decimal: "decimal(null)",
};

/** A call of `f` with a typed null for each required parameter (so the analyser computes its result), or null. */
export function sampleCall(f: FunctionDefinition): string | null {
  const inner = f.parameters.trim().slice(1, -1).trim();
  if (!inner) return `${f.name}()`;
  const args: string[] = [];
  for (const part of splitTopLevel(inner)) {
    const m = /^\s*\w+\s*:\s*(\w+)\s*(=.*)?$/s.exec(part);
    if (!m) return null; // a tabular parameter: no literal stands for it
    if (m[2]) break; // optional parameters trail the required ones
    const literal = TYPED_NULL[m[1].toLowerCase()];
    if (!literal) return null;
    args.push(literal);
  }
  return `${f.name}(${args.join(", ")})`;
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    else if (c === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** The result columns of a stored function, from the analyser (null for scalar or tabular-parameter functions). */
export function functionResultColumns(schema: KqlSchema, name: string, ls: KustoLanguage = kustoLanguage()): SchemaColumn[] | null {
  const f = schema.functions.get(name);
  const call = f && sampleCall(f);
  return call ? analyseKql(call, schema.adx, { line: 1 }, ls).resultColumns : null;
}

function assetProblem(line: number, code: string, message: string): Problem {
  return { line, column: 1, code, severity: "error", message };
}

function checkScript(script: KqlScript, schema: KqlSchema, parameters: Partial<ScriptParameters>, ls: KustoLanguage): FileReport {
  const problems: Problem[] = [];
  let rendered: string;
  try {
    rendered = renderScript(script.text, parameters);
  } catch (e) {
    return { path: script.path, kind: script.kind, items: 0, problems: [assetProblem(1, "ASSET-PLACEHOLDER", (e as Error).message)] };
  }
  const commands = scriptCommands(rendered);
  for (const command of commands) {
    problems.push(...analyseKql(command.text, schema.adx, { line: command.line }, ls).problems);
    const info = describeCommand(command.text);
    if (info.kind === "update-policy") {
      // the Query inside the policy JSON is a string to the parser: analyse it on its own
      for (const query of info.queries) {
        for (const p of analyseKql(query, schema.adx, { line: command.line }, ls).problems) problems.push({ ...p, line: command.line, message: `update policy query: ${p.message}` });
      }
    }
    if (script.kind === "function") {
      if (info.kind !== "function") {
        problems.push(assetProblem(command.line, "ASSET-KIND", "scripts under kql/functions/ hold only '.create-or-alter function' commands."));
        continue;
      }
      if (!/^\.create-or-alter\s/i.test(command.text)) problems.push(assetProblem(command.line, "ASSET-IDEMPOTENT", `function ${info.name}: use '.create-or-alter function' so a redeploy replaces it.`));
      if (!info.docstring || !info.folder) problems.push(assetProblem(command.line, "ASSET-DOC", `function ${info.name} needs with (folder = ..., docstring = ...): analysts browse functions by folder and read the docstring.`));
      const f = schema.functions.get(info.name)!;
      const call = sampleCall(f);
      if (call) {
        const result = analyseKql(call, schema.adx, { line: command.line }, ls);
        for (const c of result.resultColumns ?? []) {
          if (c.type === "unknown") problems.push(assetProblem(command.line, "ASSET-RESULT-TYPE", `function ${info.name} returns column ${c.name} of unknown type: something in its body did not resolve.`));
        }
      }
    } else if (info.kind === "function") {
      problems.push(assetProblem(command.line, "ASSET-KIND", `function ${info.name} belongs in kql/functions/, one function per file.`));
    }
    if (info.kind === "table" && !/^\.create-merge\s/i.test(command.text)) {
      problems.push(assetProblem(command.line, "ASSET-IDEMPOTENT", `table ${info.table}: use '.create-merge table' so a redeploy adds columns without failing.`));
    }
    if (info.kind === "mapping" && !/^\.create-or-alter\s/i.test(command.text)) {
      problems.push(assetProblem(command.line, "ASSET-IDEMPOTENT", `mapping ${info.mapping}: use '.create-or-alter ... ingestion json mapping'.`));
    }
    if (info.kind === "materialized-view" && !/^\.create\s+(?:async\s+)?ifnotexists\s|^\.create-or-alter\s/i.test(command.text)) {
      problems.push(assetProblem(command.line, "ASSET-IDEMPOTENT", `materialized view ${info.name}: use '.create ifnotexists materialized-view' so a redeploy is a no-op.`));
    }
  }
  if (script.kind === "table") {
    problems.push(...checkMappings(rendered));
    const owned = Object.values(Tables) as string[];
    for (const command of commands) {
      const info = describeCommand(command.text);
      if (info.kind !== "table" || !owned.includes(info.table)) continue;
      const view = schema.views.get(dedupViewName(info.table));
      if (!view || view.source !== info.table) {
        problems.push(assetProblem(command.line, "ASSET-DEDUP", `table ${info.table} has no dedup view ${dedupViewName(info.table)} on it; queries read that view.`));
      }
    }
  }
  return { path: script.path, kind: script.kind, items: commands.length, problems };
}

// KQL whose meaning differs between ADX and a Log Analytics workspace: a hunting query must run unchanged in both.
const NOT_PORTABLE: Array<[RegExp, string]> = [
  [/\bmaterialized_view\s*\(/, "materialized_view() does not exist in a Sentinel workspace: read the dedup view by name"],
  [/\bingestion_time\s*\(/, "ingestion_time() means the workspace's ingestion in Sentinel, not ADX's"],
  [/\b(?:cluster|database|adx)\s*\(/, "cluster()/database()/adx() tie the query to one place: the workspace functions already point at ADX"],
];

function checkHunting(file: string, path: string, schema: KqlSchema, ids: Map<string, string>, ls: KustoLanguage): { report: FileReport; query?: HuntingQuery } {
  const { query, problems: parseProblems } = parseHuntingQuery(readFileSync(file, "utf8"), path);
  const problems: Problem[] = parseProblems.map((p) => ({ ...p, severity: "error" as const }));
  if (!query) return { report: { path, kind: "hunting", items: 0, problems } };
  const other = ids.get(query.id.toLowerCase());
  if (other) problems.push(assetProblem(1, "HUNTING-ID", `id ${query.id} is already used by ${other}; every hunting query needs its own GUID.`));
  else ids.set(query.id.toLowerCase(), path);
  const analysis = analyseKql(query.query, schema.sentinel, { line: query.queryLine, indent: query.queryIndent }, ls);
  problems.push(...analysis.problems);
  for (const [pattern, why] of NOT_PORTABLE) {
    const m = pattern.exec(query.query);
    if (m) problems.push(assetProblem(query.queryLine + query.query.slice(0, m.index).split("\n").length - 1, "HUNTING-PORTABILITY", why));
  }
  if (analysis.resultColumns === null && analysis.problems.length === 0) {
    problems.push(assetProblem(query.queryLine, "HUNTING-RESULT", "the query does not return a table."));
  }
  const columns = new Set((analysis.resultColumns ?? []).map((c) => c.name));
  for (const mapping of query.entityMappings) {
    for (const f of mapping.fieldMappings) {
      if (analysis.resultColumns && !columns.has(f.columnName)) {
        problems.push(
          assetProblem(query.queryLine, "HUNTING-ENTITY", `entity ${mapping.entityType}.${f.identifier} maps column '${f.columnName}', which the query does not return (it returns: ${[...columns].join(", ")}).`),
        );
      }
    }
  }
  return { report: { path, kind: "hunting", items: 1, problems }, query };
}

/** Checks every asset under `dir` (default kql/). */
export function checkAssets(opts: AssetCheckOptions = {}): AssetCheck {
  const dir = opts.dir ?? KQL_DIR;
  const parameters = opts.parameters ?? {};
  const ls = opts.ls ?? kustoLanguage();
  const scripts = loadScripts(dir);
  const schema = buildSchema(scripts, parameters, ls);
  const files = scripts.map((s) => checkScript(s, schema, parameters, ls));

  const seen = new Map<string, string>();
  for (const f of files.filter((f) => f.kind === "function")) {
    for (const command of scriptCommands(scripts.find((s) => s.path === f.path)!.text)) {
      const info = describeCommand(command.text);
      if (info.kind !== "function") continue;
      const first = seen.get(info.name);
      if (first) f.problems.push(assetProblem(command.line, "ASSET-DUPLICATE", `function ${info.name} is also defined in ${first}.`));
      else seen.set(info.name, f.path);
    }
  }

  const huntingDir = join(dir, "hunting");
  const root = join(dir, "..");
  const ids = new Map<string, string>();
  const hunting: HuntingQuery[] = [];
  let huntingFiles: string[] = [];
  try {
    huntingFiles = readdirSync(huntingDir).filter((f) => f.endsWith(".yaml")).sort();
  } catch {
    huntingFiles = [];
  }
  for (const f of huntingFiles) {
    const file = join(huntingDir, f);
    const { report, query } = checkHunting(file, relative(root, file).split("\\").join("/"), schema, ids, ls);
    files.push(report);
    if (query) hunting.push(query);
  }
  files.push(...checkAlertQueries(dir, ls));
  return { files, schema, hunting };
}

