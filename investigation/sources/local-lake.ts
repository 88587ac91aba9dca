// The rows a local run (npm start) left under <data dir>/adx/<database>/<table>.jsonl, read through the TypeScript
// scope: the same four steps MailAccessScope runs in ADX, checked by the same vectors.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { Tables } from "../../kql/tables";
import type { EmailMetadata, Freshness, Lake, QueryRecord, UserActivity } from "../lake";
import { mailAccessRow, timeMs, type RawRow } from "../mail-access-row";
import { mailAccessScope, type RowHint, type ScopeQuestion, type ScopeRow } from "../scope";
import { InvestigationInputError } from "../input-error";
import { ipKey } from "../ip-key";
import { messageIdKey } from "../message-id-key";
import { SIGN_IN } from "../sign-in-sessions";
import { attackerFootprint, attackerSessions, type FootprintRow } from "../footprint";
import { jsonLines, linesContaining, parse, rereadable } from "./json-lines";

const EMAIL_EVENTS = "EmailEvents";
/** Text every record that changes persistence state contains, as ingestion writes rows (JSON.stringify: no spaces):
 *  the operations investigation/footprint.ts settles StillActive with (Remove-*, Disable-InboxRule, Set-Mailbox…). */
export const STATE_CHANGE_NEEDLES = ['"operation":"remove', '"operation":"disable-inboxrule"', '"operation":"set-mailbox', "deleted security info."];

export function openLocalLake(dataDir: string, database?: string): Lake {
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory())
    throw new InvestigationInputError("--local", `${dataDir} is not a directory. Pass the data directory a local run printed (npm start keeps it under /tmp/m365-audit-lake-*/).`);
  // the run's directory, its cloud/ directory, or the adx/ directory itself (what npm start prints as "ADX rows")
  const adxDir = [join(dataDir, "cloud", "adx"), join(dataDir, "adx"), dataDir].find((d) => existsSync(d) && holdsDatabases(d));
  if (!adxDir)
    throw new InvestigationInputError("--local", `${dataDir} holds no landed rows (no <database>/${Tables.accessMail}.jsonl under it, its adx/ or its cloud/adx/). Run npm start (it keeps its data) and pass the directory it prints.`);
  const databases = databasesIn(adxDir);
  if (database !== undefined && !databases.includes(database))
    throw new InvestigationInputError("--database", `database ${database} is not in ${adxDir}; it holds: ${databases.join(", ") || "none"}.`);
  if (database === undefined && databases.length !== 1)
    throw new InvestigationInputError("--database", databases.length === 0 ? `${adxDir} holds no database: the local run landed nothing.` : `${adxDir} holds several databases (${databases.join(", ")}); name one with --database.`);
  const db = database ?? databases[0];
  const table = (name: string) => join(adxDir, db, `${name}.jsonl`);
  const mailFile = table(Tables.accessMail);
  if (!existsSync(mailFile))
    throw new InvestigationInputError("--local", `${mailFile} does not exist: the local run landed no MailItemsAccessed rows in ${db}. Check the run's summary for quarantined blobs.`);
  const queries: QueryRecord[] = [];
  const rows = (name: string) => (existsSync(table(name)) ? rereadable(table(name)) : []);
  // With a named user, one read of the file keeps every line the question can need: the user's (the attacker's rows
  // are the user's, as actor or mailbox), the attacker's identifiers' (sessions seen from the IPs), throttles and syncs.
  let candidates: { key: string; lines: string[] } | null = null;
  const candidateLines = (q: ScopeQuestion): string[] => {
    const key = JSON.stringify(questionParameters(q));
    if (candidates?.key !== key) {
      const anyOf = [q.user, ...q.ips.map(ipKey), ...q.sessions, ...q.aadSessions, ...q.apps].map((x) => x.trim().toLowerCase()).filter((x) => x !== "");
      candidates = { key, lines: [...linesContaining(mailFile, needles({ anyOf, throttled: true, sync: true }))] };
    }
    return candidates.lines;
  };

  // The audit table is the largest file of a lake: it is read once per question. The lines kept are every line the
  // scope's sign-ins and the footprint can need: those naming the user (a footprint row is the user's, as actor or
  // mailbox), an attacker IP (the sessions seen from it), a given session or app, or a change of persistence state.
  const auditFile = table(Tables.unifiedAudit);
  let auditCandidates: { key: string; lines: string[] } | null = null;
  const auditLines = (q: ScopeQuestion, extra: string[] = []): string[] => {
    const key = JSON.stringify([questionParameters(q), extra]);
    if (auditCandidates?.key !== key) {
      const needles = [q.user, ...q.ips.map(ipKey), ...q.sessions, ...q.aadSessions, ...q.apps, ...extra, ...STATE_CHANGE_NEEDLES].map((x) => x.trim().toLowerCase()).filter((x) => x !== "");
      auditCandidates = { key, lines: existsSync(auditFile) ? [...linesContaining(auditFile, needles)] : [] };
    }
    return auditCandidates.lines;
  };

  return {
    where: `local run ${dataDir}, database ${db}`,
    queries,
    async scope(q: ScopeQuestion): Promise<ScopeRow[]> {
      queries.push({
        name: "MailAccessScope (TypeScript, investigation/scope.ts)",
        text: `mailAccessScope(rows of ${mailFile}, question, sign-ins of ${table(Tables.unifiedAudit)})`,
        parameters: questionParameters(q),
      });
      const lines = q.user.trim() !== "" ? candidateLines(q) : null;
      return mailAccessScope({
        rows: (hint) => (lines ? parsed(lines, lineFilter(hint)) : parsed(linesContaining(mailFile, needles(hint)), lineFilter(hint))),
        // sign-ins from the attacker's IPs: among the question's audit lines (they include every line naming an IP)
        signIns: () => parsed(auditLines(q), (line) => line.includes(`"${SIGN_IN}"`)),
      }, q);
    },
    async footprint(q: ScopeQuestion): Promise<FootprintRow[] | null> {
      if (!existsSync(auditFile)) return null;
      queries.push({
        name: "AttackerFootprint (TypeScript, investigation/footprint.ts)",
        text: `attackerFootprint(rows of ${auditFile}, rows of ${mailFile}, question)`,
        parameters: questionParameters(q),
      });
      // Only lines that can matter are parsed. With a user, one read of the audit file keeps them all (see auditLines).
      // For every account, the records in the attacker's context name an IP, a session or an app: the sessions seen
      // from the IPs are learnt first, then their lines are read.
      const ipKeys = q.ips.map(ipKey).filter((x) => x !== "");
      const mail = q.user.trim() !== "" ? [...parsed(candidateLines(q), () => true)] : [...parsed(linesContaining(mailFile, ipKeys), () => true)];
      if (q.user.trim() !== "") return attackerFootprint(parsed(auditLines(q), () => true), mail, q);
      const { sessions, aadSessions } = attackerSessions(parsed(auditLines(q), () => true), mail, q);
      return attackerFootprint(parsed(auditLines(q, [...sessions, ...aadSessions]), () => true), mail, q);
    },
    async userActivity(q: ScopeQuestion): Promise<UserActivity> {
      const u = q.user.trim().toLowerCase();
      let mailRows = 0;
      let mailRowsInWindow = 0;
      for (const raw of parsed(candidateLines(q), (line) => line.toLowerCase().includes(u))) {
        const r = mailAccessRow(raw);
        if (r.UserId.toLowerCase() !== u && r.MailboxOwnerUPN.toLowerCase() !== u) continue;
        mailRows++;
        const ms = timeMs(r.CreationTime);
        if (ms >= q.startMs && ms <= q.endMs) mailRowsInWindow++;
      }
      let auditRows: number | null = null;
      // only when the mail table does not know the user: is the account there at all, or is MailItemsAccessed missing?
      if (mailRows === 0 && existsSync(table(Tables.unifiedAudit))) {
        auditRows = 0;
        for (const raw of jsonLines(table(Tables.unifiedAudit), (line) => line.toLowerCase().includes(u))) if (String(raw.UserId ?? "").toLowerCase() === u) auditRows++;
      }
      return { mailRows, mailRowsInWindow, auditRows };
    },
    async emailMetadata(ids: string[]): Promise<EmailMetadata[] | null> {
      if (!existsSync(table(EMAIL_EVENTS))) return null;
      const wanted = new Set(ids.map(messageIdKey));
      const byMessage = new Map<string, EmailMetadata>();
      for (const r of rereadable(table(EMAIL_EVENTS))) {
        const id = String(r.InternetMessageId ?? "");
        const key = messageIdKey(id);
        if (!wanted.has(key)) continue;
        // one row per recipient: collapse to the earliest delivery and the set of recipients
        const m = byMessage.get(key);
        const at = String(r.Timestamp ?? "");
        if (!m) {
          byMessage.set(key, { InternetMessageId: id, DeliveredAt: at, SenderFromAddress: String(r.SenderFromAddress ?? ""), SenderDisplayName: String(r.SenderDisplayName ?? ""), Subject: String(r.Subject ?? ""), Recipients: [String(r.RecipientEmailAddress ?? "")] });
        } else {
          if (!m.Recipients.includes(String(r.RecipientEmailAddress ?? ""))) m.Recipients.push(String(r.RecipientEmailAddress ?? ""));
          if (at < m.DeliveredAt) Object.assign(m, { DeliveredAt: at, SenderFromAddress: String(r.SenderFromAddress ?? ""), SenderDisplayName: String(r.SenderDisplayName ?? ""), Subject: String(r.Subject ?? "") });
        }
      }
      return [...byMessage.values()];
    },
    async freshness(): Promise<Freshness[]> {
      const byType = new Map<string, Freshness>();
      for (const r of rows(Tables.ledger)) {
        if (r.Status !== "ingested") continue;
        const ct = String(r.ContentType ?? "");
        const f = byType.get(ct) ?? { contentType: ct, lastContentCreated: "", lastIngestedAt: "", blobs: 0 };
        f.blobs++;
        const created = isoOrEmpty(r.ContentCreated);
        const ingested = isoOrEmpty(r.IngestedAt);
        if (created > f.lastContentCreated) f.lastContentCreated = created;
        if (ingested > f.lastIngestedAt) f.lastIngestedAt = ingested;
        byType.set(ct, f);
      }
      return [...byType.values()].sort((a, b) => a.contentType.localeCompare(b.contentType));
    },
    async close() {},
  };
}

/** A superset test on the raw line, before JSON.parse: the rows the hint says may matter, and nothing is missed —
 *  every row of this file was written by the ingestion, whose IP text is already the canonical key. */
function lineFilter(hint: RowHint): (line: string) => boolean {
  const needles = hint.anyOf.filter((x) => x !== "");
  return (line) => {
    const lower = line.toLowerCase();
    if (hint.throttled && /"isthrottled":\s*true/.test(lower)) return true;
    if (hint.sync && /"mailaccesstype":\s*"sync"/.test(lower)) return true;
    for (const n of needles) if (lower.includes(n)) return true;
    return false;
  };
}

function* parsed(lines: Iterable<string>, keep: (line: string) => boolean): Generator<RawRow> {
  let i = 0;
  for (const line of lines) if (keep(line)) yield parse(line, "candidate rows", ++i);
}

/** The text a row the hint names must contain (JSON.stringify writes no spaces: the ingestion's and the ADX emulator's rows). */
function needles(hint: RowHint): string[] {
  return [
    ...hint.anyOf.map((x) => x.toLowerCase()),
    ...(hint.throttled ? ['"isthrottled":true', '"isthrottled": true'] : []),
    ...(hint.sync ? ['"mailaccesstype":"sync"', '"mailaccesstype": "sync"'] : []),
  ];
}

function databasesIn(dir: string): string[] {
  return readdirSync(dir).filter((d) => statSync(join(dir, d)).isDirectory() && existsSync(join(dir, d, `${Tables.accessMail}.jsonl`))).sort();
}

function holdsDatabases(dir: string): boolean {
  return statSync(dir).isDirectory() && databasesIn(dir).length > 0;
}

function isoOrEmpty(v: unknown): string {
  const ms = timeMs(String(v ?? ""));
  return Number.isNaN(ms) ? "" : new Date(ms).toISOString();
}

export function questionParameters(q: ScopeQuestion): Record<string, string> {
  return {
    user: q.user,
    ips: JSON.stringify(q.ips),
    sessions: JSON.stringify(q.sessions),
    start: new Date(q.startMs).toISOString(),
    end: new Date(q.endMs).toISOString(),
    clientInfoStrings: JSON.stringify(q.clientInfoStrings),
    aadSessions: JSON.stringify(q.aadSessions),
    apps: JSON.stringify(q.apps),
  };
}
