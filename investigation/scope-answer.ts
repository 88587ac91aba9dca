// The answer a responder states from the scope rows: the messages read, the folders synced, the periods a whole
// mailbox is presumed exposed, and the attacker's sessions; and how two answers compare (a run against ground truth).
import type { ScopeRow } from "./scope";

export interface MailboxExposure {
  mailboxUpn: string;
  kind: "ThrottledMailbox" | "SyncedMailbox";
  from: string;
  to: string;
}

export interface ScopeAnswer {
  /** Step 4: distinct InternetMessageIds opened in the attacker's context (sorted). */
  boundInternetMessageIds: string[];
  /** Step 3 evidence: folder paths synced in the attacker's context (sorted). */
  syncedFolders: string[];
  /** Steps 1 and 3: whole mailboxes presumed exposed, and when. */
  mailboxExposures: MailboxExposure[];
  /** Exchange sessions and Entra sessions of the attacker's rows (sorted). */
  attackerSessionIds: string[];
  attackerAadSessionIds: string[];
}

export function scopeAnswer(rows: ScopeRow[]): ScopeAnswer {
  const attackerRows = rows.filter((r) => r.Step === 3 || r.Step === 4);
  const sorted = (xs: Iterable<string>) => [...new Set(xs)].filter((x) => x !== "").sort();
  return {
    boundInternetMessageIds: sorted(rows.filter((r) => r.ExposureKind === "BoundMessage").map((r) => r.InternetMessageId)),
    syncedFolders: sorted(rows.filter((r) => r.ExposureKind === "SyncedFolder").map((r) => r.FolderPath)),
    mailboxExposures: rows
      .filter((r) => r.ExposureKind === "ThrottledMailbox" || r.ExposureKind === "SyncedMailbox")
      .map((r) => ({ mailboxUpn: r.MailboxOwnerUPN, kind: r.ExposureKind as MailboxExposure["kind"], from: r.FirstAccess, to: r.LastAccess })),
    attackerSessionIds: sorted(attackerRows.flatMap((r) => r.SessionIds)),
    attackerAadSessionIds: sorted(attackerRows.flatMap((r) => r.AADSessionIds)),
  };
}

/** "kind mailbox from → to", mailbox in lower case: how exposures are compared. */
export function exposureKey(e: MailboxExposure): string {
  return `${e.kind} ${e.mailboxUpn.toLowerCase()} ${new Date(e.from).toISOString()} → ${new Date(e.to).toISOString()}`;
}

export interface SetComparison {
  found: number;
  expected: number;
  missing: string[];
  unexpected: string[];
}

export function compareSets(found: Iterable<string>, expected: Iterable<string>): SetComparison {
  const f = new Set(found);
  const e = new Set(expected);
  return {
    found: f.size,
    expected: e.size,
    missing: [...e].filter((x) => !f.has(x)).sort(),
    unexpected: [...f].filter((x) => !e.has(x)).sort(),
  };
}

export const isExact = (c: SetComparison) => c.missing.length === 0 && c.unexpected.length === 0;
