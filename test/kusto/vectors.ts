// npm run test:kusto: kql/ on a real Kusto engine, every row ingested through its table's production JSON mapping.
//   landing vectors: per table, a row with every mapped column set goes in through `<table>_json` and must come back
//                    unchanged from the table's dedup view (test/kusto/landing-vectors.ts)
//   scope vectors:   the shared vectors (test/vectors/) go in through microsoft_unified_access_mail_json and must give
//                    the expected MailAccessScope answer
// Each vector gets a database of its own, so no view materialization of an earlier vector can race a later one.
// Endpoints: the Kusto emulator container (docker run mcr.microsoft.com/azuredataexplorer/kustainer-linux:stable) or a
// dev cluster. No Kusto engine runs on the development machines, so without KUSTO_TEST_ENDPOINT it says so and exits 0.
//   KUSTO_TEST_ENDPOINT  http://localhost:8080 (emulator, no auth) or https://<cluster>.<region>.kusto.windows.net
//   KUSTO_TEST_DATABASE  cluster only (ADX creates databases through Resource Manager, not commands): a database this
//                        run may empty; each vector drops and recreates the tables, views and functions in it
import { ClientRequestProperties, type Client } from "azure-kusto-data";
import { deploymentCommands } from "../../kql/scripts";
import { DedupViews, Tables, jsonMappingName } from "../../kql/tables";
import { loadCatalog } from "../../kql/catalog";
import { scopeRow } from "../../investigation/sources/adx-lake";
import { comparable, loadVectors, type ScopeVector } from "../vectors/vectors";
import { kustoTarget, type KustoTarget } from "./kusto-client";
import { landingVectors, normalise, type LandingVector } from "./landing-vectors";

const RUN = `${process.pid}${Date.now().toString(36)}`;

async function main(): Promise<number> {
  const endpoint = process.env.KUSTO_TEST_ENDPOINT;
  if (!endpoint) {
    process.stdout.write(
      "test:kusto skipped: KUSTO_TEST_ENDPOINT is not set, and no Kusto engine runs on this machine. Set it to the Kusto emulator " +
        "container (e.g. http://localhost:8080) or a dev cluster URL (then KUSTO_TEST_DATABASE to a database this run may empty).\n",
    );
    return 0;
  }
  const target = kustoTarget(endpoint);
  if (!target.canCreateDatabases && !process.env.KUSTO_TEST_DATABASE) throw new Error("against a cluster, set KUSTO_TEST_DATABASE to a database this run may empty");
  try {
    const vectors: Array<{ name: string; why: string; run: (client: Client, database: string) => Promise<string | null> }> = [
      ...landingVectors().map((v) => ({ name: `landing ${v.table}`, why: `a row through ${v.mapping} comes back unchanged from ${v.view}`, run: (c: Client, d: string) => landing(c, d, v) })),
      ...loadVectors().map((v) => ({ name: v.name, why: v.why, run: (c: Client, d: string) => scope(c, d, v) })),
    ];
    let failed = 0;
    for (const [i, v] of vectors.entries()) {
      let problem: string | null;
      try {
        problem = await inFreshDatabase(target, i, (database) => v.run(target.client, database));
      } catch (e) {
        problem = `the engine refused: ${(e as Error).message}`;
      }
      process.stdout.write(`${problem ? "FAIL" : "ok  "}  ${v.name}: ${v.why}\n${problem ? `      ${problem}\n` : ""}`);
      if (problem) failed++;
    }
    process.stdout.write(`test:kusto: ${vectors.length - failed} passed, ${failed} failed\n`);
    return failed === 0 ? 0 : 1;
  } finally {
    target.client.close();
  }
}

/** A database holding nothing but kql/'s tables, mappings, views and functions, for one vector. */
async function inFreshDatabase<T>(target: KustoTarget, index: number, body: (database: string) => Promise<T>): Promise<T> {
  const { client } = target;
  let database: string;
  if (target.canCreateDatabases) {
    // The emulator's documented form: metadata and data under the container's /kustodata.
    database = `test_kusto_${RUN}_${index}`;
    await client.execute(null, `.create database ${database} persist (@"/kustodata/dbs/${database}/md", @"/kustodata/dbs/${database}/data")`);
  } else {
    database = process.env.KUSTO_TEST_DATABASE!;
    for (const view of Object.values(DedupViews)) await client.execute(database, `.drop materialized-view ${view} ifexists`);
    for (const table of Object.values(Tables)) await client.execute(database, `.drop table ${table} ifexists`);
  }
  try {
    for (const command of deploymentCommands({ parameters: { dedupLookbackDays: 365 } })) await client.execute(database, command);
    return await body(database);
  } finally {
    if (target.canCreateDatabases) {
      await client.execute(null, `.drop database ${database} ifexists`).catch((e: Error) => process.stdout.write(`      (could not drop ${database}: ${e.message})\n`));
    }
  }
}

/** `.ingest inline` through the table's production mapping: multijson, one JSON object per line. */
async function ingestThroughMapping(client: Client, database: string, table: string, rows: Array<Record<string, unknown>>): Promise<void> {
  const lines = rows.map((r) => JSON.stringify(r)).join("\n");
  await client.execute(database, `.ingest inline into table ${table} with (format="multijson", ingestionMappingReference="${jsonMappingName(table)}") <|\n${lines}`);
}

async function landing(client: Client, database: string, v: LandingVector): Promise<string | null> {
  await ingestThroughMapping(client, database, v.table, [v.row]);
  const response = await client.execute(database, `${v.view} | project ${v.columns.map((c) => c.name).join(", ")}`);
  const rows = response.primaryResults[0].toJSON<Record<string, unknown>>().data;
  if (rows.length !== 1) return `expected 1 row in ${v.view}, got ${rows.length}`;
  const differences = v.columns
    .map((c) => ({ column: c.name, sent: normalise(c.type, v.row[c.name]), got: normalise(c.type, rows[0][c.name]) }))
    .filter((d) => JSON.stringify(d.sent) !== JSON.stringify(d.got));
  return differences.length === 0 ? null : differences.map((d) => `${d.column}: sent ${JSON.stringify(d.sent)}, got ${JSON.stringify(d.got)}`).join("; ");
}

async function scope(client: Client, database: string, v: ScopeVector): Promise<string | null> {
  // The vector rows are rows as the functions write them: only the columns the mapping reads go in.
  const mapped = new Set(loadCatalog().get(Tables.accessMail)!.mappings[jsonMappingName(Tables.accessMail)].map((e) => e.column));
  const rows = v.rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k, value]) => mapped.has(k) && value !== null)));
  await ingestThroughMapping(client, database, Tables.accessMail, rows);

  const q = v.question;
  const props = new ClientRequestProperties();
  const params: Record<string, string> = {
    user: q.user, ips: JSON.stringify(q.ips), sessions: JSON.stringify(q.sessions), start: q.start, end: q.end,
    clientInfoStrings: JSON.stringify(q.clientInfoStrings), aadSessions: JSON.stringify(q.aadSessions), apps: JSON.stringify(q.apps),
  };
  for (const [k, value] of Object.entries(params)) props.setParameter(k, value);
  const text =
    "declare query_parameters(user:string, ips:dynamic, sessions:dynamic, start:datetime, end:datetime, clientInfoStrings:dynamic, aadSessions:dynamic, apps:dynamic);\n" +
    "MailAccessScope(user, ips, sessions, start, end, clientInfoStrings, aadSessions, apps)";
  const response = await client.execute(database, text, props);
  const found = comparable(response.primaryResults[0].toJSON<Record<string, unknown>>().data.map((r) => scopeRow(r) as unknown as Record<string, unknown>));
  const expected = comparable(v.expected as unknown as Array<Record<string, unknown>>);
  const a = JSON.stringify(found);
  const b = JSON.stringify(expected);
  return a === b ? null : `expected ${b}\n      got      ${a}`;
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    process.stderr.write(`test:kusto: ${e.message}\n`);
    process.exit(1);
  },
);
