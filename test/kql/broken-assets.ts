// A kql/ folder in a temp dir with one deliberate defect per file (and a few clean files), to prove the analysis
// reports each defect where it is, with the right code. Lines below are 1-based, as the analysis reports them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const GOOD_ID = "0d6f7a52-3c1e-4b8e-9a61-2f4b5c6d7e81";

export const FILES: Record<string, string> = {
  "tables/good_table.kql": [
    "// a clean table: mapping complete, one column computed and documented",
    "// computed: Day — filled by an update policy in a real deployment",
    ".create-merge table good_table (Id: string, At: datetime, N: long, Payload: dynamic, Day: datetime)",
    "",
    `.create-or-alter table good_table ingestion json mapping 'good_table_json' '[{"column":"Id","path":"$.Id","datatype":"string"},{"column":"At","path":"$.At","datatype":"datetime"},{"column":"N","path":"$.N","datatype":"long"},{"column":"Payload","path":"$.Payload","datatype":"dynamic"}]'`,
    "",
    ".alter-merge table good_table policy retention softdelete = {{retentionDays}}d recoverability = enabled",
    "",
    ".create ifnotexists materialized-view with (lookback = {{dedupLookbackDays}}d) good_table_dedup on table good_table",
    "{",
    "    good_table",
    "    | summarize take_any(*) by Id",
    "}",
  ].join("\n"),
  "tables/bad_mapping.kql": [
    ".create-merge table bad_mapping (A: string, B: long, C: datetime, D: string)",
    "",
    // line 3: B read as string, C from another path, E is no column; D is fed by nothing
    `.create-or-alter table bad_mapping ingestion json mapping 'bad_mapping_json' '[{"column":"A","path":"$.A","datatype":"string"},{"column":"B","path":"$.B","datatype":"string"},{"column":"C","path":"$.Other","datatype":"datetime"},{"column":"E","path":"$.E","datatype":"string"}]'`,
  ].join("\n"),
  "tables/bad_json.kql": [
    ".create-merge table bad_json (A: string)",
    "",
    `.create-or-alter table bad_json ingestion json mapping 'bad_json_json' '[{"column":"A","path":"$.A",}'`,
  ].join("\n"),
  "tables/bad_view.kql": [
    ".create-merge table bad_view (Id: string, At: datetime)",
    "",
    `.create-or-alter table bad_view ingestion json mapping 'bad_view_json' '[{"column":"Id","path":"$.Id","datatype":"string"},{"column":"At","path":"$.At","datatype":"datetime"}]'`,
    "",
    ".create ifnotexists materialized-view bad_view_dedup on table bad_view",
    "{",
    "    bad_view",
    "    | summarize take_any(*) by RecordKey", // line 8, column 32
    "}",
    "",
    `.alter table bad_view policy update @'[{"IsEnabled":true,"Source":"good_table","Query":"good_table | project Id, At = Missing","IsTransactional":true}]'`, // line 11
  ].join("\n"),
  "reference/RefTable.kql": ".create-merge table RefTable (MessageId: string, Subject: string)",
  "functions/broken-body.kql": [
    "// a typo in a column name, deep inside the body",
    ".create-or-alter function with (folder = 'test', docstring = 'reads a column that does not exist') BrokenBody(id:string)",
    "{",
    "    good_table_dedup",
    "    | where Id == id",
    "    | project Id, Nope", // line 6, column 19
    "}",
  ].join("\n"),
  "functions/calls-broken.kql": [
    ".create-or-alter function with (folder = 'test', docstring = 'calls a broken function') CallsBroken()",
    "{",
    '    BrokenBody("x")', // line 3, column 5
    "}",
  ].join("\n"),
  "functions/join-without-kind.kql": [
    ".create-or-alter function with (folder = 'test', docstring = 'joins without a kind') JoinWithoutKind()",
    "{",
    "    good_table_dedup | join (RefTable) on $left.Id == $right.MessageId", // line 3, column 24
    "}",
  ].join("\n"),
  "functions/undocumented.kql": [".create-or-alter function Undocumented()", "{", "    good_table_dedup | take 1", "}"].join("\n"),
  "hunting/good.yaml": hunting(GOOD_ID, "good_table_dedup\n  | summarize Rows = count() by Id", "Id"),
  "hunting/zz-duplicate-id.yaml": hunting(GOOD_ID, "good_table_dedup\n  | project Id", "Id"),
  "hunting/missing-entity-column.yaml": hunting("5b9c7e10-8d2f-4a3b-b6c4-1e0f9a8b7c6d", "good_table_dedup\n  | project Id, N", "UserId"),
  "hunting/adx-only.yaml": hunting(
    "7e2d1c4b-5a69-4f80-9b1e-3c2d4e5f6a7b",
    // line 12: a stored ADX function; line 13: the raw table; line 14: materialized_view()
    'BrokenBody("x")\n  | union (good_table | project Id)\n  | union (materialized_view("good_table_dedup") | project Id)',
    "Id",
  ),
  "hunting/bad-fields.yaml": [
    "id: not-a-guid",
    "name: Bad fields",
    "description: tactics and techniques that are not ATT&CK",
    "requiredDataConnectors: []",
    "tactics:",
    "  - Lateral Movement",
    "relevantTechniques:",
    "  - T11",
    "query: |",
    "  good_table_dedup | take 1",
    "entityMappings: []",
    "version: 1.0.0",
  ].join("\n"),
  "hunting/bad-yaml.yaml": "id: 9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a\nname: [unclosed\n",
};

function hunting(id: string, query: string, entityColumn: string): string {
  return [
    `id: ${id}`,
    "name: Fixture hunting query",
    "description: |",
    "  A fixture.",
    "requiredDataConnectors: []",
    "tactics:",
    "  - Collection",
    "relevantTechniques:",
    "  - T1114.002",
    "query: |",
    "  let lookback = 1d;", // line 11
    ...query.split("\n").map((l) => (l.startsWith("  ") ? l : `  ${l}`)), // from line 12
    "entityMappings:",
    "  - entityType: Account",
    "    fieldMappings:",
    "      - identifier: FullName",
    `        columnName: ${entityColumn}`,
    "version: 1.0.0",
  ].join("\n");
}

/** Writes the fixture kql/ folder; returns its path and a cleanup. */
export function writeBrokenAssets(): { dir: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), "kql-broken-"));
  const dir = join(root, "kql");
  for (const folder of ["tables", "functions", "reference", "hunting"]) mkdirSync(join(dir, folder), { recursive: true });
  for (const [path, text] of Object.entries(FILES)) writeFileSync(join(dir, path), text + "\n");
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
