// The breach-scope report as CSV, one file per section (RFC 4180 quoting, formulas neutralised), for spreadsheets and
// case systems.
import type { BreachScopeReport } from "./breach-scope";

// A cell a spreadsheet would run as a formula: subjects, folder names and search text are the attacker's to choose.
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell: RFC 4180 quoting, and text that starts like a formula prefixed with ' so it stays text. */
export const csvCell = (v: unknown): string => {
  let s = Array.isArray(v) ? v.join("; ") : v === null || v === undefined ? "" : String(v);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

function csv(items: readonly object[], columns?: string[]): string {
  const rows = items as Array<Record<string, unknown>>;
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return [cols.join(","), ...rows.map((r) => cols.map((c) => csvCell(r[c])).join(","))].join("\r\n") + "\r\n";
}

const FOOTPRINT_COLUMNS = ["Time", "Category", "Kind", "UserId", "Mailbox", "Operation", "Target", "Detail", "ClientIP", "SessionId", "AADSessionId", "RecordId", "StillActive", "Remediation"];

/** section name → CSV text. */
export function renderCsv(r: BreachScopeReport): Record<string, string> {
  return {
    answer: csv([{ ...r.question, ...r.answer, internetMessageIds: r.answer.internetMessageIds, mailboxExposures: r.answer.mailboxExposures.map((e) => `${e.kind} ${e.mailboxUpn} ${e.from} → ${e.to}`) }]),
    "still-in": csv(r.stillIn.persistence, FOOTPRINT_COLUMNS),
    reached: csv([...r.reached.data, ...r.reached.signIns], FOOTPRINT_COLUMNS),
    ...(r.correspondents.available ? { correspondents: csv(r.correspondents.external.map((address) => ({ address })), ["address"]) } : {}),
    "mailbox-exposures": csv(r.answer.mailboxExposures, ["mailboxUpn", "kind", "from", "to", "why"]),
    messages: csv(r.messages),
    "synced-messages": csv(r.syncedMessages),
    folders: csv(r.folders, ["mailbox", "folderPath", "kind", "firstAccess", "lastAccess", "accessCount", "clients"]),
    context: csv(r.context, ["kind", "value", "exposures"]),
    timeline: csv(r.timeline, ["at", "until", "kind", "mailbox", "label"]),
    queries: csv(r.queries.map((q) => ({ name: q.name, text: q.text, parameters: JSON.stringify(q.parameters) }))),
    freshness: csv(r.freshness.contentTypes, ["contentType", "lastContentCreated", "lastIngestedAt", "blobs"]),
    scope: csv(r.scope),
  };
}
