// The shared scope vectors: rows in, expected scope out, each with a one-line why. The TypeScript scope
// (test/investigation/vectors.test.ts) and the KQL scope (test/kusto/vectors.ts, npm run test:kusto) run the same files.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadCatalog } from "../../kql/catalog";
import { Tables } from "../../kql/tables";
import type { ScopeRow } from "../../investigation/scope";
import { transformBlob } from "../../functions/src/transform/transform";

export interface VectorQuestion {
  user: string;
  ips: string[];
  sessions: string[];
  aadSessions: string[];
  apps: string[];
  clientInfoStrings: string[];
  start: string;
  end: string;
}

/** What a vector pins of each scope row (the evidence sets and sentences are not part of the contract). */
export const COMPARED = ["Step", "ExposureKind", "PresumedExposed", "MailboxOwnerUPN", "FolderPath", "InternetMessageId", "FirstAccess", "LastAccess", "AccessCount"] as const;
export type ComparedRow = Pick<ScopeRow, (typeof COMPARED)[number]>;

export interface ScopeVector {
  name: string;
  why: string;
  question: VectorQuestion;
  /** Complete microsoft_unified_access_mail rows: every column of the table, defaults filled in. */
  rows: Record<string, unknown>[];
  /** Audit records as the API publishes them (sign-ins), landed through the transform into microsoft_unified_audit. */
  auditRecords?: Record<string, unknown>[];
  expected: ComparedRow[];
}

/** The vector's audit records as the transform lands them in microsoft_unified_audit. */
export function auditRowsOf(v: { auditRecords?: Record<string, unknown>[] }): Array<Record<string, unknown>> {
  if (!v.auditRecords?.length) return [];
  const { auditRows, quarantined } = transformBlob(v.auditRecords, { tenantId: "vector", contentType: "Audit.AzureActiveDirectory", contentId: "vector-blob" });
  if (quarantined.length) throw new Error(`vector audit record quarantined: ${quarantined[0].reason}`);
  return auditRows as unknown as Array<Record<string, unknown>>;
}

export const VECTORS_DIR = __dirname;

/** Column defaults as an ingested row has them when a record does not carry the field. */
function defaults(): Record<string, unknown> {
  const table = loadCatalog().get(Tables.accessMail)!;
  const byType: Record<string, unknown> = { string: "", bool: null, int: null, long: null, datetime: null, dynamic: null };
  return Object.fromEntries(table.columns.map((c) => [c.name, c.name === "ContentId" ? "vector-blob" : byType[c.type] ?? null]));
}

/** A complete microsoft_unified_access_mail row: the given columns, every other one as ingestion leaves it. */
export function accessMailRow(columns: Record<string, unknown>): Record<string, unknown> {
  return { ...defaults(), ...columns };
}

export function loadVectors(dir: string = VECTORS_DIR): ScopeVector[] {
  const base = defaults();
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => {
      const v = JSON.parse(readFileSync(join(dir, f), "utf8")) as Omit<ScopeVector, "name">;
      return { ...v, name: f.replace(/\.json$/, ""), rows: v.rows.map((r) => ({ ...base, ...r })) };
    });
}

/** The compared columns, times as ISO with milliseconds, in one canonical order. */
export function comparable(rows: Array<Record<string, unknown>>): ComparedRow[] {
  const pick = (r: Record<string, unknown>) =>
    Object.fromEntries(COMPARED.map((k) => [k, k === "FirstAccess" || k === "LastAccess" ? new Date(String(r[k])).toISOString() : k === "Step" || k === "AccessCount" ? Number(r[k]) : r[k]])) as unknown as ComparedRow;
  const key = (r: ComparedRow) => COMPARED.map((k) => String(r[k])).join("\u0000");
  return rows.map(pick).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Spellings of IP addresses (and host names) that must share one key within a group and differ across groups. */
export interface IpKeyVector {
  name: string;
  why: string;
  groups: string[][];
}

/** test/vectors/ip-keys/: run through ingestion and ipKey (npm test) and through NormalizedIp (npm run test:kusto). */
export function loadIpKeyVectors(dir: string = join(VECTORS_DIR, "ip-keys")): IpKeyVector[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => ({ ...(JSON.parse(readFileSync(join(dir, f), "utf8")) as Omit<IpKeyVector, "name">), name: f.replace(/\.json$/, "") }));
}

/** Why `keyOf` breaks the vector (a group with two keys, or two groups with one), or null when it keeps it. */
export function ipKeyProblem(v: IpKeyVector, keyOf: (text: string) => string): string | null {
  const owner = new Map<string, number>();
  for (let g = 0; g < v.groups.length; g++) {
    const keys = [...new Set(v.groups[g].map(keyOf))];
    if (keys.length !== 1) return `${JSON.stringify(v.groups[g])} give ${keys.length} keys: ${JSON.stringify(keys)}`;
    const other = owner.get(keys[0]);
    if (other !== undefined) return `${JSON.stringify(v.groups[other])} and ${JSON.stringify(v.groups[g])} share the key ${JSON.stringify(keys[0])}`;
    owner.set(keys[0], g);
  }
  return null;
}

/** A message read, as a report with EmailEvents shows it. */
export interface EmailEventsExpectation {
  InternetMessageId: string;
  InEmailEvents: boolean;
  Subject: string;
  RecipientCount: number;
}

/** Scope rows and EmailEvents rows in, the messages read with what EmailEvents says of each out. */
export interface EmailEventsVector extends Omit<ScopeVector, "expected"> {
  emailEvents: Record<string, unknown>[];
  expected: EmailEventsExpectation[];
}

/** test/vectors/email-events/: run through the local lake's report (npm test) and MailAccessWithEmailEvents (npm run test:kusto). */
export function loadEmailEventsVectors(dir: string = join(VECTORS_DIR, "email-events")): EmailEventsVector[] {
  const base = defaults();
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => {
      const v = JSON.parse(readFileSync(join(dir, f), "utf8")) as Omit<EmailEventsVector, "name">;
      return { ...v, name: f.replace(/\.json$/, ""), rows: v.rows.map((r) => ({ ...base, ...r })) };
    });
}

export const byMessageId = (a: EmailEventsExpectation, b: EmailEventsExpectation) => (a.InternetMessageId < b.InternetMessageId ? -1 : a.InternetMessageId > b.InternetMessageId ? 1 : 0);

/** Records in; the ids an analyst finds filtering microsoft_unified_audit by ClientIP for `ip`. */
export interface AuditClientIpVector {
  name: string;
  why: string;
  ip: string;
  records: Record<string, unknown>[];
  expectedIds: string[];
}

/** test/vectors/audit-client-ip/: through the transform (npm test), and its rows through NormalizedIp(ClientIP) (npm run test:kusto). */
export function loadAuditClientIpVectors(dir: string = join(VECTORS_DIR, "audit-client-ip")): AuditClientIpVector[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => ({ ...(JSON.parse(readFileSync(join(dir, f), "utf8")) as Omit<AuditClientIpVector, "name">), name: f.replace(/\.json$/, "") }));
}

/** What a footprint vector pins of each row (Detail and the identifiers are for readers, not the contract). */
export const FOOTPRINT_COMPARED = ["Kind", "Time", "RecordId", "Target", "StillActive", "Remediation"] as const;
export type FootprintExpectation = Record<(typeof FOOTPRINT_COMPARED)[number], unknown>;

/** Published audit records (and mail-access rows) in, the attacker's footprint out. */
export interface FootprintVector {
  name: string;
  why: string;
  question: VectorQuestion;
  auditRecords: Record<string, unknown>[];
  rows: Record<string, unknown>[];
  expected: FootprintExpectation[];
}

/** test/vectors/footprint/: through investigation/footprint.ts (npm test) and AttackerFootprint (npm run test:kusto). */
export function loadFootprintVectors(dir: string = join(VECTORS_DIR, "footprint")): FootprintVector[] {
  const base = defaults();
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => {
      const v = JSON.parse(readFileSync(join(dir, f), "utf8")) as Omit<FootprintVector, "name">;
      return { ...v, name: f.replace(/\.json$/, ""), rows: (v.rows ?? []).map((r) => ({ ...base, ...r })) };
    });
}

/** The compared columns, times as ISO with milliseconds, in one canonical order. */
export function comparableFootprint(rows: Array<Record<string, unknown>>): FootprintExpectation[] {
  const pick = (r: Record<string, unknown>) =>
    Object.fromEntries(FOOTPRINT_COMPARED.map((k) => [k, k === "Time" ? new Date(String(r[k])).toISOString() : k === "StillActive" ? (r[k] == null ? null : r[k] === true) : String(r[k] ?? "")])) as FootprintExpectation;
  const key = (r: FootprintExpectation) => `${r.Time}\u0000${r.RecordId}`;
  return rows.map(pick).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
