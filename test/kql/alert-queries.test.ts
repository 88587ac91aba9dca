// The alert queries against Application Insights' `traces`: clean for the language service, holding their rules'
// declared defaults, reading exactly the declared fields; and the check fails when a query drifts from its rule.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ALERT_RULES, TRACES_COLUMNS, fieldsReadBy, renderAlertQuery } from "../../kql/alerts";
import { checkAlertQueries } from "../../kql/analysis/alert-check";
import { analyseKql } from "../../kql/analysis/diagnostics";
import { kustoLanguage } from "../../kql/analysis/language-service";
import { columnList } from "../../kql/analysis/schema";
import { KQL_DIR } from "../../kql/scripts";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "alert-kql-"));
  cpSync(join(KQL_DIR, "alerts"), join(dir, "kql", "alerts"), { recursive: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("every rule's query analyses clean against traces and reads exactly its declared fields", () => {
  const reports = checkAlertQueries(KQL_DIR);
  expect(reports.map((r) => r.path).sort()).toEqual([...ALERT_RULES.map((r) => `kql/alerts/${r.id}.kql`), "kql/alerts/sentinel/ingestion-gap.kql"].sort());
  for (const r of reports) expect(r).toMatchObject({ problems: [] });
});

test("a query reading an undeclared field, a column traces lacks, or another threshold fails the check", () => {
  const file = join(dir, "kql", "alerts", "blobs-failed.kql");
  const original = readFileSync(file, "utf8");
  writeFileSync(
    file,
    original.replace("let threshold = 1;", "let threshold = 2;").replace("severityLevel >= 3", "severityLevel >= 3 and tostring(f.database) != '' and cloud_Role == 'x'"),
  );
  const report = checkAlertQueries(join(dir, "kql")).find((r) => r.path.endsWith("blobs-failed.kql"))!;
  const codes = report.problems.map((p) => p.code);
  expect(codes).toEqual(expect.arrayContaining(["ALERT-DEFAULT", "ALERT-FIELDS", "KS142"]));
  writeFileSync(file, original);
});

test("the deployed query carries the configured threshold and the tenants' names", () => {
  const lag = ALERT_RULES.find((r) => r.id === "ingestion-lag")!;
  const text = renderAlertQuery(lag, { threshold: 45, tenantNames: { "c1c1c1c1-0000-4000-8000-000000000001": 'Northwind "Traders"' } });
  expect(text).toContain("let threshold = 45m;");
  expect(text).toContain('datatable(tenant: string, tenantName: string) ["c1c1c1c1-0000-4000-8000-000000000001", "Northwind \\"Traders\\""];');
  expect(fieldsReadBy(text)).toEqual([...lag.fields].sort());
});

test("every query as deployed — another threshold, an MSSP's client names — still analyses clean against traces", () => {
  const ls = kustoLanguage();
  const globals = ls.globals("appinsights", [ls.table("traces", columnList([...TRACES_COLUMNS]))]);
  const names = { "c1c1c1c1-0000-4000-8000-000000000001": "Northwind Traders", "c2c2c2c2-0000-4000-8000-000000000002": "Tailspin \"Toys\" \\ Ltd" };
  for (const rule of ALERT_RULES) {
    const text = renderAlertQuery(rule, { threshold: rule.threshold + 1, tenantNames: names });
    expect({ rule: rule.id, problems: analyseKql(text, globals, { line: 1 }, ls).problems }).toEqual({ rule: rule.id, problems: [] });
  }
});
