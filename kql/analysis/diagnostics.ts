// One piece of KQL through the analyser: syntax and semantic diagnostics, then Microsoft's own analysers (join
// without kind, called function has errors, ...), with positions turned into line and column of the source file.
import { kustoLanguage, toArray, type KustoLanguage, type LsDiagnostic, type LsGlobals } from "./language-service";
import type { SchemaColumn } from "./schema";

export type ProblemSeverity = "error" | "warning";

export interface Problem {
  /** 1-based position in the source file. */
  line: number;
  column: number;
  /** KSxxx from the analyser, or one of this project's codes (MAPPING-*, HUNTING-*, ASSET-*). */
  code: string;
  severity: ProblemSeverity;
  message: string;
}

/**
 * Analyser suggestions we accept on purpose. Everything else the analyser reports (errors, warnings and the remaining
 * suggestions) is a problem.
 */
export const ACCEPTED_SUGGESTIONS: Record<string, string> = {
  // materialized_view() reads only the materialized part; an investigation must also see the newest, not yet
  // materialized rows, so queries read the view by name on purpose.
  KS511: "full view wanted: investigations must include rows not yet materialized",
};

export interface KqlAnalysis {
  problems: Problem[];
  /** The result columns when the text is a tabular query (null for commands and scalars). */
  resultColumns: SchemaColumn[] | null;
}

/** Where `text` sits in its file: the line of its first character and, for indented blocks, the indentation. */
export interface SourcePosition {
  line: number;
  column?: number;
  indent?: number;
}

export function positionOf(text: string, offset: number, origin: SourcePosition): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineInText = before.split("\n").length - 1;
  const lastBreak = before.lastIndexOf("\n");
  const columnInLine = offset - (lastBreak + 1);
  const line = origin.line + lineInText;
  const column = lineInText === 0 ? (origin.column ?? 1) + columnInLine : columnInLine + 1 + (origin.indent ?? 0);
  return { line, column };
}

function isProblem(d: LsDiagnostic): ProblemSeverity | null {
  if (d.Severity === "Error") return "error";
  if (d.Severity === "Warning") return "warning";
  if (d.Severity === "Suggestion" && !(d.Code in ACCEPTED_SUGGESTIONS)) return "warning";
  return null;
}

/** Parses and analyses `text` against `globals`; problems are positioned relative to `origin`. */
export function analyseKql(text: string, globals: LsGlobals, origin: SourcePosition = { line: 1 }, ls: KustoLanguage = kustoLanguage()): KqlAnalysis {
  const code = ls.analyse(text, globals);
  const diagnostics = [...toArray(code.GetDiagnostics()), ...toArray(ls.analyserDiagnostics(code))];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const d of diagnostics) {
    const severity = isProblem(d);
    if (!severity) continue;
    const key = `${d.Code}@${d.Start}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const near = text.substr(d.Start, Math.min(d.Length, 40)).replace(/\s+/g, " ");
    problems.push({ ...positionOf(text, d.Start, origin), code: d.Code, severity, message: near ? `${d.Message} (at '${near}')` : d.Message });
  }
  const columns = code.ResultType?.Columns;
  const resultColumns = columns ? toArray(columns).map((c) => ({ name: c.Name, type: c.Type.Name })) : null;
  return { problems, resultColumns };
}
