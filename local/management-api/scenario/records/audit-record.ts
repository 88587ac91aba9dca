// Fields every unified audit record shares, and the value shapes the service really writes.
import type { Random } from "../../random";

export type AuditRecord = Record<string, unknown>;

/** CreationTime as the service writes it: UTC, second precision, WITHOUT a trailing Z. */
export function creationTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

/** The common header, in the service's field order. */
export function auditHeader(h: {
  id: string;
  ms: number;
  operation: string;
  organizationId: string;
  recordType: number;
  resultStatus?: string;
  userKey: string;
  userType?: number;
  workload: string;
  clientIp?: string;
  objectId?: string;
  userId: string;
}): AuditRecord {
  const r: AuditRecord = {
    CreationTime: creationTime(h.ms),
    Id: h.id,
    Operation: h.operation,
    OrganizationId: h.organizationId,
    RecordType: h.recordType,
  };
  if (h.resultStatus !== undefined) r.ResultStatus = h.resultStatus;
  r.UserKey = h.userKey;
  r.UserType = h.userType ?? 0;
  r.Version = 1;
  r.Workload = h.workload;
  if (h.clientIp !== undefined) r.ClientIP = h.clientIp;
  if (h.objectId !== undefined) r.ObjectId = h.objectId;
  r.UserId = h.userId;
  return r;
}

/** Addresses arrive as `a.b.c.d`, `a.b.c.d:port`, `[v6]:port` or bare `v6`, now and then with a leading space as in
 *  published samples (`" 52.159.112.221"`): consumers must normalise. */
export function shapeIp(ip: string, rng: Random): string {
  const port = rng.int(1024, 65535);
  // decided by the port already drawn, so the rest of the emulated week stays as it was
  const pad = port % 50 === 0 ? " " : "";
  if (ip.includes(":")) return pad + (rng.chance(0.5) ? `[${ip}]:${port}` : ip);
  return pad + (rng.chance(0.45) ? `${ip}:${port}` : ip);
}

/** Exchange store ids look like base64 of an entry id: "LgAAAAB..." (folders), "RgAAAAB..." (items). */
export function storeId(prefix: string, rng: Random, length = 64): string {
  const bytes = Buffer.allocUnsafe((Math.ceil((length - prefix.length) / 4) + 1) * 4);
  for (let i = 0; i < bytes.length; i += 4) bytes.writeUInt32LE(rng.next(), i);
  return prefix + bytes.toString("base64").slice(0, length - prefix.length - 4) + "AAAJ";
}
