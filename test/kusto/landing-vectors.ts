// One landing vector per table: a row with every column of the table's production JSON mapping set, ingested through
// that mapping, must come back unchanged from the table's dedup view. Built from kql/tables/*.kql, so a table or a
// mapping added there is covered without a change here.
import type { Client } from "azure-kusto-data";
import { loadCatalog, type KustoType } from "../../kql/catalog";
import { dedupViewName, jsonMappingName } from "../../kql/tables";
import { ingestThroughMapping } from "./fresh-database";
import type { VectorKind } from "./kusto-vector";

export interface LandingVector {
  table: string;
  mapping: string;
  view: string;
  row: Record<string, unknown>;
  columns: Array<{ name: string; type: KustoType }>;
}

const SAMPLE: Partial<Record<KustoType, (column: string) => unknown>> = {
  string: (c) => `${c} ünïcödé "quoted" | piped`,
  datetime: () => "2024-03-15T10:00:00.123Z",
  bool: () => true,
  int: () => 2147483,
  long: () => 9007199254740,
  real: () => 1.5,
  guid: () => "0f0f0f0f-1111-4222-8333-444444444444",
  dynamic: (c) => ({ [c]: [1, "two", { three: null }] }),
};

export function landingVectors(): LandingVector[] {
  return [...loadCatalog().values()].map((table) => {
    const mapping = jsonMappingName(table.name);
    const elements = table.mappings[mapping];
    if (!elements) throw new Error(`${table.name} has no JSON ingestion mapping named ${mapping}`);
    const row: Record<string, unknown> = {};
    for (const e of elements) {
      const column = table.columns.find((c) => c.name === e.column);
      const path = /^\$\.(\w+)$/.exec(e.path ?? "");
      if (!column || !path) throw new Error(`${mapping}: element ${JSON.stringify(e)} is not a top-level path onto a column`);
      const sample = SAMPLE[column.type];
      if (!sample) throw new Error(`${mapping}: no sample value for type ${column.type}`);
      row[path[1]] = sample(column.name);
    }
    return { table: table.name, mapping, view: dedupViewName(table.name), row, columns: table.columns };
  });
}

/** A value as the engine returns it, in one comparable form per type. */
export function normalise(type: KustoType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "datetime":
      return new Date(String(value)).toISOString();
    case "int":
    case "long":
    case "real":
      return Number(value);
    case "dynamic":
      return JSON.stringify(typeof value === "string" ? JSON.parse(value) : value);
    default:
      return value;
  }
}

export function landingKind(): VectorKind {
  const vectors = landingVectors().map((v) => ({
    name: `landing ${v.table}`,
    why: `a row through ${v.mapping} comes back unchanged from ${v.view}`,
    run: (c: Client, d: string) => landingProblem(c, d, v),
  }));
  return { label: "landing vectors", through: "their table's JSON mapping and dedup view", vectors };
}

async function landingProblem(client: Client, database: string, v: LandingVector): Promise<string | null> {
  await ingestThroughMapping(client, database, v.table, [v.row]);
  const response = await client.execute(database, `${v.view} | project ${v.columns.map((c) => c.name).join(", ")}`);
  const rows = response.primaryResults[0].toJSON<Record<string, unknown>>().data;
  if (rows.length !== 1) return `expected 1 row in ${v.view}, got ${rows.length}`;
  const differences = v.columns
    .map((c) => ({ column: c.name, sent: normalise(c.type, v.row[c.name]), got: normalise(c.type, rows[0][c.name]) }))
    .filter((d) => JSON.stringify(d.sent) !== JSON.stringify(d.got));
  return differences.length === 0 ? null : differences.map((d) => `${d.column}: sent ${JSON.stringify(d.sent)}, got ${JSON.stringify(d.got)}`).join("; ");
}
