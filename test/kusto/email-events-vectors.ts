// EmailEvents vectors (test/vectors/email-events/): mail-access rows and Defender's EmailEvents rows in, the messages
// read with what EmailEvents says of each out, through MailAccessWithEmailEvents.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Client } from "azure-kusto-data";
import { parseTableScripts } from "../../kql/catalog";
import { KQL_DIR } from "../../kql/scripts";
import { byMessageId, loadEmailEventsVectors, type EmailEventsVector } from "../vectors/vectors";
import type { VectorKind } from "./kusto-vector";
import { callWithQuestion, landScopeRows } from "./scope-vectors";

const CONVERT: Record<string, string> = { string: "tostring", datetime: "todatetime", bool: "tobool", int: "toint", long: "tolong", real: "toreal", dynamic: "todynamic", guid: "toguid" };

export function emailEventsKind(): VectorKind {
  const vectors = loadEmailEventsVectors().map((v) => ({ name: `email-events/${v.name}`, why: v.why, run: (c: Client, d: string) => emailEventsProblem(c, d, v) }));
  return { label: "EmailEvents vectors", through: "MailAccessWithEmailEvents", deploy: { includeEmailEvents: true }, vectors };
}

/** The command that appends `rows` to EmailEvents, each column typed as the reference schema has it. */
export function appendEmailEventsCommand(rows: Array<Record<string, unknown>>): string {
  const columns = parseTableScripts([readFileSync(join(KQL_DIR, "reference", "EmailEvents.kql"), "utf8")]).get("EmailEvents")!.columns;
  const project = columns.map((c) => `${c.name} = ${CONVERT[c.type]}(r["${c.name}"])`).join(", ");
  return `.set-or-append EmailEvents <| print d = dynamic(${JSON.stringify(rows)}) | mv-expand r = d | project ${project}`;
}

async function emailEventsProblem(client: Client, database: string, v: EmailEventsVector): Promise<string | null> {
  await landScopeRows(client, database, v);
  // EmailEvents is Defender's table: we ship no ingestion mapping for it (the client's export brings its own), so its rows go in by query.
  await client.execute(database, appendEmailEventsCommand(v.emailEvents));
  const response = await callWithQuestion(client, database, "MailAccessWithEmailEvents", v.question);
  const found = response.primaryResults[0].toJSON<Record<string, unknown>>().data.map((r) => ({
    InternetMessageId: String(r.InternetMessageId), InEmailEvents: r.InEmailEvents === true, Subject: String(r.Subject ?? ""), RecipientCount: Number(r.RecipientCount ?? 0),
  }));
  const a = JSON.stringify(found.sort(byMessageId));
  const b = JSON.stringify([...v.expected].sort(byMessageId));
  return a === b ? null : `expected ${b}\n      got      ${a}`;
}
