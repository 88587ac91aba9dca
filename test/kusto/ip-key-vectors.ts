// IP key vectors (test/vectors/ip-keys/): every spelling, and the text ingestion writes for it, through NormalizedIp.
import type { Client } from "azure-kusto-data";
import { normalizeIpAddress } from "../../functions/src/transform/ip-address";
import { ipKeyProblem, loadIpKeyVectors, type IpKeyVector } from "../vectors/vectors";
import type { VectorKind } from "./kusto-vector";

export function ipKeyKind(): VectorKind {
  const vectors = loadIpKeyVectors().map((v) => ({ name: `ip-keys/${v.name}`, why: v.why, run: (c: Client, d: string) => normalizedIpProblem(c, d, v) }));
  return { label: "IP key vectors", through: "NormalizedIp", vectors };
}

/** One key per group, none shared, and the text ingestion writes for a spelling keys as the spelling does. */
async function normalizedIpProblem(client: Client, database: string, v: IpKeyVector): Promise<string | null> {
  const texts = [...new Set(v.groups.flat().flatMap((t) => [t, normalizeIpAddress(t)]))];
  const response = await client.execute(database, `print t = dynamic(${JSON.stringify(texts)}) | mv-expand t to typeof(string) | project t, k = NormalizedIp(t)`);
  const keys = new Map(response.primaryResults[0].toJSON<{ t: string; k: string }>().data.map((r) => [r.t, r.k]));
  const missing = texts.filter((t) => !keys.has(t));
  if (missing.length) return `NormalizedIp gave no key for ${JSON.stringify(missing)}`;
  const problem = ipKeyProblem(v, (t) => keys.get(t)!);
  if (problem) return problem;
  for (const t of texts) if (keys.get(t) !== keys.get(normalizeIpAddress(t))) return `${JSON.stringify(t)} and the ${JSON.stringify(normalizeIpAddress(t))} ingestion writes for it key differently`;
  return null;
}
