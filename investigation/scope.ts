// Which mail did the attacker read? Microsoft's four MailItemsAccessed steps, corrected, in TypeScript: the same logic
// as kql/functions/mail-access-scope.kql (MailAccessScope), row for row. test/vectors/*.json hold both to it.
// Step 1: throttled periods of the victim's mailbox and of every mailbox the attacker touched (24 h before the window too).
// Step 2: Syncs in the window from no attacker identifier (to review). Step 3: a Sync in the attacker's context exposes
// the whole mailbox (the synced folders and any messages an EWS Sync names are its evidence). Step 4: messages bound
// or whose attachments were opened.
import { ipKey } from "./ip-key";
import { signInSessions } from "./sign-in-sessions";
import { dedupKey, mailAccessRow, timeMs, type MailAccessRow, type RawRow } from "./mail-access-row";

const DAY = 86_400_000;
const SET_LIMIT = 100; // make_set(..., 100) in the KQL

export interface ScopeQuestion {
  /** UPN of the compromised account; "" = every account. */
  user: string;
  ips: string[];
  sessions: string[];
  aadSessions: string[];
  /** AppId or ClientAppId: app-only access has no Exchange session. */
  apps: string[];
  /** Narrows the attacker's context to these ClientInfoStrings (exact) when not empty. */
  clientInfoStrings: string[];
  /** Inclusive window, epoch ms. */
  startMs: number;
  endMs: number;
}

export type ExposureKind = "ThrottledMailbox" | "SyncToReview" | "SyncedMailbox" | "SyncedFolder" | "SyncedMessage" | "BoundMessage";

/** One row of MailAccessScope's result: the same columns, the same meaning. Times are ISO 8601 UTC. */
export interface ScopeRow {
  Step: 1 | 2 | 3 | 4;
  ExposureKind: ExposureKind;
  PresumedExposed: boolean;
  MailboxOwnerUPN: string;
  FolderPath: string;
  InternetMessageId: string;
  ItemId: string;
  FirstAccess: string;
  LastAccess: string;
  AccessCount: number;
  SizeInBytes: number | null;
  ClientIPAddresses: string[];
  SessionIds: string[];
  AADSessionIds: string[];
  AppIds: string[];
  ClientInfoStrings: string[];
  UserIds: string[];
  RecordIds: string[];
  Evidence: string;
}

/**
 * What a pass over the rows needs, so a large source can skip rows cheaply before parsing them: a row can matter only
 * if its text contains one of `anyOf` (lower case: IP keys as ingestion writes them, session and app ids), or it is
 * throttled (pass 1), or it is a Sync (pass 2). A source may ignore the hint and yield every row.
 */
export interface RowHint {
  anyOf: string[];
  throttled: boolean;
  sync: boolean;
}

export interface RowSource {
  rows(hint: RowHint): Iterable<RawRow>;
  /** microsoft_unified_audit rows that may be sign-ins from `ipKeys` (a superset is fine); none when the lake has no audit table. */
  signIns?(ipKeys: string[]): Iterable<RawRow>;
}

/**
 * The scope of `question` over `rows`. The rows are read twice (first for the sessions seen from the attacker's IPs,
 * then for the attacker's rows), so a source can stream a large lake instead of holding it.
 */
export function mailAccessScope(source: Iterable<RawRow> | RowSource, question: ScopeQuestion, auditRows: Iterable<RawRow> = []): ScopeRow[] {
  const isSource = "rows" in source && typeof source.rows === "function";
  const rowsFor = (hint: RowHint): Iterable<RawRow> => (isSource ? (source as RowSource).rows(hint) : (source as Iterable<RawRow>));
  const q = question;
  const victim = q.user.trim().toLowerCase();
  const attackerIps = new Set(q.ips.filter((x) => x.trim() !== "").map(ipKey));
  const knownClients = new Set(q.clientInfoStrings.filter((c) => c !== ""));
  const lowerSet = (xs: string[]) => new Set(xs.filter((x) => x !== "").map((x) => x.toLowerCase()));
  const sessions = lowerSet(q.sessions);
  const aadSessions = lowerSet(q.aadSessions);
  const apps = lowerSet(q.apps);
  const inWindow = (ms: number) => ms >= q.startMs && ms <= q.endMs;

  // an Entra session signed in to from an attacker IP in the window is the attacker's, whatever address reads through it
  const signIns = isSource && (source as RowSource).signIns ? (source as RowSource).signIns!([...attackerIps]) : auditRows;
  for (const s of signInSessions(signIns, attackerIps, q.startMs, q.endMs)) aadSessions.add(s);

  // pass 1: an Exchange or Entra session seen from an attacker IP in the window is the attacker's wherever it goes
  const throttleCandidates: MailAccessRow[] = [];
  for (const raw of rowsFor({ anyOf: [...attackerIps], throttled: true, sync: false })) {
    const r = mailAccessRow(raw);
    const ms = timeMs(r.CreationTime);
    if (r.IsThrottled === true && ms >= q.startMs - DAY && ms <= q.endMs) throttleCandidates.push(r);
    if (!inWindow(ms) || attackerIps.size === 0 || !attackerIps.has(ipKey(r.ClientIPAddress))) continue;
    if (r.SessionId) sessions.add(r.SessionId.toLowerCase());
    if (r.AADSessionId) aadSessions.add(r.AADSessionId.toLowerCase());
  }

  // pass 2: the attacker's rows, and every Sync in the window (step 2 reviews those of the mailboxes in scope)
  const attacker = new Map<string, MailAccessRow>();
  const syncs = new Map<string, MailAccessRow>();
  for (const raw of rowsFor({ anyOf: [...attackerIps, ...sessions, ...aadSessions, ...apps], throttled: false, sync: true })) {
    const r = mailAccessRow(raw);
    if (!inWindow(timeMs(r.CreationTime))) continue;
    if (r.MailAccessType === "Sync") syncs.set(dedupKey(r), r);
    if (victim !== "" && r.UserId.toLowerCase() !== victim && r.MailboxOwnerUPN.toLowerCase() !== victim) continue;
    const matches =
      attackerIps.has(ipKey(r.ClientIPAddress)) ||
      (r.SessionId !== "" && sessions.has(r.SessionId.toLowerCase())) ||
      (r.AADSessionId !== "" && aadSessions.has(r.AADSessionId.toLowerCase())) ||
      (r.AppId !== "" && apps.has(r.AppId.toLowerCase())) ||
      (r.ClientAppId !== "" && apps.has(r.ClientAppId.toLowerCase()));
    if (!matches) continue;
    if (knownClients.size > 0 && !knownClients.has(r.ClientInfoString)) continue;
    attacker.set(dedupKey(r), r);
  }
  const attackerRows = [...attacker.values()];
  const mailboxes = new Set(attackerRows.map((r) => r.MailboxOwnerUPN.toLowerCase()));
  if (victim !== "") mailboxes.add(victim);
  const attackerRecords = new Set(attackerRows.map((r) => r.RecordId));

  const throttled = throttledPeriods(dedup(throttleCandidates).filter((r) => mailboxes.has(r.MailboxOwnerUPN.toLowerCase())), q);
  const syncsToReview = [...syncs.values()].filter((r) => mailboxes.has(r.MailboxOwnerUPN.toLowerCase()) && !attackerRecords.has(r.RecordId));
  const attackerSyncs = attackerRows.filter((r) => r.MailAccessType === "Sync");
  // an opened attachment (AttachmentAccess) is its message opened
  const attackerBinds = attackerRows.filter((r) => r.MailAccessType === "Bind" || r.MailAccessType === "AttachmentAccess");

  const result: ScopeRow[] = [
    ...throttled,
    ...groupBy(syncsToReview, (r) => [r.MailboxOwnerUPN.toLowerCase(), r.FolderPath]).map((g) =>
      exposure(2, "SyncToReview", false, g, { FolderPath: g[0].FolderPath },
        "Sync in the window from no known attacker IP, session or app: if this client is not the user's, add its identifiers and run again"),
    ),
    ...groupBy(attackerSyncs, (r) => [r.MailboxOwnerUPN.toLowerCase()]).map((g) =>
      exposure(3, "SyncedMailbox", true, g, {},
        "Sync in the attacker's context: Microsoft's guidance is to assume every mail item was synced to the attacker's client, so the whole mailbox as of LastAccess is presumed exposed (the synced folders below are the evidence, not the limit)"),
    ),
    ...groupBy(attackerSyncs, (r) => [r.MailboxOwnerUPN.toLowerCase(), r.FolderPath]).map((g) =>
      exposure(3, "SyncedFolder", true, g, { FolderPath: g[0].FolderPath }, "Sync in the attacker's context named this folder: evidence of the mailbox-level exposure"),
    ),
    ...messages(attackerSyncs).map((g) => exposure(3, "SyncedMessage", true, g, messageColumns(g), "Sync in the attacker's context (an EWS client) named this message")),
    ...messages(attackerBinds).map((g) => exposure(4, "BoundMessage", true, g, messageColumns(g), "Bind or AttachmentAccess in the attacker's context: this message (or its attachment) was opened")),
  ];
  return result.sort((a, b) => a.Step - b.Step || cmp(a.MailboxOwnerUPN, b.MailboxOwnerUPN) || cmp(a.FirstAccess, b.FirstAccess) || cmp(a.FolderPath, b.FolderPath) || cmp(a.InternetMessageId, b.InternetMessageId));
}

function throttledPeriods(rows: MailAccessRow[], q: ScopeQuestion): ScopeRow[] {
  const sorted = rows
    .map((r) => ({ r, ms: timeMs(r.CreationTime), mailbox: r.MailboxOwnerUPN.toLowerCase() }))
    .sort((a, b) => cmp(a.mailbox, b.mailbox) || a.ms - b.ms);
  const periods: Array<typeof sorted> = [];
  for (let i = 0; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    // each IsThrottled record blinds Bind auditing for the next 24 h; a record inside that extends the same period
    if (!prev || prev.mailbox !== sorted[i].mailbox || sorted[i].ms > prev.ms + DAY) periods.push([]);
    periods[periods.length - 1].push(sorted[i]);
  }
  const out: ScopeRow[] = [];
  for (const p of periods) {
    const throttledAt = p[0].ms;
    const blindUntil = p[p.length - 1].ms + DAY;
    if (blindUntil < q.startMs) continue;
    const row = exposure(1, "ThrottledMailbox", true, p.map((x) => x.r), {},
      `IsThrottled=True at ${kustoTime(throttledAt)} UTC: Bind auditing stopped until ${kustoTime(blindUntil)} UTC, so every item in the mailbox is presumed accessed in that period`);
    row.FirstAccess = iso(Math.max(throttledAt, q.startMs));
    row.LastAccess = iso(Math.min(blindUntil, q.endMs));
    out.push(row);
  }
  return out;
}

/** One group per mailbox and message: Microsoft's sample items have no Id, so the message is its InternetMessageId. */
function messages(rows: MailAccessRow[]): MailAccessRow[][] {
  return groupBy(
    rows.filter((r) => r.InternetMessageId !== "" || r.ItemId !== ""),
    (r) => [r.MailboxOwnerUPN.toLowerCase(), r.InternetMessageId !== "" ? r.InternetMessageId : r.ItemId],
  );
}

function messageColumns(g: MailAccessRow[]): Partial<ScopeRow> {
  const itemIds = uniq(g.map((r) => r.ItemId).filter((x) => x !== "")).sort(cmp);
  let size: number | null = null;
  for (const r of g) if (r.SizeInBytes !== null && (size === null || r.SizeInBytes > size)) size = r.SizeInBytes;
  return {
    FolderPath: uniq(g.map((r) => r.FolderPath)).sort(cmp).join(" | "),
    InternetMessageId: g.find((r) => r.InternetMessageId !== "")?.InternetMessageId ?? "",
    ItemId: itemIds[0] ?? "",
    SizeInBytes: size,
  };
}

function exposure(step: ScopeRow["Step"], kind: ExposureKind, presumed: boolean, g: MailAccessRow[], columns: Partial<ScopeRow>, evidence: string): ScopeRow {
  const times = g.map((r) => timeMs(r.CreationTime));
  const set = (pick: (r: MailAccessRow) => string) => uniq(g.map(pick)).slice(0, SET_LIMIT);
  return {
    Step: step,
    ExposureKind: kind,
    PresumedExposed: presumed,
    MailboxOwnerUPN: g[0].MailboxOwnerUPN,
    FolderPath: "",
    InternetMessageId: "",
    ItemId: "",
    FirstAccess: iso(Math.min(...times)),
    LastAccess: iso(Math.max(...times)),
    AccessCount: new Set(g.map((r) => r.RecordId)).size,
    SizeInBytes: null,
    ClientIPAddresses: set((r) => r.ClientIPAddress),
    SessionIds: set((r) => r.SessionId),
    AADSessionIds: set((r) => r.AADSessionId),
    AppIds: set((r) => r.ClientAppId),
    ClientInfoStrings: set((r) => r.ClientInfoString),
    UserIds: set((r) => r.UserId),
    RecordIds: set((r) => r.RecordId),
    Evidence: evidence,
    ...columns,
  };
}

function dedup(rows: MailAccessRow[]): MailAccessRow[] {
  return [...new Map(rows.map((r) => [dedupKey(r), r])).values()];
}

function groupBy(rows: MailAccessRow[], key: (r: MailAccessRow) => string[]): MailAccessRow[][] {
  const groups = new Map<string, MailAccessRow[]>();
  for (const r of rows) {
    const k = key(r).join("\u0000");
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  return [...groups.values()];
}

const uniq = (xs: string[]) => [...new Set(xs)];
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const iso = (ms: number) => new Date(ms).toISOString();
/** format_datetime(t, "yyyy-MM-dd HH:mm:ss"), as the KQL writes it into the evidence. */
const kustoTime = (ms: number) => iso(ms).slice(0, 19).replace("T", " ");
