// npm run test:kusto: the shared scope vectors through the real KQL (MailAccessScope over the dedup view) on a Kusto
// endpoint: the Kusto emulator container (docker run mcr.microsoft.com/azuredataexplorer/kustainer-linux) or a dev
// cluster. No Kusto engine runs on the development machines, so without KUSTO_TEST_ENDPOINT it says so and exits 0.
//   KUSTO_TEST_ENDPOINT  http://localhost:8080 (emulator, no auth) or https://<cluster>.<region>.kusto.windows.net
//   KUSTO_TEST_DATABASE  a database this run may clear and fill (default NetDefaultDB, the emulator's)
// Against a cluster the caller's DefaultAzureCredential is used (az login); the database's tables are cleared.
import { DefaultAzureCredential } from "@azure/identity";
import { Client, ClientRequestProperties, KustoConnectionStringBuilder } from "azure-kusto-data";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadCatalog, parseTableScripts } from "../../kql/catalog";
import { deploymentCommands, KQL_DIR } from "../../kql/scripts";
import { DedupViews, Tables } from "../../kql/tables";
import { scopeRow } from "../../investigation/sources/adx-lake";
import { normalizeIpAddress } from "../../functions/src/transform/ip-address";
import { transformBlob } from "../../functions/src/transform/transform";
import { auditRowsOf, byMessageId, comparable, comparableFootprint, loadFootprintVectors, type FootprintVector, ipKeyProblem, loadAuditClientIpVectors, loadEmailEventsVectors, loadIpKeyVectors, loadVectors, type AuditClientIpVector, type EmailEventsVector, type IpKeyVector, type ScopeVector } from "../vectors/vectors";

const CONVERT: Record<string, string> = { string: "tostring", datetime: "todatetime", bool: "tobool", int: "toint", long: "tolong", real: "toreal", dynamic: "todynamic", guid: "toguid" };

async function main(): Promise<number> {
  const endpoint = process.env.KUSTO_TEST_ENDPOINT;
  if (!endpoint) {
    process.stdout.write(
      "test:kusto skipped: KUSTO_TEST_ENDPOINT is not set, and no Kusto engine runs on this machine. Set it to the Kusto emulator " +
        "container (e.g. http://localhost:8080) or a dev cluster URL, and KUSTO_TEST_DATABASE to a database this run may clear.\n",
    );
    return 0;
  }
  const database = process.env.KUSTO_TEST_DATABASE ?? "NetDefaultDB";
  const kcsb = endpoint.startsWith("https://") ? KustoConnectionStringBuilder.withTokenCredential(endpoint, new DefaultAzureCredential()) : endpoint;
  const client = new Client(kcsb);
  try {
    process.stdout.write(`test:kusto: deploying kql/ to ${endpoint}/${database}\n`);
    // the vectors' rows are ingested here, not through a mapping: no view lookback may hide them
    for (const command of deploymentCommands({ parameters: { dedupLookbackDays: 365 }, includeEmailEvents: true })) await client.execute(database, command);
    const vectors = loadVectors();
    let failed = 0;
    for (const v of vectors) {
      const problem = await runVector(client, database, v);
      process.stdout.write(`${problem ? "FAIL" : "ok  "}  ${v.name}: ${v.why}\n${problem ? `      ${problem}\n` : ""}`);
      if (problem) failed++;
    }
    process.stdout.write(`test:kusto: ${vectors.length - failed} of ${vectors.length} vectors pass through MailAccessScope\n`);
    const ipVectors = loadIpKeyVectors();
    let ipFailed = 0;
    for (const v of ipVectors) {
      const problem = await runIpKeyVector(client, database, v);
      process.stdout.write(`${problem ? "FAIL" : "ok  "}  ip-keys/${v.name}: ${v.why}\n${problem ? `      ${problem}\n` : ""}`);
      if (problem) ipFailed++;
    }
    process.stdout.write(`test:kusto: ${ipVectors.length - ipFailed} of ${ipVectors.length} IP key vectors pass through NormalizedIp\n`);
    const mailVectors = loadEmailEventsVectors();
    let mailFailed = 0;
    for (const v of mailVectors) {
      const problem = await runEmailEventsVector(client, database, v);
      process.stdout.write(`${problem ? "FAIL" : "ok  "}  email-events/${v.name}: ${v.why}\n${problem ? `      ${problem}\n` : ""}`);
      if (problem) mailFailed++;
    }
    process.stdout.write(`test:kusto: ${mailVectors.length - mailFailed} of ${mailVectors.length} EmailEvents vectors pass through MailAccessWithEmailEvents\n`);
    const auditVectors = loadAuditClientIpVectors();
    let auditFailed = 0;
    for (const v of auditVectors) {
      const problem = await runAuditClientIpVector(client, database, v);
      process.stdout.write(`${problem ? "FAIL" : "ok  "}  audit-client-ip/${v.name}: ${v.why}\n${problem ? `      ${problem}\n` : ""}`);
      if (problem) auditFailed++;
    }
    process.stdout.write(`test:kusto: ${auditVectors.length - auditFailed} of ${auditVectors.length} audit ClientIP vectors pass through NormalizedIp(ClientIP)\n`);
    const footprintVectors = loadFootprintVectors();
    let footprintFailed = 0;
    for (const v of footprintVectors) {
      const problem = await runFootprintVector(client, database, v);
      process.stdout.write(`${problem ? "FAIL" : "ok  "}  footprint/${v.name}: ${v.why}\n${problem ? `      ${problem}\n` : ""}`);
      if (problem) footprintFailed++;
    }
    process.stdout.write(`test:kusto: ${footprintVectors.length - footprintFailed} of ${footprintVectors.length} footprint vectors pass through AttackerFootprint\n`);
    return failed === 0 && ipFailed === 0 && mailFailed === 0 && auditFailed === 0 && footprintFailed === 0 ? 0 : 1;
  } finally {
    client.close();
  }
}

/** Replaces the mail-access rows with `rows`, typed exactly as the table's columns, in the table's order. */
async function ingestAccessMail(client: Client, database: string, rows: Record<string, unknown>[]): Promise<void> {
  await client.execute(database, `.clear table ${Tables.accessMail} data`);
  await client.execute(database, `.clear materialized-view ${DedupViews.accessMail} data`);
  const columns = loadCatalog().get(Tables.accessMail)!.columns;
  const project = columns.map((c) => `${c.name} = ${CONVERT[c.type]}(r["${c.name}"])`).join(", ");
  // inline rows through a query
  await client.execute(database, `.set-or-append ${Tables.accessMail} <| print d = dynamic(${JSON.stringify(rows)}) | mv-expand r = d | project ${project}`);
}

/** Replaces the audit rows with `rows` (the transform's), typed as the table's columns. */
async function ingestAudit(client: Client, database: string, rows: Array<Record<string, unknown>>): Promise<void> {
  await client.execute(database, `.clear table ${Tables.unifiedAudit} data`);
  await client.execute(database, `.clear materialized-view ${DedupViews.unifiedAudit} data`);
  if (rows.length === 0) return;
  const columns = loadCatalog().get(Tables.unifiedAudit)!.columns;
  const project = columns.map((c) => `${c.name} = ${CONVERT[c.type]}(r["${c.name}"])`).join(", ");
  await client.execute(database, `.set-or-append ${Tables.unifiedAudit} <| print d = dynamic(${JSON.stringify(rows)}) | mv-expand r = d | project ${project}`);
}

/** A call of a function taking MailAccessScope's parameters, with the vector's question bound to them. */
async function callWithQuestion(client: Client, database: string, fn: string, q: ScopeVector["question"]) {
  const props = new ClientRequestProperties();
  const params: Record<string, string> = {
    user: q.user, ips: JSON.stringify(q.ips), sessions: JSON.stringify(q.sessions), start: q.start, end: q.end,
    clientInfoStrings: JSON.stringify(q.clientInfoStrings), aadSessions: JSON.stringify(q.aadSessions), apps: JSON.stringify(q.apps),
  };
  for (const [k, value] of Object.entries(params)) props.setParameter(k, value);
  const text =
    "declare query_parameters(user:string, ips:dynamic, sessions:dynamic, start:datetime, end:datetime, clientInfoStrings:dynamic, aadSessions:dynamic, apps:dynamic);\n" +
    `${fn}(user, ips, sessions, start, end, clientInfoStrings, aadSessions, apps)`;
  return client.execute(database, text, props);
}

/** The transform's audit rows landed, then filtered by ClientIP as an analyst would. */
async function runAuditClientIpVector(client: Client, database: string, v: AuditClientIpVector): Promise<string | null> {
  await ingestAudit(client, database, transformBlob(v.records, { tenantId: "t", contentType: "Audit.Exchange", contentId: "vector-blob" }).auditRows as unknown as Array<Record<string, unknown>>);
  const props = new ClientRequestProperties();
  props.setParameter("ip", v.ip);
  const response = await client.execute(database, `declare query_parameters(ip:string);\n${DedupViews.unifiedAudit} | where NormalizedIp(ClientIP) == NormalizedIp(ip) | project Id | order by Id asc`, props);
  const found = response.primaryResults[0].toJSON<{ Id: string }>().data.map((r) => r.Id);
  const expected = [...v.expectedIds].sort();
  return JSON.stringify(found) === JSON.stringify(expected) ? null : `expected ${JSON.stringify(expected)}\n      got      ${JSON.stringify(found)}`;
}

async function runFootprintVector(client: Client, database: string, v: FootprintVector): Promise<string | null> {
  await ingestAccessMail(client, database, v.rows);
  await ingestAudit(client, database, auditRowsOf(v));
  const props = new ClientRequestProperties();
  const q = v.question;
  const params: Record<string, string> = { user: q.user, ips: JSON.stringify(q.ips), sessions: JSON.stringify(q.sessions), start: q.start, end: q.end, aadSessions: JSON.stringify(q.aadSessions), apps: JSON.stringify(q.apps) };
  for (const [k, value] of Object.entries(params)) props.setParameter(k, value);
  const text =
    "declare query_parameters(user:string, ips:dynamic, sessions:dynamic, start:datetime, end:datetime, aadSessions:dynamic, apps:dynamic);\n" +
    "AttackerFootprint(user, ips, sessions, start, end, aadSessions, apps)";
  const response = await client.execute(database, text, props);
  const found = JSON.stringify(comparableFootprint(response.primaryResults[0].toJSON<Record<string, unknown>>().data));
  const expected = JSON.stringify(comparableFootprint(v.expected));
  return found === expected ? null : `expected ${expected}\n      got      ${found}`;
}

async function runEmailEventsVector(client: Client, database: string, v: EmailEventsVector): Promise<string | null> {
  await ingestAccessMail(client, database, v.rows);
  await client.execute(database, ".clear table EmailEvents data");
  // every column of the reference schema, in its order (kql/reference/EmailEvents.kql)
  const columns = parseTableScripts([readFileSync(join(KQL_DIR, "reference", "EmailEvents.kql"), "utf8")]).get("EmailEvents")!.columns;
  const project = columns.map((c) => `${c.name} = ${CONVERT[c.type]}(r["${c.name}"])`).join(", ");
  await client.execute(database, `.set-or-append EmailEvents <| print d = dynamic(${JSON.stringify(v.emailEvents)}) | mv-expand r = d | project ${project}`);
  const response = await callWithQuestion(client, database, "MailAccessWithEmailEvents", v.question);
  const found = response.primaryResults[0].toJSON<Record<string, unknown>>().data.map((r) => ({
    InternetMessageId: String(r.InternetMessageId), InEmailEvents: r.InEmailEvents === true, Subject: String(r.Subject ?? ""), RecipientCount: Number(r.RecipientCount ?? 0),
  }));
  const a = JSON.stringify(found.sort(byMessageId));
  const b = JSON.stringify([...v.expected].sort(byMessageId));
  return a === b ? null : `expected ${b}\n      got      ${a}`;
}

async function runVector(client: Client, database: string, v: ScopeVector): Promise<string | null> {
  await ingestAccessMail(client, database, v.rows);
  await ingestAudit(client, database, auditRowsOf(v));
  const response = await callWithQuestion(client, database, "MailAccessScope", v.question);
  const found = comparable(response.primaryResults[0].toJSON<Record<string, unknown>>().data.map((r) => scopeRow(r) as unknown as Record<string, unknown>));
  const expected = comparable(v.expected as unknown as Array<Record<string, unknown>>);
  const a = JSON.stringify(found);
  const b = JSON.stringify(expected);
  return a === b ? null : `expected ${b}\n      got      ${a}`;
}

/** Every spelling, and the text ingestion writes for it, through NormalizedIp: one key per group, none shared. */
async function runIpKeyVector(client: Client, database: string, v: IpKeyVector): Promise<string | null> {
  const texts = [...new Set(v.groups.flat().flatMap((t) => [t, normalizeIpAddress(t)]))];
  const response = await client.execute(database, `print t = dynamic(${JSON.stringify(texts)}) | mv-expand t to typeof(string) | project t, k = NormalizedIp(t)`);
  const keys = new Map(response.primaryResults[0].toJSON<{ t: string; k: string }>().data.map((r) => [r.t, r.k]));
  const problem = ipKeyProblem(v, (t) => keys.get(t) ?? "");
  if (problem) return problem;
  for (const t of texts) if (keys.get(t) !== keys.get(normalizeIpAddress(t))) return `${JSON.stringify(t)} and the ${JSON.stringify(normalizeIpAddress(t))} ingestion writes for it key differently`;
  return null;
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    process.stderr.write(`test:kusto: ${e.message}\n`);
    process.exit(1);
  },
);
