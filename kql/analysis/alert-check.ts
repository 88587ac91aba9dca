// The alert queries (kql/alerts/*.kql) checked against Application Insights' `traces`: each analyses clean, holds its
// rule's declared threshold and access codes as written, reads exactly the structured fields its rule declares (the
// ones the TypeScript evaluate() is limited to), and returns the alert's dimensions.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { ALERT_RULES, APP_TRACES_COLUMNS, SENTINEL_GAP, TRACES_COLUMNS, fieldsReadBy, requiredLines, resultDimensions } from "../alerts";
import type { FileReport } from "./asset-check";
import { analyseKql, type Problem } from "./diagnostics";
import { kustoLanguage, type KustoLanguage } from "./language-service";
import { columnList } from "./schema";

const problem = (code: string, message: string, line = 1): Problem => ({ line, column: 1, code, severity: "error", message });

/** One report per alert query under `<dir>/alerts`, and one for a rule without a file or a file without a rule. */
export function checkAlertQueries(dir: string, ls: KustoLanguage = kustoLanguage()): FileReport[] {
  const alertsDir = join(dir, "alerts");
  if (!existsSync(alertsDir)) return [];
  const root = join(dir, "..");
  const globals = ls.globals("appinsights", [ls.table("traces", columnList([...TRACES_COLUMNS]))]);
  const files = readdirSync(alertsDir).filter((f) => f.endsWith(".kql")).sort();
  const reports: FileReport[] = [];
  for (const rule of ALERT_RULES) {
    const file = join(alertsDir, `${rule.id}.kql`);
    const path = relative(root, file).split("\\").join("/");
    if (!files.includes(`${rule.id}.kql`)) {
      reports.push({ path, kind: "alert", items: 0, problems: [problem("ALERT-MISSING", `alert rule ${rule.id} has no query file.`)] });
      continue;
    }
    const text = readFileSync(file, "utf8");
    const problems: Problem[] = [];
    for (const line of requiredLines(rule)) if (!text.includes(line)) problems.push(problem("ALERT-DEFAULT", `the query must hold the rule's declared default as the line: ${line}`));
    const analysis = analyseKql(text, globals, { line: 1 }, ls);
    problems.push(...analysis.problems);
    const read = fieldsReadBy(text);
    const declared = [...rule.fields].sort();
    if (read.join() !== declared.join()) {
      problems.push(problem("ALERT-FIELDS", `the query reads the fields [${read.join(", ")}] but rule ${rule.id} declares [${declared.join(", ")}]: they must be the same.`));
    }
    const columns = (analysis.resultColumns ?? []).map((c) => c.name);
    const missing = resultDimensions(rule).filter((c) => !columns.includes(c));
    if (missing.length) problems.push(problem("ALERT-RESULT", `the query's result lacks ${missing.join(", ")}: every alert names the tenant and its figure.`));
    reports.push({ path, kind: "alert", items: 1, problems });
  }
  reports.push(checkSentinelGap(root, ls));
  for (const f of files) {
    if (!ALERT_RULES.some((r) => `${r.id}.kql` === f)) {
      reports.push({ path: relative(root, join(alertsDir, f)).split("\\").join("/"), kind: "alert", items: 0, problems: [problem("ALERT-UNDECLARED", `no rule in kql/alerts.ts deploys ${f}.`)] });
    }
  }
  return reports;
}

/** The Sentinel ingestion-gap rule against AppTraces: clean, its declared lines and fields, the gap per content type. */
function checkSentinelGap(root: string, ls: KustoLanguage): FileReport {
  const path = relative(root, SENTINEL_GAP.path).split("\\").join("/");
  if (!existsSync(SENTINEL_GAP.path)) return { path, kind: "alert", items: 0, problems: [problem("ALERT-MISSING", "the Sentinel ingestion-gap rule has no query file.")] };
  const text = readFileSync(SENTINEL_GAP.path, "utf8");
  const globals = ls.globals("workspace", [ls.table("AppTraces", columnList([...APP_TRACES_COLUMNS]))]);
  const problems: Problem[] = [];
  for (const line of Object.values(SENTINEL_GAP.lines)) if (!text.includes(line)) problems.push(problem("ALERT-DEFAULT", `the query must hold the line: ${line}`));
  const analysis = analyseKql(text, globals, { line: 1 }, ls);
  problems.push(...analysis.problems);
  const read = fieldsReadBy(text);
  const declared = [...SENTINEL_GAP.fields].sort();
  if (read.join() !== declared.join()) problems.push(problem("ALERT-FIELDS", `the query reads the fields [${read.join(", ")}] but declares [${declared.join(", ")}].`));
  const columns = (analysis.resultColumns ?? []).map((c) => c.name);
  for (const c of ["tenantId", "contentType", "lagMinutes"]) if (!columns.includes(c)) problems.push(problem("ALERT-RESULT", `the query's result lacks ${c}.`));
  return { path, kind: "alert", items: 1, problems };
}
