// Entra sessions an attacker signed in to: a successful sign-in (UserLoggedIn) from one of the attacker's IPs in the
// window names its Entra session in DeviceProperties (SessionId). Mail read in that session is the attacker's even
// when it comes through another address (a proxy). The same rule as MailAccessScope's signInSessions.
import { ipKey } from "./ip-key";
import { timeMs, type RawRow } from "./mail-access-row";

export const SIGN_IN = "UserLoggedIn";

/** The Entra session ids (lower case) of successful sign-ins from `attackerIpKeys` within [startMs, endMs]. */
export function signInSessions(auditRows: Iterable<RawRow>, attackerIpKeys: Set<string>, startMs: number, endMs: number): Set<string> {
  const out = new Set<string>();
  if (attackerIpKeys.size === 0) return out;
  for (const row of auditRows) {
    if (row.Operation !== SIGN_IN) continue;
    const ms = timeMs(String(row.CreationTime ?? ""));
    if (!(ms >= startMs && ms <= endMs)) continue;
    if (!attackerIpKeys.has(ipKey(String(row.ClientIP ?? "")))) continue;
    const session = deviceProperty(recordOf(row), "SessionId");
    if (session) out.add(session.toLowerCase());
  }
  return out;
}

/** The Record column: an object from a local run's files, JSON text from some Kusto clients. */
export function recordOf(row: RawRow): Record<string, unknown> {
  const r = row.Record;
  if (typeof r === "string") {
    try {
      return JSON.parse(r) as Record<string, unknown>;
    } catch {
      return {};
    }
  }
  return r && typeof r === "object" ? (r as Record<string, unknown>) : {};
}

/** A [{Name, Value}] property (DeviceProperties, ExtendedProperties), "" when absent. */
export function namedProperty(list: unknown, name: string): string {
  if (!Array.isArray(list)) return "";
  for (const p of list) if (p && typeof p === "object" && (p as { Name?: unknown }).Name === name) return String((p as { Value?: unknown }).Value ?? "");
  return "";
}

const deviceProperty = (record: Record<string, unknown>, name: string) => namedProperty(record.DeviceProperties, name);
