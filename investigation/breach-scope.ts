// The breach-scope report's content, built once and rendered as HTML, CSV or JSON: whether the attacker is still in
// (persistence, with its remediation), the answer, what else was reached, then the timeline,
// the messages (with EmailEvents metadata when the lake has it), folders, mailboxes, the attacker's context, the exact
// queries and parameters, and how fresh the data is.
import type { FootprintRow } from "./footprint";
import { InvestigationInputError } from "./input-error";
import type { EmailMetadata, Freshness, Lake, QueryRecord } from "./lake";
import { messageIdKey } from "./message-id-key";
import type { ScopeQuestion, ScopeRow } from "./scope";
import { scopeAnswer, type MailboxExposure } from "./scope-answer";

export interface MessageRead {
  mailbox: string;
  folderPath: string;
  internetMessageId: string;
  firstAccess: string;
  lastAccess: string;
  accessCount: number;
  sizeInBytes: number | null;
  /** Present only when EmailEvents is in the lake: whether it knows the message, and what it says of it. */
  inEmailEvents?: boolean;
  sender?: string;
  recipients?: string;
  subject?: string;
  deliveredAt?: string;
}

export interface TimelineEvent {
  at: string;
  until: string;
  /** A mail exposure, or a footprint row's category (sign-in, persistence, other data reached). */
  kind: ScopeRow["ExposureKind"] | FootprintRow["Category"];
  mailbox: string;
  label: string;
}

export interface BreachScopeReport {
  title: string;
  generatedAt: string;
  source: string;
  question: { user: string; ips: string[]; sessions: string[]; aadSessions: string[]; apps: string[]; clientInfoStrings: string[]; from: string; to: string };
  answer: {
    /** One sentence a reader can repeat. */
    summary: string;
    messagesRead: number;
    internetMessageIds: string[];
    foldersSynced: string[];
    mailboxExposures: Array<MailboxExposure & { why: string }>;
    syncsToReview: number;
    mayBeIncomplete: boolean;
  };
  /** Is the attacker still in? Persistence they set (inbox rules, forwarding, delegates, consents, MFA methods), the
   *  live ones first, each with the call that removes it. */
  stillIn: { available: boolean; note: string; active: number; persistence: FootprintRow[] };
  /** What else was reached (files, attachments, mail sent, deletions, searches), and the sign-ins, in time order. */
  reached: { signIns: FootprintRow[]; data: FootprintRow[] };
  /** With EmailEvents: the distinct external senders and recipients of the messages read (who may need notifying). */
  correspondents: { available: boolean; external: string[]; note: string };
  timeline: TimelineEvent[];
  messages: MessageRead[];
  emailEvents: { available: boolean; note: string };
  syncedMessages: MessageRead[];
  folders: Array<{ mailbox: string; folderPath: string; kind: "SyncedFolder" | "SyncToReview"; firstAccess: string; lastAccess: string; accessCount: number; clients: string }>;
  context: Array<{ kind: "Exchange session" | "Entra session" | "IP address" | "client" | "app"; value: string; exposures: number }>;
  queries: QueryRecord[];
  freshness: { contentTypes: Freshness[]; note: string };
  /** The raw scope rows, as MailAccessScope returns them. */
  scope: ScopeRow[];
}

const CONTENT_TYPE_OF_MAIL = "Audit.Exchange";

/** Runs the question against the lake and assembles the report; bad input and empty answers throw a clear error. */
export async function breachScope(lake: Lake, q: ScopeQuestion, now: Date = new Date()): Promise<BreachScopeReport> {
  if (q.user !== "") {
    const activity = await lake.userActivity(q);
    if (activity.mailRows === 0 && !(activity.auditRows && activity.auditRows > 0))
      throw new InvestigationInputError("--user", `${q.user} appears in no ${activity.auditRows === null ? "MailItemsAccessed" : "audit"} record in ${lake.where}. Check the spelling (the UPN, e.g. alice@contoso.onmicrosoft.com), or that this is the tenant's database.`);
    if (activity.mailRows === 0)
      throw new InvestigationInputError("--user", `${q.user} has audit records in ${lake.where} but not one MailItemsAccessed row. Likely causes: mailbox auditing is off for this mailbox, or the user has no licence that records MailItemsAccessed (E5/Audit Premium, or E3 since 2024). This is not an empty answer: nothing can be said about which mail was read.`);
    if (activity.mailRowsInWindow === 0)
      throw new InvestigationInputError("--from/--to",
        `${lake.where} holds no MailItemsAccessed row of ${q.user} between ${iso(q.startMs)} and ${iso(q.endMs)}` +
          (activity.mailRows === 0 ? " (none at all)" : ` (${activity.mailRows} outside the window)`) +
          ". This is not an empty answer. Likely causes: mailbox auditing is off for this mailbox (Get-Mailbox | fl AuditEnabled), the user has no licence that records MailItemsAccessed (E5/Audit Premium, or E3 since 2024), or ingestion has not caught up (run status / see the freshness below). Widen the window or fix the cause, then run again.");
  }
  const scope = await lake.scope(q);
  const footprint = await lake.footprint(q);
  const answer = scopeAnswer(scope);
  const bound = scope.filter((r) => r.ExposureKind === "BoundMessage");
  const metadata = await lake.emailMetadata(answer.boundInternetMessageIds);
  const freshness = await lake.freshness();
  const byId = new Map((metadata ?? []).map((m) => [messageIdKey(m.InternetMessageId), m]));

  const exchange = freshness.find((f) => f.contentType === CONTENT_TYPE_OF_MAIL);
  const mayBeIncomplete = !exchange || exchange.lastContentCreated === "" || Date.parse(exchange.lastContentCreated) < q.endMs;
  const exposures = answer.mailboxExposures.map((e) => ({ ...e, why: e.kind === "ThrottledMailbox" ? "Exchange stopped auditing Binds for 24 h after IsThrottled=True: every item is presumed accessed in that period (step 1)." : "A Sync in the attacker's context: Microsoft's guidance is to assume every mail item was synced to the attacker's client (step 3)." }));
  const messageRow = (r: ScopeRow): MessageRead => {
    const m: MessageRead = { mailbox: r.MailboxOwnerUPN, folderPath: r.FolderPath, internetMessageId: r.InternetMessageId, firstAccess: r.FirstAccess, lastAccess: r.LastAccess, accessCount: r.AccessCount, sizeInBytes: r.SizeInBytes };
    if (metadata) {
      const e = byId.get(messageIdKey(r.InternetMessageId));
      Object.assign(m, { inEmailEvents: e !== undefined, sender: e ? `${e.SenderDisplayName} <${e.SenderFromAddress}>` : "", recipients: e ? e.Recipients.join("; ") : "", subject: e?.Subject ?? "", deliveredAt: e?.DeliveredAt ?? "" });
    }
    return m;
  };
  const toReview = scope.filter((r) => r.ExposureKind === "SyncToReview");
  const persistence = (footprint ?? []).filter((r) => r.Category === "Persistence").sort((a, b) => Number(b.StillActive === true) - Number(a.StillActive === true) || cmp(a.Time, b.Time));
  const active = persistence.filter((r) => r.StillActive === true);
  const summary =
    (footprint === null ? "" : active.length ? `The attacker may still be in: ${active.length} persistence item${active.length === 1 ? "" : "s"} still hold${active.length === 1 ? "s" : ""} (${[...new Set(active.map((r) => r.Kind))].join(", ")}). ` : "No persistence the attacker set still holds. ") +
    `${answer.boundInternetMessageIds.length} message${answer.boundInternetMessageIds.length === 1 ? " was" : "s were"} read in the attacker's context` +
    (answer.syncedFolders.length ? `; ${answer.syncedFolders.length} folder${answer.syncedFolders.length === 1 ? " was" : "s were"} synced` : "; no folder was synced") +
    (exposures.length ? `; ${new Set(exposures.map((e) => e.mailboxUpn.toLowerCase())).size} whole mailbox${exposures.length === 1 ? " is" : "es are"} presumed exposed for ${exposures.length} period${exposures.length === 1 ? "" : "s"}` : "; no whole mailbox is presumed exposed") +
    (mayBeIncomplete ? ". The lake has not caught up to the end of the window: the scope may be incomplete." : ".");

  return {
    title: `Breach scope: ${q.user || "every account"}, ${iso(q.startMs)} – ${iso(q.endMs)}`,
    generatedAt: now.toISOString(),
    source: lake.where,
    question: { user: q.user, ips: q.ips, sessions: q.sessions, aadSessions: q.aadSessions, apps: q.apps, clientInfoStrings: q.clientInfoStrings, from: iso(q.startMs), to: iso(q.endMs) },
    answer: {
      summary,
      messagesRead: answer.boundInternetMessageIds.length,
      internetMessageIds: answer.boundInternetMessageIds,
      foldersSynced: answer.syncedFolders,
      mailboxExposures: exposures,
      syncsToReview: toReview.length,
      mayBeIncomplete,
    },
    stillIn: footprint === null
      ? { available: false, active: 0, persistence: [], note: `${lake.where} holds no audit table (microsoft_unified_audit), so sign-ins, persistence and other data reached cannot be read. Land every content type (Audit.Exchange, Audit.AzureActiveDirectory, Audit.SharePoint), then run again.` }
      : { available: true, active: active.length, persistence, note: "Persistence the attacker set in the window; StillActive means no later record in the window removed it. Run each remediation after checking it against the mailbox or tenant as it is now." },
    reached: {
      signIns: (footprint ?? []).filter((r) => r.Category === "SignIn"),
      data: (footprint ?? []).filter((r) => r.Category === "DataReached"),
    },
    correspondents: correspondents(metadata, bound, scope),
    timeline: [
      ...scope
        .filter((r) => r.ExposureKind !== "SyncedMessage")
        .map((r): TimelineEvent => ({ at: r.FirstAccess, until: r.LastAccess, kind: r.ExposureKind, mailbox: r.MailboxOwnerUPN, label: r.InternetMessageId || r.FolderPath || "whole mailbox" })),
      ...(footprint ?? []).map((r): TimelineEvent => ({ at: r.Time, until: r.Time, kind: r.Category, mailbox: r.Mailbox, label: `${r.Kind} ${r.Target}`.trim() })),
    ],
    messages: bound.map(messageRow),
    emailEvents: metadata
      ? { available: true, note: `Sender, recipients and subject from EmailEvents (${byId.size} of ${bound.length} messages found there; absence there is not absence of exposure).` }
      : { available: false, note: "EmailEvents is not in this lake, so sender, recipients and subject are not shown. Export Defender XDR's EmailEvents to the tenant's ADX database (Defender XDR streaming API or Sentinel's Microsoft Defender XDR connector with ADX export), or for a local run place EmailEvents.jsonl beside the other tables, then run again." },
    syncedMessages: scope.filter((r) => r.ExposureKind === "SyncedMessage").map(messageRow),
    folders: scope
      .filter((r): r is ScopeRow & { ExposureKind: "SyncedFolder" | "SyncToReview" } => r.ExposureKind === "SyncedFolder" || r.ExposureKind === "SyncToReview")
      .map((r) => ({ mailbox: r.MailboxOwnerUPN, folderPath: r.FolderPath, kind: r.ExposureKind, firstAccess: r.FirstAccess, lastAccess: r.LastAccess, accessCount: r.AccessCount, clients: r.ClientInfoStrings.join("; ") })),
    context: context(scope.filter((r) => r.Step === 3 || r.Step === 4)),
    queries: lake.queries,
    freshness: {
      contentTypes: freshness,
      note: mayBeIncomplete
        ? `The newest landed ${CONTENT_TYPE_OF_MAIL} blob ${exchange?.lastContentCreated ? `was created ${exchange.lastContentCreated}` : "is missing"}, before the end of the window (${iso(q.endMs)}): Microsoft publishes records 60–90 min late and the lake may lag further, so the scope may be incomplete. Run again once it has caught up.`
        : `The lake holds ${CONTENT_TYPE_OF_MAIL} blobs created after the end of the window: it has caught up for this question.`,
    },
    scope,
  };
}

/** The distinct external senders and recipients of the messages read: domains other than those of the mailboxes in scope. */
function correspondents(metadata: EmailMetadata[] | null, bound: ScopeRow[], scope: ScopeRow[]): BreachScopeReport["correspondents"] {
  if (!metadata) return { available: false, external: [], note: "EmailEvents is not in this lake: the correspondents of the messages read cannot be listed." };
  const domainOf = (address: string) => address.slice(address.lastIndexOf("@") + 1).toLowerCase();
  const internal = new Set(scope.map((r) => domainOf(r.MailboxOwnerUPN)).filter((d) => d !== ""));
  const read = new Set(bound.map((r) => messageIdKey(r.InternetMessageId)));
  const external = new Set<string>();
  for (const m of metadata) {
    if (!read.has(messageIdKey(m.InternetMessageId))) continue;
    for (const address of [m.SenderFromAddress, ...m.Recipients]) {
      const a = address.trim().toLowerCase();
      if (a.includes("@") && !internal.has(domainOf(a))) external.add(a);
    }
  }
  return {
    available: true,
    external: [...external].sort(),
    note: `Senders and recipients of the messages read whose domain is not a domain of the mailboxes in scope (${[...internal].sort().join(", ")}): the people counsel may have to notify.`,
  };
}

function context(rows: ScopeRow[]): BreachScopeReport["context"] {
  const out: BreachScopeReport["context"] = [];
  const add = (kind: BreachScopeReport["context"][number]["kind"], pick: (r: ScopeRow) => string[]) => {
    const counts = new Map<string, number>();
    for (const r of rows) for (const v of new Set(pick(r))) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
    for (const [value, n] of [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) out.push({ kind, value, exposures: n });
  };
  add("Exchange session", (r) => r.SessionIds);
  add("Entra session", (r) => r.AADSessionIds);
  add("IP address", (r) => r.ClientIPAddresses);
  add("client", (r) => r.ClientInfoStrings);
  add("app", (r) => r.AppIds);
  return out;
}

const iso = (ms: number) => new Date(ms).toISOString();
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
