// What else did the attacker do, and are they still in? The attacker's footprint in the audit log, in TypeScript: the
// same logic as kql/functions/attacker-footprint.kql (AttackerFootprint), row for row; test/vectors/footprint/ holds
// both to it. The attacker's context is the scope's (IPs in any form, Exchange and Entra sessions, apps), widened by
// the sessions seen from the IPs: in mail access, in any audit record, and in sign-ins (DeviceProperties SessionId).
// Persistence rows say whether the state still holds at the window's end and carry the call that removes it.
import { ipKey } from "./ip-key";
import { timeMs, type RawRow } from "./mail-access-row";
import type { ScopeQuestion } from "./scope";
import { namedProperty, recordOf, SIGN_IN } from "./sign-in-sessions";

export type FootprintCategory = "SignIn" | "Persistence" | "DataReached";
export type FootprintKind =
  | "SignIn" | "SignInFailed"
  | "InboxRule" | "MailboxForwarding" | "Delegate" | "FolderPermission" | "AppConsent" | "SecurityInfo"
  | "FileAccessed" | "FileDownloaded" | "FileSynced" | "FileShared" | "AttachmentOpened" | "MessageSent" | "ItemsDeleted" | "SearchRun";

/** One row of AttackerFootprint's result: the same columns, the same meaning. Time is ISO 8601 UTC. */
export interface FootprintRow {
  Category: FootprintCategory;
  Kind: FootprintKind;
  Time: string;
  UserId: string;
  Mailbox: string;
  Operation: string;
  /** What was acted on: the rule, the forwarding address, the delegate, the app, the file, the subject, the search. */
  Target: string;
  /** The rule's conditions and actions, the user agent, the file name… for a reader, not compared. */
  Detail: string;
  ClientIP: string;
  SessionId: string;
  AADSessionId: string;
  RecordId: string;
  /** Persistence: does the state still hold at the window's end (no later removal seen)? null for other rows. */
  StillActive: boolean | null;
  /** Persistence: the call a responder runs to remove it; "" for other rows. */
  Remediation: string;
}

const KINDS: Record<string, FootprintKind> = {
  [SIGN_IN]: "SignIn",
  UserLoginFailed: "SignInFailed",
  "New-InboxRule": "InboxRule",
  "Set-InboxRule": "InboxRule",
  UpdateInboxRules: "InboxRule",
  "Add-MailboxPermission": "Delegate",
  "Add-RecipientPermission": "Delegate",
  "Add-MailboxFolderPermission": "FolderPermission",
  "Set-MailboxFolderPermission": "FolderPermission",
  "Consent to application.": "AppConsent",
  "Add delegated permission grant.": "AppConsent",
  "Add app role assignment grant to user.": "AppConsent",
  "User registered security info.": "SecurityInfo",
  "User changed default security info.": "SecurityInfo",
  "User registered all required security info.": "SecurityInfo",
  "Admin registered security info.": "SecurityInfo",
  FileAccessed: "FileAccessed",
  FilePreviewed: "FileAccessed",
  FileDownloaded: "FileDownloaded",
  FileSyncDownloadedFull: "FileSynced",
  FileSyncDownloadedPartial: "FileSynced",
  SharingSet: "FileShared",
  AnonymousLinkCreated: "FileShared",
  CompanyLinkCreated: "FileShared",
  SecureLinkCreated: "FileShared",
  SharingInvitationCreated: "FileShared",
  AddedToSecureLink: "FileShared",
  AttachmentAccess: "AttachmentOpened",
  Send: "MessageSent",
  SendAs: "MessageSent",
  SendOnBehalf: "MessageSent",
  SoftDelete: "ItemsDeleted",
  HardDelete: "ItemsDeleted",
  MoveToDeletedItems: "ItemsDeleted",
  SearchQueryInitiatedExchange: "SearchRun",
  SearchQueryInitiatedSharePoint: "SearchRun",
};
const PERSISTENCE = new Set<FootprintKind>(["InboxRule", "MailboxForwarding", "Delegate", "FolderPermission", "AppConsent", "SecurityInfo"]);
/** Operations that undo a kind of persistence (by anyone: the attacker or an administrator). */
const REMOVALS = new Set([
  "Remove-InboxRule", "Disable-InboxRule", "Remove-MailboxPermission", "Remove-RecipientPermission", "Remove-MailboxFolderPermission",
  "Remove delegated permission grant.", "Remove app role assignment from user.", "Remove service principal.",
  "User deleted security info.", "Admin deleted security info.",
]);
const FORWARDING_PARAMETERS = ["ForwardingSmtpAddress", "ForwardingAddress"];
/** Inbox-rule parameters a reader needs: what the rule matches and what it does with the mail. */
const RULE_PARAMETERS = [
  "From", "SubjectContainsWords", "BodyContainsWords", "SubjectOrBodyContainsWords", "FromAddressContainsWords",
  "MoveToFolder", "MarkAsRead", "DeleteMessage", "SoftDeleteMessage", "ForwardTo", "RedirectTo", "ForwardAsAttachmentTo", "StopProcessingRules",
  "RuleCondition", "RuleActions",
];

interface AuditEvent {
  ms: number;
  row: RawRow;
  record: Record<string, unknown>;
  operation: string;
  params: Map<string, string>;
}

/** Operations whose records settle whether persistence still holds: a lake may skip any other record outside the
 *  attacker's context (by line text) and get the same footprint. */
export const STATE_CHANGE_OPERATIONS: readonly string[] = [...REMOVALS, "Set-Mailbox"];

export function attackerFootprint(auditRows: Iterable<RawRow>, mailRows: Iterable<RawRow>, q: ScopeQuestion): FootprintRow[] {
  const victim = q.user.trim().toLowerCase();
  const events = auditEvents(auditRows, q);
  const { attackerIps, sessions, aadSessions, apps } = context(events, mailRows, q);
  // a persistence row still holds unless a later change of the same state (its key) is in the window
  const changes = new Map<string, AuditEvent[]>();
  for (const e of events) {
    const key = changeKey(e);
    if (key) (changes.get(key) ?? changes.set(key, []).get(key)!).push(e);
  }

  const out: FootprintRow[] = [];
  for (const e of events) {
    const kind = kindOf(e);
    if (!kind) continue;
    const userId = text(e.row.UserId);
    const owner = text(e.record.MailboxOwnerUPN);
    if (victim !== "" && userId.toLowerCase() !== victim && owner.toLowerCase() !== victim) continue;
    const ids = identifiers(e);
    const ours =
      attackerIps.has(ipKey(text(e.row.ClientIP))) ||
      (ids.session !== "" && sessions.has(ids.session)) ||
      (ids.aadSession !== "" && aadSessions.has(ids.aadSession)) ||
      (ids.signInSession !== "" && aadSessions.has(ids.signInSession)) ||
      (ids.appId !== "" && apps.has(ids.appId)) ||
      (ids.clientAppId !== "" && apps.has(ids.clientAppId));
    if (!ours) continue;
    const row = footprintRow(e, kind, ids);
    if (row.StillActive !== null) {
      const key = stateKey(e, kind);
      row.StillActive = (kind !== "MailboxForwarding" || row.Target !== "") && !(changes.get(key) ?? []).some((x) => x !== e && x.ms >= e.ms);
    }
    out.push(row);
  }
  return out.sort((a, b) => cmp(a.Time, b.Time) || cmp(a.RecordId, b.RecordId));
}

/** The attacker's Exchange and Entra sessions: those given, and those seen from the IPs in the window (lower case). */
export function attackerSessions(auditRows: Iterable<RawRow>, mailRows: Iterable<RawRow>, q: ScopeQuestion): { sessions: string[]; aadSessions: string[] } {
  const c = context(auditEvents(auditRows, q), mailRows, q);
  return { sessions: [...c.sessions], aadSessions: [...c.aadSessions] };
}

function auditEvents(auditRows: Iterable<RawRow>, q: ScopeQuestion): AuditEvent[] {
  const events: AuditEvent[] = [];
  for (const row of auditRows) {
    const ms = timeMs(String(row.CreationTime ?? ""));
    if (!(ms >= q.startMs && ms <= q.endMs)) continue;
    const record = recordOf(row);
    events.push({ ms, row, record, operation: text(row.Operation), params: parameters(record) });
  }
  return events;
}

function context(events: AuditEvent[], mailRows: Iterable<RawRow>, q: ScopeQuestion) {
  const lowerSet = (xs: string[]) => new Set(xs.filter((x) => x.trim() !== "").map((x) => x.toLowerCase()));
  const attackerIps = new Set(q.ips.filter((x) => x.trim() !== "").map(ipKey));
  const sessions = lowerSet(q.sessions);
  const aadSessions = lowerSet(q.aadSessions);
  const apps = lowerSet(q.apps);
  // sessions seen from the attacker's IPs in the window: in mail access…
  for (const m of mailRows) {
    const ms = timeMs(String(m.CreationTime ?? ""));
    if (!(ms >= q.startMs && ms <= q.endMs) || !attackerIps.has(ipKey(text(m.ClientIPAddress)))) continue;
    if (text(m.SessionId)) sessions.add(text(m.SessionId).toLowerCase());
    if (text(m.AADSessionId)) aadSessions.add(text(m.AADSessionId).toLowerCase());
  }
  // …and in every audit record, sign-ins included
  for (const e of events) {
    if (!attackerIps.has(ipKey(text(e.row.ClientIP)))) continue;
    const ids = identifiers(e);
    if (ids.session) sessions.add(ids.session);
    if (ids.aadSession) aadSessions.add(ids.aadSession);
    if (e.operation === SIGN_IN && ids.signInSession) aadSessions.add(ids.signInSession);
  }
  return { attackerIps, sessions, aadSessions, apps };
}

function kindOf(e: AuditEvent): FootprintKind | null {
  if (e.operation === "Set-Mailbox") return FORWARDING_PARAMETERS.some((p) => e.params.has(p)) ? "MailboxForwarding" : null;
  return KINDS[e.operation] ?? null;
}

function identifiers(e: AuditEvent) {
  const ctx = e.record.AppAccessContext as Record<string, unknown> | undefined;
  return {
    session: text(e.record.SessionId).toLowerCase(),
    aadSession: text(ctx && typeof ctx === "object" ? ctx.AADSessionId : "").toLowerCase(),
    signInSession: namedProperty(e.record.DeviceProperties, "SessionId").toLowerCase(),
    appId: text(e.record.AppId).toLowerCase(),
    clientAppId: text(e.record.ClientAppId).toLowerCase(),
  };
}

/** The state a persistence row set, as a key a later change of it shares (kql: StateKey). */
function stateKey(e: AuditEvent, kind: FootprintKind): string {
  const p = (name: string) => (e.params.get(name) ?? "").toLowerCase();
  switch (kind) {
    case "InboxRule": return `rule|${ruleName(p("Name") || p("Identity") || namedProperty(e.record.OperationProperties, "RuleName").toLowerCase())}`;
    case "MailboxForwarding": return `fwd|${p("Identity")}`;
    case "Delegate": return e.operation === "Add-RecipientPermission" ? `rp|${p("Identity")}|${p("Trustee")}` : `mp|${p("Identity")}|${p("User")}`;
    case "FolderPermission": return `fp|${p("Identity")}|${p("User")}`;
    case "AppConsent": return `app|${text(e.row.ObjectId).toLowerCase()}`;
    case "SecurityInfo": return `mfa|${text(e.row.UserId).toLowerCase()}`;
    default: return "";
  }
}

/** The state a record changes: removals, and every forwarding change of a mailbox (kql: ChangeKey). */
function changeKey(e: AuditEvent): string {
  const p = (name: string) => (e.params.get(name) ?? "").toLowerCase();
  switch (e.operation) {
    case "Remove-InboxRule":
    case "Disable-InboxRule": return `rule|${ruleName(p("Identity"))}`;
    case "Set-Mailbox": return FORWARDING_PARAMETERS.some((n) => e.params.has(n)) ? `fwd|${p("Identity")}` : "";
    case "Remove-MailboxPermission": return `mp|${p("Identity")}|${p("User")}`;
    case "Remove-RecipientPermission": return `rp|${p("Identity")}|${p("Trustee")}`;
    case "Remove-MailboxFolderPermission": return `fp|${p("Identity")}|${p("User")}`;
    default:
      if (!REMOVALS.has(e.operation)) return "";
      return e.operation.endsWith("security info.") ? `mfa|${text(e.row.UserId).toLowerCase()}` : `app|${text(e.row.ObjectId).toLowerCase()}`;
  }
}

function footprintRow(e: AuditEvent, kind: FootprintKind, ids: ReturnType<typeof identifiers>): FootprintRow {
  const p = (name: string) => e.params.get(name) ?? "";
  const userId = text(e.row.UserId);
  let mailbox = text(e.record.MailboxOwnerUPN) || userId;
  let target = "";
  let detail = "";
  let remediation = "";
  switch (kind) {
    case "SignIn":
    case "SignInFailed":
      target = userId;
      detail = `user agent: ${namedProperty(e.record.ExtendedProperties, "UserAgent")}; session: ${ids.signInSession}`;
      break;
    case "InboxRule": {
      mailbox = p("Mailbox") || mailbox;
      target = ruleName(p("Name") || p("Identity") || namedProperty(e.record.OperationProperties, "RuleName"));
      detail = RULE_PARAMETERS.map((n) => [n, p(n) || namedProperty(e.record.OperationProperties, n)]).filter(([, v]) => v !== "").map(([n, v]) => `${n}=${v}`).join("; ");
      remediation = `Remove-InboxRule -Mailbox '${mailbox}' -Identity '${target}' -Confirm:$false`;
      break;
    }
    case "MailboxForwarding": {
      mailbox = p("Identity") || mailbox;
      target = p("ForwardingSmtpAddress") || p("ForwardingAddress");
      detail = FORWARDING_PARAMETERS.concat("DeliverToMailboxAndForward").map((n) => [n, p(n)]).filter(([n]) => e.params.has(n)).map(([n, v]) => `${n}=${v}`).join("; ");
      remediation = target === "" ? "" : `Set-Mailbox -Identity '${mailbox}' -ForwardingSmtpAddress $null -ForwardingAddress $null -DeliverToMailboxAndForward $false`;
      break;
    }
    case "Delegate": {
      mailbox = p("Identity") || mailbox;
      const sendAs = e.operation === "Add-RecipientPermission";
      target = sendAs ? p("Trustee") : p("User");
      detail = `AccessRights=${p("AccessRights")}`;
      remediation = sendAs
        ? `Remove-RecipientPermission -Identity '${mailbox}' -Trustee '${target}' -AccessRights SendAs -Confirm:$false`
        : `Remove-MailboxPermission -Identity '${mailbox}' -User '${target}' -AccessRights ${p("AccessRights") || "FullAccess"} -Confirm:$false`;
      break;
    }
    case "FolderPermission": {
      const folder = p("Identity");
      mailbox = folder.includes(":") ? folder.slice(0, folder.indexOf(":")) : mailbox;
      target = p("User");
      detail = `${folder} AccessRights=${p("AccessRights")}`;
      remediation = `Remove-MailboxFolderPermission -Identity '${folder}' -User '${target}' -Confirm:$false`;
      break;
    }
    case "AppConsent": {
      target = text(e.row.ObjectId);
      detail = modifiedProperty(e.record.ModifiedProperties, "ConsentAction.Permissions");
      remediation = `Get-MgOauth2PermissionGrant -Filter "clientId eq '${target}'" | ForEach-Object { Remove-MgOauth2PermissionGrant -OAuth2PermissionGrantId $_.Id }`;
      break;
    }
    case "SecurityInfo": {
      target = userId;
      detail = e.operation;
      remediation = `Get-MgUserAuthenticationMethod -UserId '${userId}'; remove the method the attacker added, then Revoke-MgUserSignInSession -UserId '${userId}'`;
      break;
    }
    case "FileAccessed":
    case "FileDownloaded":
    case "FileSynced":
    case "FileShared":
      target = text(e.row.ObjectId);
      detail = text(e.record.SourceFileName);
      break;
    case "AttachmentOpened":
      target = mailbox;
      break;
    case "MessageSent": {
      const item = e.record.Item as Record<string, unknown> | undefined;
      target = text(item && typeof item === "object" ? item.Subject : "");
      detail = text(item && typeof item === "object" ? item.InternetMessageId : "");
      break;
    }
    case "ItemsDeleted": {
      const folder = e.record.Folder as Record<string, unknown> | undefined;
      target = text(folder && typeof folder === "object" ? folder.Path : "");
      detail = `${Array.isArray(e.record.AffectedItems) ? e.record.AffectedItems.length : 0} items`;
      break;
    }
    case "SearchRun":
      target = text(e.record.QueryText);
      break;
  }
  return {
    Category: kind === "SignIn" || kind === "SignInFailed" ? "SignIn" : PERSISTENCE.has(kind) ? "Persistence" : "DataReached",
    Kind: kind,
    Time: new Date(e.ms).toISOString(),
    UserId: userId,
    Mailbox: mailbox,
    Operation: e.operation,
    Target: target,
    Detail: detail,
    ClientIP: text(e.row.ClientIP),
    SessionId: ids.session,
    AADSessionId: ids.aadSession || ids.signInSession,
    RecordId: text(e.row.Id),
    // settled by the caller against the later changes of the same state
    StillActive: PERSISTENCE.has(kind) ? true : null,
    Remediation: remediation,
  };
}

/** Exchange cmdlet records: Parameters [{Name, Value}] as a map. */
function parameters(record: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  if (Array.isArray(record.Parameters)) for (const p of record.Parameters) if (p && typeof p === "object" && typeof (p as { Name?: unknown }).Name === "string") out.set((p as { Name: string }).Name, text((p as { Value?: unknown }).Value));
  return out;
}

/** ModifiedProperties [{Name, NewValue, OldValue}]: the new value, "" when absent. */
function modifiedProperty(list: unknown, name: string): string {
  if (!Array.isArray(list)) return "";
  for (const p of list) if (p && typeof p === "object" && (p as { Name?: unknown }).Name === name) return text((p as { NewValue?: unknown }).NewValue);
  return "";
}

/** A rule named as "mailbox\rule" (Set-/Remove-InboxRule -Identity) or "rule": the rule's own name. */
function ruleName(identity: string): string {
  return identity.slice(identity.lastIndexOf("\\") + 1);
}

const text = (v: unknown): string => (typeof v === "string" ? v : v == null ? "" : String(v));
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
