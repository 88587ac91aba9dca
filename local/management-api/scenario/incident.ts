// The article's incident: a phished user, an attacker signing in through an adversary-in-the-middle proxy from one
// IP, then about four days of reading mail (Bind, a share written as Microsoft's sample writes items: InternetMessageId
// only), one Outlook folder sync, and a look into a mailbox the victim has delegated access to (the one that is
// throttled later in the window), all from the attacker's own sessions. The victim's own EWS mail app syncs too.
// What attackers do after a phish is there as well: an inbox rule hiding invoice and payment mail, external forwarding
// set then removed, an app consent, an attachment opened, a file downloaded, a mailbox search, one phishing mail sent
// from the victim's mailbox, and an IP switch mid-session (the token replayed through a second address).
import { hash32, Random } from "../random";
import type { IncidentTruth } from "../types";
import { openSession } from "./client-session";
import { folderId, newMessage, type MailMessage } from "./mailbox";
import { appConsentRecord } from "./records/app-consent";
import { attachmentAccessRecord } from "./records/attachment-access";
import { signInRecord } from "./records/entra";
import { mailboxSearchRecord } from "./records/mailbox-search";
import { exchangeAdminRecord, exchangeItemRecord } from "./records/exchange-mailbox";
import { mailItemsAccessedRecord } from "./records/mail-items-accessed";
import { sharePointRecord } from "./records/sharepoint";
import { pickBoundItems, type WorkdayContext } from "./workday";
import type { EmulatedUser } from "./users";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const ATTACKER_SYNCED_FOLDER = "\\Inbox\\Finance";

export interface IncidentPlan {
  victim: EmulatedUser;
  /** A mailbox the victim can open (delegation); the attacker reads in it as the victim. */
  delegatedMailbox: EmulatedUser;
  attackerIp: string;
  windowStartMs: number;
  phish: MailMessage;
}

const second = (ms: number) => Math.floor(ms / 1000) * 1000;

/** Decided before the ordinary days are generated, so the victim's own reads can use the same mailbox. */
export function planIncident(ctx: WorkdayContext, rng: Random, victim: EmulatedUser, delegatedMailbox: EmulatedUser, anchorMs: number): IncidentPlan {
  // inside the 7-day window with room for a 24 h publication tail after the last attacker record
  const windowStartMs = second(anchorMs - 6.5 * DAY + rng.float() * 6 * HOUR);
  const phish = newMessage(rng, ctx.tenant, victim, ctx.users, "\\Inbox", second(windowStartMs - rng.int(2, 5) * HOUR));
  phish.subject = "Action required: your mailbox password expires today";
  phish.senderAddress = "it-support@mail.example.net";
  phish.senderDisplayName = "IT Support";
  phish.senderObjectId = "";
  phish.direction = "Inbound";
  phish.urlCount = 1;
  phish.attachmentCount = 0;
  phish.recipients = [{ address: victim.upn, objectId: victim.objectId }];
  phish.phish = true;
  return { victim, delegatedMailbox, attackerIp: `203.0.113.${rng.int(10, 99)}`, windowStartMs, phish };
}

/** Writes the phish read, the attacker's sign-ins, inbox rule, Bind reads, folder sync and a file download. */
export function generateIncident(ctx: WorkdayContext, rng: Random, plan: IncidentPlan): IncidentTruth {
  const { log, tenant: t } = ctx;
  const { victim, attackerIp } = plan;

  // the victim opens the lure from their own desk
  const readAt = plan.phish.receivedMs + rng.int(5, 40) * 60_000;
  const own = openSession("owa", t.officeIp, readAt, rng);
  log.add("Audit.Exchange", readAt, mailItemsAccessedRecord(t, {
    id: rng.uuid(), ms: readAt, mailbox: victim, actor: victim, session: own, accessType: "Bind",
    folders: [{ id: plan.phish.folderId, path: plan.phish.folderPath, items: [{ id: plan.phish.itemId, internetMessageId: plan.phish.internetMessageId, sizeInBytes: plan.phish.sizeInBytes }] }],
  }, rng));

  const machine = `DESKTOP-${rng.hex(6).toUpperCase()}`;
  const start = plan.windowStartMs;
  const sessionA = openSession("outlook-desktop", attackerIp, start, rng, machine);
  const sessionB = openSession("outlook-desktop", attackerIp, start + 2 * DAY, rng, machine);
  const bound = new Set<string>();
  let last = start;
  let bindRecords = 0;

  // the footprint the truth names: every record AttackerFootprint must find, with its persistence state at the end
  const footprint: IncidentTruth["footprint"] = [];
  const signIn = (ms: number, session: typeof sessionA) => {
    const id = rng.uuid();
    log.add("Audit.AzureActiveDirectory", ms, signInRecord(t, rng, { id, ms, user: victim, session }));
    footprint.push({ kind: "SignIn", recordId: id, stillActive: null });
    last = Math.max(last, ms);
  };
  const binds = (fromMs: number, session: typeof sessionA, records: number) => {
    let ms = second(fromMs);
    for (let i = 0; i < records; i++) {
      const folders = pickBoundItems(ctx, rng, victim, ms, rng.int(1, 5), rng.chance(0.5) ? ATTACKER_SYNCED_FOLDER : undefined);
      if (folders.length === 0) continue;
      for (const f of folders) for (const item of f.items) bound.add(item.internetMessageId);
      // every other record in Microsoft's sample shape (items without Id): the dedup key must still keep each message
      const itemShape = bindRecords++ % 2 === 0 ? "messageIdOnly" : "full";
      log.add("Audit.Exchange", ms, mailItemsAccessedRecord(t, { id: rng.uuid(), ms, mailbox: victim, actor: victim, session, accessType: "Bind", folders, itemShape }, rng));
      last = Math.max(last, ms);
      ms += rng.int(3, 25) * 60_000;
    }
  };

  // day 0: AiTM sign-in, first look around, an inbox rule that hides replies about payments
  signIn(start, sessionA);
  const login = start + rng.int(2, 5) * 60_000;
  log.add("Audit.Exchange", login, exchangeItemRecord(t, rng, { id: rng.uuid(), ms: login, operation: "MailboxLogin", mailbox: victim, session: sessionA }));
  const ruleAt = second(start + rng.int(10, 20) * 60_000);
  const ruleId = rng.uuid();
  footprint.push({ kind: "InboxRule", recordId: ruleId, stillActive: true });
  log.add("Audit.Exchange", ruleAt, exchangeAdminRecord(t, rng, {
    id: ruleId, ms: ruleAt, cmdlet: "New-InboxRule", actor: victim, objectId: `${victim.upn}\\.`, session: sessionA,
    parameters: [
      { Name: "Name", Value: "." },
      { Name: "SubjectOrBodyContainsWords", Value: "invoice;payment;wire;bank" },
      { Name: "MoveToFolder", Value: "RSS Subscriptions" },
      { Name: "MarkAsRead", Value: "True" },
      { Name: "StopProcessingRules", Value: "True" },
    ],
  }));
  binds(start + 30 * 60_000, sessionA, rng.int(2, 4));

  // day 1: the whole Finance folder is downloaded by the attacker's Outlook, then more reading
  const syncAt = second(start + DAY + rng.int(1, 4) * HOUR);
  log.add("Audit.Exchange", syncAt, mailItemsAccessedRecord(t, {
    id: rng.uuid(), ms: syncAt, mailbox: victim, actor: victim, session: sessionA, accessType: "Sync",
    syncFolder: { id: folderId(victim, ATTACKER_SYNCED_FOLDER), path: ATTACKER_SYNCED_FOLDER, shape: "ParentFolder" },
  }, rng));
  binds(syncAt + 20 * 60_000, sessionA, rng.int(2, 4));

  // day 1: a look into the delegated mailbox (LogonType 2), before its archiver gets it throttled
  const delegatedAt = second(syncAt + 10 * 60_000);
  const delegatedFolders = pickBoundItems(ctx, rng, plan.delegatedMailbox, delegatedAt, 2, "\\Inbox");
  for (const f of delegatedFolders) for (const item of f.items) bound.add(item.internetMessageId);
  log.add("Audit.Exchange", delegatedAt, mailItemsAccessedRecord(t, {
    id: rng.uuid(), ms: delegatedAt, mailbox: plan.delegatedMailbox, actor: victim, session: sessionA, accessType: "Bind", folders: delegatedFolders, itemShape: "full",
  }, rng));

  // day 2: the victim's own phone mail app (EWS) syncs the inbox and names the messages it fetched: a Sync to review
  const ewsAt = second(start + 2 * DAY + rng.int(1, 5) * HOUR);
  const ews = openSession("ews-mail-app", victim.mobileIp, ewsAt, rng);
  const ewsItems = pickBoundItems(ctx, rng, victim, ewsAt, 3, "\\Inbox").flatMap((f) => f.items);
  log.add("Audit.Exchange", ewsAt, mailItemsAccessedRecord(t, {
    id: rng.uuid(), ms: ewsAt, mailbox: victim, actor: victim, session: ews, accessType: "Sync",
    syncFolder: { id: folderId(victim, "\\Inbox"), path: "\\Inbox", shape: "Folders" }, syncItems: ewsItems,
  }, rng));

  // day 2: the token is refreshed (new session), days 2–3 more reading and a file taken from the victim's OneDrive
  signIn(second(start + 2 * DAY), sessionB);
  binds(start + 2 * DAY + 15 * 60_000, sessionB, rng.int(2, 4));
  binds(start + 3 * DAY + rng.int(1, 3) * HOUR, sessionB, rng.int(2, 3));
  const fileAt = second(start + 3 * DAY + 5 * HOUR);
  const fileId = rng.uuid();
  footprint.push({ kind: "FileDownloaded", recordId: fileId, stillActive: null });
  log.add("Audit.SharePoint", fileAt, sharePointRecord(t, rng, { id: fileId, ms: fileAt, user: victim, session: sessionB, operation: "FileDownloaded", oneDrive: true }));
  last = Math.max(last, fileAt);
  // the last look, about four days after the first
  binds(start + 4 * DAY - rng.int(1, 3) * HOUR, sessionB, rng.int(1, 3));

  // After the phish, from a stream of its own so the records above stay as they were.
  const after = new Random(hash32(start, victim.upn, "footprint"));
  const at = (ms: number) => second(ms);
  // day 0: an app the attacker controls is granted mail access (consent survives a password reset)
  const consentAt = at(ruleAt + 25 * 60_000);
  const consentId = after.uuid();
  log.add("Audit.AzureActiveDirectory", consentAt, appConsentRecord(t, after, {
    id: consentId, ms: consentAt, user: victim, session: sessionA, servicePrincipalId: after.uuid(), appDisplayName: "Mail Sync Pro", permissions: "Mail.Read Mail.Send offline_access",
  }));
  footprint.push({ kind: "AppConsent", recordId: consentId, stillActive: true });
  // day 1: external forwarding, then an attachment of an invoice opened
  const forwardAt = at(syncAt + 30 * 60_000);
  const forwardId = after.uuid();
  log.add("Audit.Exchange", forwardAt, exchangeAdminRecord(t, after, {
    id: forwardId, ms: forwardAt, cmdlet: "Set-Mailbox", actor: victim, objectId: victim.upn, session: sessionA,
    parameters: [{ Name: "Identity", Value: victim.upn }, { Name: "ForwardingSmtpAddress", Value: "smtp:ledger.sync@mail.example.net" }, { Name: "DeliverToMailboxAndForward", Value: "True" }],
  }));
  footprint.push({ kind: "MailboxForwarding", recordId: forwardId, stillActive: false });
  const attachmentAt = at(syncAt + 45 * 60_000);
  const opened = pickBoundItems(ctx, after, victim, attachmentAt, 1, "\\Inbox");
  for (const folder of opened) for (const item of folder.items) bound.add(item.internetMessageId);
  const attachmentId = after.uuid();
  log.add("Audit.Exchange", attachmentAt, attachmentAccessRecord(t, {
    id: attachmentId, ms: attachmentAt, mailbox: victim, actor: victim, session: sessionA,
    messages: opened.map((o) => ({ folderId: o.id, path: o.path, items: o.items.map((i) => ({ ...i, attachmentNames: ["Invoice.pdf"] })) })),
  }, after));
  footprint.push({ kind: "AttachmentOpened", recordId: attachmentId, stillActive: null });
  // day 2: the forwarding is removed again (it would show in the mailbox's settings)
  const unforwardAt = at(start + 2 * DAY + HOUR);
  const unforwardId = after.uuid();
  log.add("Audit.Exchange", unforwardAt, exchangeAdminRecord(t, after, {
    id: unforwardId, ms: unforwardAt, cmdlet: "Set-Mailbox", actor: victim, objectId: victim.upn, session: sessionB,
    parameters: [{ Name: "Identity", Value: victim.upn }, { Name: "ForwardingSmtpAddress", Value: "" }],
  }));
  footprint.push({ kind: "MailboxForwarding", recordId: unforwardId, stillActive: false });
  // day 2: the same session from a second address (the token replayed through another proxy): reading, a search for
  // payment mail, and one phishing mail to a partner sent from the victim's mailbox
  const proxied = { ...sessionB, ip: `203.0.113.${after.int(150, 199)}` };
  const switchAt = at(start + 2 * DAY + 3 * HOUR);
  for (let i = 0; i < 2; i++) {
    const ms = at(switchAt + i * 7 * 60_000);
    const folders = pickBoundItems(ctx, after, victim, ms, after.int(1, 3));
    if (folders.length === 0) continue;
    for (const folder of folders) for (const item of folder.items) bound.add(item.internetMessageId);
    log.add("Audit.Exchange", ms, mailItemsAccessedRecord(t, { id: after.uuid(), ms, mailbox: victim, actor: victim, session: proxied, accessType: "Bind", folders, itemShape: "full" }, after));
  }
  const searchAt = at(switchAt + 20 * 60_000);
  const searchId = after.uuid();
  log.add("Audit.Exchange", searchAt, mailboxSearchRecord(t, after, { id: searchId, ms: searchAt, mailbox: victim, session: proxied, queryText: "payment OR invoice OR wire" }));
  footprint.push({ kind: "SearchRun", recordId: searchId, stillActive: null });
  const sentAt = at(switchAt + 40 * 60_000);
  const lure = newMessage(after, t, victim, ctx.users, "\\Sent Items", sentAt);
  lure.subject = "Updated bank details for the open invoices";
  lure.recipients = [{ address: "accounts@fabrikam.example", objectId: "" }];
  const sentId = after.uuid();
  log.add("Audit.Exchange", sentAt, exchangeItemRecord(t, after, { id: sentId, ms: sentAt, operation: "Send", mailbox: victim, session: proxied, message: lure }));
  footprint.push({ kind: "MessageSent", recordId: sentId, stillActive: null });

  return {
    victimUpn: victim.upn,
    attackerIp,
    attackerSessionIds: [sessionA.sessionId, sessionB.sessionId].sort(),
    attackerAadSessionIds: [sessionA.aadSessionId, sessionB.aadSessionId].sort(),
    attackerClientInfoString: sessionA.clientInfoString,
    windowStart: new Date(start).toISOString(),
    windowEnd: new Date(last).toISOString(),
    boundInternetMessageIds: [...bound].sort(),
    syncedFolders: [ATTACKER_SYNCED_FOLDER],
    delegatedMailboxes: [plan.delegatedMailbox.upn],
    // step 3: the attacker's Outlook synced, so the whole mailbox is presumed exposed as of that sync
    mailboxExposures: [{ mailboxUpn: victim.upn, kind: "SyncedMailbox", from: new Date(syncAt).toISOString(), to: new Date(syncAt).toISOString() }],
    throttled: [],
    footprint: footprint.sort((a, b) => (a.recordId < b.recordId ? -1 : a.recordId > b.recordId ? 1 : 0)),
    attackerIps: [attackerIp, proxied.ip],
  };
}
