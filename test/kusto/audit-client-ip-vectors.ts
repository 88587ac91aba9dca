// Audit ClientIP vectors (test/vectors/audit-client-ip/): published records through the transform and the audit
// table's mapping, then filtered as an analyst would, on NormalizedIp(ClientIP).
import { ClientRequestProperties, type Client } from "azure-kusto-data";
import { DedupViews, Tables } from "../../kql/tables";
import { transformBlob } from "../../functions/src/transform/transform";
import { loadAuditClientIpVectors, type AuditClientIpVector } from "../vectors/vectors";
import { ingestThroughMapping } from "./fresh-database";
import type { VectorKind } from "./kusto-vector";

export function auditClientIpKind(): VectorKind {
  const vectors = loadAuditClientIpVectors().map((v) => ({ name: `audit-client-ip/${v.name}`, why: v.why, run: (c: Client, d: string) => clientIpProblem(c, d, v) }));
  return { label: "audit ClientIP vectors", through: "NormalizedIp(ClientIP)", vectors };
}

async function clientIpProblem(client: Client, database: string, v: AuditClientIpVector): Promise<string | null> {
  const { auditRows } = transformBlob(v.records, { tenantId: "t", contentType: "Audit.Exchange", contentId: "vector-blob" });
  await ingestThroughMapping(client, database, Tables.unifiedAudit, auditRows as unknown as Array<Record<string, unknown>>);
  const props = new ClientRequestProperties();
  props.setParameter("ip", v.ip);
  const response = await client.execute(database, `declare query_parameters(ip:string);\n${DedupViews.unifiedAudit} | where NormalizedIp(ClientIP) == NormalizedIp(ip) | project Id | order by Id asc`, props);
  const found = response.primaryResults[0].toJSON<{ Id: string }>().data.map((r) => r.Id);
  const expected = [...v.expectedIds].sort();
  return JSON.stringify(found) === JSON.stringify(expected) ? null : `expected ${JSON.stringify(expected)}\n      got      ${JSON.stringify(found)}`;
}
