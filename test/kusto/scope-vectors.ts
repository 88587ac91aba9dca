// Scope vectors (test/vectors/*.json): mail-access rows and sign-ins in, MailAccessScope's answer out.
import { ClientRequestProperties, type Client } from "azure-kusto-data";
import { Tables } from "../../kql/tables";
import { scopeRow } from "../../investigation/sources/adx-lake";
import { auditRowsOf, comparable, loadVectors, type ScopeVector } from "../vectors/vectors";
import { asWritten, ingestThroughMapping } from "./fresh-database";
import type { VectorKind } from "./kusto-vector";

export function scopeKind(): VectorKind {
  const vectors = loadVectors().map((v) => ({ name: v.name, why: v.why, run: (c: Client, d: string) => scopeProblem(c, d, v) }));
  return { label: "scope vectors", through: "MailAccessScope", vectors };
}

/** The vector's mail-access rows and its sign-ins (as the transform lands them), each through its table's mapping. */
export async function landScopeRows(client: Client, database: string, v: { rows: Array<Record<string, unknown>>; auditRecords?: Array<Record<string, unknown>> }): Promise<void> {
  await ingestThroughMapping(client, database, Tables.accessMail, asWritten(Tables.accessMail, v.rows));
  await ingestThroughMapping(client, database, Tables.unifiedAudit, auditRowsOf(v));
}

/** A call of a function taking MailAccessScope's parameters, with the vector's question bound to them. */
export async function callWithQuestion(client: Client, database: string, fn: string, q: ScopeVector["question"]) {
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

async function scopeProblem(client: Client, database: string, v: ScopeVector): Promise<string | null> {
  await landScopeRows(client, database, v);
  const response = await callWithQuestion(client, database, "MailAccessScope", v.question);
  const found = comparable(response.primaryResults[0].toJSON<Record<string, unknown>>().data.map((r) => scopeRow(r) as unknown as Record<string, unknown>));
  const expected = comparable(v.expected as unknown as Array<Record<string, unknown>>);
  const a = JSON.stringify(found);
  const b = JSON.stringify(expected);
  return a === b ? null : `expected ${b}\n      got      ${a}`;
}
