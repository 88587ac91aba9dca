// Footprint vectors (test/vectors/footprint/): published audit records and mail-access rows in, AttackerFootprint's
// sign-ins, persistence (with its state at the window's end) and data reached out.
import { ClientRequestProperties, type Client } from "azure-kusto-data";
import { comparableFootprint, loadFootprintVectors, type FootprintVector } from "../vectors/vectors";
import type { VectorKind } from "./kusto-vector";
import { landScopeRows } from "./scope-vectors";

export function footprintKind(): VectorKind {
  const vectors = loadFootprintVectors().map((v) => ({ name: `footprint/${v.name}`, why: v.why, run: (c: Client, d: string) => footprintProblem(c, d, v) }));
  return { label: "footprint vectors", through: "AttackerFootprint", vectors };
}

async function footprintProblem(client: Client, database: string, v: FootprintVector): Promise<string | null> {
  await landScopeRows(client, database, v);
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
