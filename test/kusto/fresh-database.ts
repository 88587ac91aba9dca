// Where a test:kusto vector runs: a database holding nothing but kql/'s deployment, and rows put in it the way the
// functions put them (`.ingest inline` of JSON lines through the table's production mapping).
import type { Client } from "azure-kusto-data";
import { loadCatalog } from "../../kql/catalog";
import { deploymentCommands } from "../../kql/scripts";
import { DedupViews, Tables, jsonMappingName } from "../../kql/tables";
import type { KustoTarget } from "./kusto-client";

const RUN = `${process.pid}${Date.now().toString(36)}`;

export interface FreshDatabaseOptions {
  /** Also create Defender's EmailEvents table (kql/reference/EmailEvents.kql), as a client exporting it has. */
  includeEmailEvents?: boolean;
}

/** A database holding nothing but kql/'s tables, mappings, views and functions, for one vector. */
export async function inFreshDatabase<T>(target: KustoTarget, index: number, body: (database: string) => Promise<T>, opts: FreshDatabaseOptions = {}): Promise<T> {
  const { client } = target;
  let database: string;
  if (target.canCreateDatabases) {
    // The emulator's documented form: metadata and data under the container's /kustodata.
    database = `test_kusto_${RUN}_${index}`;
    await client.execute(null, `.create database ${database} persist (@"/kustodata/dbs/${database}/md", @"/kustodata/dbs/${database}/data")`);
  } else {
    database = process.env.KUSTO_TEST_DATABASE!;
    for (const view of Object.values(DedupViews)) await client.execute(database, `.drop materialized-view ${view} ifexists`);
    // EmailEvents too: an EmailEvents vector's rows must not reach the next vector
    for (const table of [...Object.values(Tables), "EmailEvents"]) await client.execute(database, `.drop table ${table} ifexists`);
  }
  try {
    for (const command of deploymentCommands({ parameters: { dedupLookbackDays: 365 }, includeEmailEvents: opts.includeEmailEvents })) await client.execute(database, command);
    return await body(database);
  } finally {
    if (target.canCreateDatabases) {
      await client.execute(null, `.drop database ${database} ifexists`).catch((e: Error) => process.stdout.write(`      (could not drop ${database}: ${e.message})\n`));
    }
  }
}

/** `.ingest inline` through the table's production mapping: multijson, one JSON object per line (row-chunks.ts's lines). */
export async function ingestThroughMapping(client: Client, database: string, table: string, rows: Array<Record<string, unknown>>): Promise<void> {
  if (rows.length === 0) return; // an inline ingestion needs data
  const lines = rows.map((r) => JSON.stringify(r)).join("\n");
  await client.execute(database, `.ingest inline into table ${table} with (format="multijson", ingestionMappingReference="${jsonMappingName(table)}") <|\n${lines}`);
}

/**
 * A vector's complete table rows (every column, defaults filled in) as the functions write them: only the columns the
 * table's mapping reads, and no nulls (a missing property and a null land alike).
 */
export function asWritten(table: string, rows: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const mapped = new Set(loadCatalog().get(table)!.mappings[jsonMappingName(table)].map((e) => e.column));
  return rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k, value]) => mapped.has(k) && value !== null)));
}
