// The `_dedup` materialized views of kql/tables, read from their definitions: the key each keeps one row per, and
// which row it keeps. The local run and the tests compute "what the views hold" from the raw rows with exactly this.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { splitCommands, TABLES_DIR } from "./catalog";

export interface DedupView {
  name: string;
  table: string;
  /** the `by` columns: one row per distinct combination */
  keys: string[];
  /** take_any(*) keeps any row of a key; arg_max(C, *) the one with the largest C */
  keeps: { kind: "any" } | { kind: "latest"; column: string };
}

const VIEW = /^\.create\s+(?:ifnotexists\s+)?materialized-view\s+(?:with\s*\([^)]*\)\s*)?([A-Za-z_]\w*)\s+on\s+table\s+([A-Za-z_]\w*)\s*\{([\s\S]*)\}\s*$/i;
const SUMMARIZE = /\|\s*summarize\s+(take_any\s*\(\s*\*\s*\)|arg_max\s*\(\s*([A-Za-z_]\w*)\s*,\s*\*\s*\))\s+by\s+([A-Za-z_][\w\s,]*)$/i;

/** Reads every `.create materialized-view … { T | summarize take_any(*)|arg_max(C, *) by K… }` of the scripts. */
export function parseDedupViews(scripts: string[]): Map<string, DedupView> {
  const views = new Map<string, DedupView>();
  for (const script of scripts) {
    for (const command of splitCommands(script)) {
      const view = VIEW.exec(command);
      if (!view) continue;
      const summarize = SUMMARIZE.exec(view[3].trim());
      if (!summarize) throw new Error(`kql: materialized view ${view[1]} is not "T | summarize take_any(*) or arg_max(C, *) by K, …"; the local run cannot compute it`);
      views.set(view[2], {
        name: view[1],
        table: view[2],
        keys: summarize[3].split(",").map((k) => k.trim()).filter(Boolean),
        keeps: summarize[2] ? { kind: "latest", column: summarize[2] } : { kind: "any" },
      });
    }
  }
  return views;
}

export function loadDedupViews(dir: string = TABLES_DIR): Map<string, DedupView> {
  const files = readdirSync(dir).filter((f) => f.endsWith(".kql")).sort();
  return parseDedupViews(files.map((f) => readFileSync(join(dir, f), "utf8")));
}

type Row = Record<string, unknown>;

/** The view's key of a row, as text (null and missing count as the empty string, as in ADX). */
export function viewKey(view: DedupView, row: Row): string {
  return view.keys.map((k) => (row[k] == null ? "" : String(row[k]))).join("\u0000");
}

/** What the view holds once it has caught up with `rows`: one row per key. */
export function materialize(view: DedupView, rows: readonly Row[]): Row[] {
  const kept = new Map<string, Row>();
  for (const row of rows) {
    const k = viewKey(view, row);
    const held = kept.get(k);
    if (!held) kept.set(k, row);
    else if (view.keeps.kind === "latest" && later(row[view.keeps.column], held[view.keeps.column])) kept.set(k, row);
  }
  return [...kept.values()];
}

/** Datetimes compare as instants (ISO text with and without fractions does not sort as text), anything else as text. */
function later(a: unknown, b: unknown): boolean {
  const [x, y] = [Date.parse(String(a ?? "")), Date.parse(String(b ?? ""))];
  if (Number.isFinite(x) && Number.isFinite(y)) return x > y;
  return String(a ?? "") > String(b ?? "");
}
