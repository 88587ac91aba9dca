// The analysis is only worth something if it fails: deliberate defects, each reported where it is with the right code.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkAssets, type AssetCheck, type FileReport } from "../../kql/analysis/asset-check";
import { formatReport } from "../../kql/check";
import { analyseKql } from "../../kql/analysis/diagnostics";
import { buildSchema } from "../../kql/analysis/schema";
import { scriptCommands } from "../../kql/commands";
import { KQL_DIR, loadScripts, renderScript } from "../../kql/scripts";
import { writeBrokenAssets } from "./broken-assets";

let fixture: AssetCheck;
let cleanup: () => void;

beforeAll(() => {
  const written = writeBrokenAssets();
  cleanup = written.cleanup;
  fixture = checkAssets({ dir: written.dir });
}, 60_000);

afterAll(() => cleanup());

function report(path: string): FileReport {
  const found = fixture.files.find((f) => f.path === `kql/${path}`);
  if (!found) throw new Error(`no report for ${path}`);
  return found;
}

function found(path: string): Array<[number, number, string]> {
  return report(path).problems.map((p) => [p.line, p.column, p.code]);
}

describe("analysis of scripts", () => {
  it("passes clean files: a table with a complete mapping and a documented computed column, a reference schema, a hunting query", () => {
    expect(report("tables/good_table.kql").problems).toEqual([]);
    expect(report("reference/RefTable.kql").problems).toEqual([]);
    expect(report("hunting/good.yaml").problems).toEqual([]);
  });

  it("reports an unknown column inside a function body at its line and column (KS142)", () => {
    expect(found("functions/broken-body.kql")).toContainEqual([6, 19, "KS142"]);
    expect(report("functions/broken-body.kql").problems[0].message).toMatch(/'Nope'/);
  });

  it("reports a call to a function whose definition has errors (KS512) and a join without kind (KS508)", () => {
    expect(found("functions/calls-broken.kql")).toContainEqual([3, 5, "KS512"]);
    expect(found("functions/join-without-kind.kql")).toEqual([[3, 24, "KS508"]]);
  });

  it("reports an error inside a materialized-view query and inside an update-policy query string", () => {
    expect(found("tables/bad_view.kql")).toContainEqual([8, 32, "KS142"]);
    const update = report("tables/bad_view.kql").problems.find((p) => p.line === 11)!;
    expect(update.code).toBe("KS142");
    expect(update.message).toMatch(/^update policy query: .*'Missing'/);
  });

  it("requires functions to carry a folder and a docstring", () => {
    expect(found("functions/undocumented.kql")).toEqual([[1, 1, "ASSET-DOC"]]);
  });
});

describe("analysis of mappings", () => {
  it("reports a wrong datatype, a nested path, an unknown column and an unfed column", () => {
    expect(found("tables/bad_mapping.kql").map(([, , code]) => code).sort()).toEqual(["MAPPING-COLUMN", "MAPPING-PATH", "MAPPING-TYPE", "MAPPING-UNFED"]);
    const messages = report("tables/bad_mapping.kql").problems.map((p) => p.message).join("\n");
    expect(messages).toMatch(/'B' as string, but the column is long/);
    expect(messages).toMatch(/'C' from \$\.Other/);
    expect(messages).toMatch(/maps 'E', which is not a column/);
    expect(messages).toMatch(/bad_mapping\.D is neither in bad_mapping_json nor documented as computed/);
  });

  it("reports mapping JSON that does not parse", () => {
    expect(found("tables/bad_json.kql")).toEqual([[3, 1, "MAPPING-JSON"]]);
  });
});

describe("analysis of hunting queries", () => {
  it("refuses a non-GUID id, a tactic outside ATT&CK Enterprise and a malformed technique, at their lines", () => {
    expect(found("hunting/bad-fields.yaml")).toEqual([
      [1, 5, "HUNTING-FIELD"],
      [6, 3, "HUNTING-FIELD"],
      [8, 3, "HUNTING-FIELD"],
    ]);
  });

  it("refuses a YAML syntax error and a reused id", () => {
    expect(found("hunting/bad-yaml.yaml").map(([, , code]) => code)).toEqual(["YAML"]);
    expect(found("hunting/zz-duplicate-id.yaml")).toEqual([[1, 1, "HUNTING-ID"]]);
  });

  it("refuses an entity mapped to a column the query does not return", () => {
    const [problem] = report("hunting/missing-entity-column.yaml").problems;
    expect(problem.code).toBe("HUNTING-ENTITY");
    expect(problem.message).toMatch(/'UserId'.*returns: Id, N/);
  });

  it("refuses what a Sentinel workspace cannot resolve: ADX functions, raw tables, materialized_view()", () => {
    expect(found("hunting/adx-only.yaml")).toEqual(
      expect.arrayContaining([
        [12, 3, "KS211"],
        [13, 12, "KS204"],
        [14, 1, "HUNTING-PORTABILITY"],
      ]),
    );
  });
});

describe("the kql:check report", () => {
  it("has one line per file: OK with what was analysed, or FAIL with every problem as line:column code message", () => {
    const lines = fixture.files.map(formatReport);
    expect(lines).toContain("OK    kql/tables/good_table.kql (4 commands)");
    expect(lines).toContain("OK    kql/hunting/good.yaml (1 query)");
    expect(lines.find((l) => l.includes("bad_json.kql"))).toMatch(/^FAIL  kql\/tables\/bad_json\.kql: 3:1 MAPPING-JSON kql: mapping bad_json_json of table bad_json is not valid JSON/);
    expect(lines.find((l) => l.includes("bad-fields.yaml"))!.split(" | ")).toHaveLength(3);
  });
});

describe("analysis of the project's own functions", () => {
  it("catches a one-letter typo in MailAccessScope at its exact position", () => {
    const path = join(KQL_DIR, "functions", "mail-access-scope.kql");
    const original = readFileSync(path, "utf8");
    const typo = original.replace("| extend IpKey = NormalizedIp(ClientIPAddress)", "| extend IpKey = NormalizedIp(ClientIPAdress)");
    expect(typo).not.toBe(original);
    const lines = typo.split("\n");
    const line = lines.findIndex((l) => l.includes("ClientIPAdress")) + 1;
    const column = lines[line - 1].indexOf("ClientIPAdress") + 1;

    const schema = buildSchema(loadScripts());
    const [command] = scriptCommands(renderScript(typo));
    const { problems } = analyseKql(command.text, schema.adx, { line: command.line });
    expect(problems).toEqual([expect.objectContaining({ line, column, code: "KS142", severity: "error" })]);
  });
});
