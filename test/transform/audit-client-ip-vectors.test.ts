import { transformBlob } from "../../functions/src/transform/transform";
import { ipKey } from "../../investigation/ip-key";
import { loadAuditClientIpVectors } from "../vectors/vectors";

// test/vectors/audit-client-ip/ through the transform: the ClientIP column of microsoft_unified_audit. npm run
// test:kusto lands the same rows and filters them with NormalizedIp(ClientIP).
const vectors = loadAuditClientIpVectors();

describe.each(vectors.map((v) => [v.name, v] as const))("audit ClientIP vector %s", (_name, v) => {
  test(v.why, () => {
    const { auditRows, quarantined } = transformBlob(v.records, { tenantId: "t", contentType: "Audit.Exchange", contentId: "vector-blob" });
    expect(quarantined).toEqual([]);
    expect(auditRows.filter((r) => ipKey(r.ClientIP) === ipKey(v.ip)).map((r) => r.Id).sort()).toEqual([...v.expectedIds].sort());
    // the record keeps the address fields as they came
    for (const r of auditRows) expect(r.Record).toBe(v.records.find((x) => x.Id === r.Id));
  });
});
