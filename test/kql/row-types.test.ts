// The row types in kql/generated/table-rows.ts are what `npm run kql:types` writes from kql/tables/*.kql, and the code
// that builds rows is typed with them: a column added to or dropped from a table script on its own fails the compiler.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import ts from "typescript";
import { loadCatalog, type Catalog, type TableSchema } from "../../kql/catalog";
import { renderTableRows, rowTypeName, TABLE_ROWS_FILE } from "../../kql/row-types";
import { Tables } from "../../kql/tables";

const ROOT = resolve(__dirname, "../..");
const TRANSFORMS = join(ROOT, "functions/src/transform");
// where each table's rows are built
const BUILDER: Record<string, string> = {
  [Tables.unifiedAudit]: "audit-record.ts",
  [Tables.accessMail]: "mail-access.ts",
  [Tables.ledger]: "outcome-rows.ts",
  [Tables.errors]: "outcome-rows.ts",
};

const catalog = loadCatalog();

function withTables(change: (t: TableSchema) => TableSchema): Catalog {
  return new Map([...catalog].map(([name, t]) => [name, change(t)]));
}

interface Problem {
  file: string;
  message: string;
}

let previous: ts.Program | undefined;
// Every file but the generated one is the same in each compile: parsed once, so each compile only re-checks.
const parsed = new Map<string, ts.SourceFile | undefined>();

/** Type-checks the row builders as `npm run typecheck` does, with `generated` in place of the committed row types. */
function compileBuilders(generated: string): Problem[] {
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!config) throw new Error("tsconfig.json could not be read");
  const options = { ...config.options, types: ["node"] };
  const host = ts.createCompilerHost(options);
  const original = host.getSourceFile.bind(host);
  const target = resolve(TABLE_ROWS_FILE);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) =>
    resolve(fileName) === target
      ? ts.createSourceFile(fileName, generated, languageVersion, true)
      : parsed.get(fileName) ?? parsed.set(fileName, original(fileName, languageVersion, onError, shouldCreate)).get(fileName);
  const roots = [...new Set(Object.values(BUILDER))].map((f) => join(TRANSFORMS, f)).concat(join(TRANSFORMS, "transform.ts"));
  const program = ts.createProgram(roots, options, host, previous);
  previous = program;
  return ts.getPreEmitDiagnostics(program).map((d) => ({
    file: d.file ? d.file.fileName.split("/").pop()! : "(no file)",
    message: ts.flattenDiagnosticMessageText(d.messageText, " "),
  }));
}

describe("row types generated from kql/tables", () => {
  it("kql/generated/table-rows.ts is what `npm run kql:types` writes from the table scripts", () => {
    // on failure: run `npm run kql:types` and commit the result with the table script that changed
    expect(readFileSync(TABLE_ROWS_FILE, "utf8")).toBe(renderTableRows(catalog));
  });

  it("names one row type per table the engine writes, with the table's columns in order", () => {
    const text = renderTableRows(catalog);
    for (const table of Object.values(Tables)) {
      const body = new RegExp(`export type ${rowTypeName(table)} = \\{\\n([^}]*)\\};`).exec(text);
      expect(body).not.toBeNull();
      const keys = body![1].trim().split("\n").map((line) => line.trim().split(":")[0]);
      expect(keys).toEqual(catalog.get(table)!.columns.map((c) => c.name));
    }
  });

  it("refuses a table name that has no script, saying which and what to do", () => {
    const without = new Map(catalog);
    without.delete(Tables.errors);
    expect(() => renderTableRows(without)).toThrow(/table ingestion_errors .* has no \.create-merge table .*add its script or remove it from Tables/);
  });

  describe("the row builders type-check against them", () => {
    it("as committed: no compiler error", () => {
      expect(compileBuilders(renderTableRows(catalog))).toEqual([]);
    });

    it("a column added to every table script only: each builder misses it", () => {
      const added = withTables((t) => ({ ...t, columns: [...t.columns, { name: "AddedInKqlOnly", type: "string" }] }));
      const problems = compileBuilders(renderTableRows(added));
      for (const table of Object.values(Tables)) {
        expect(problems).toContainEqual({
          file: BUILDER[table],
          message: expect.stringMatching(new RegExp(`Property 'AddedInKqlOnly' is missing .* required in type '${rowTypeName(table)}'`)),
        });
      }
    });

    it("a column dropped from every table script only: each builder still writes it", () => {
      const dropped = withTables((t) => ({ ...t, columns: t.columns.slice(0, -1) }));
      const problems = compileBuilders(renderTableRows(dropped));
      for (const table of Object.values(Tables)) {
        const column = catalog.get(table)!.columns.at(-1)!.name;
        expect(problems).toContainEqual({
          file: BUILDER[table],
          message: expect.stringMatching(new RegExp(`'${column}' does not exist in type '${rowTypeName(table)}'`)),
        });
      }
    });
  });
});
