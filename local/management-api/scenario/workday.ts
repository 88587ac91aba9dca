// Ordinary working days: each user signs in a few times a day and, per sitting, reads and sends mail, syncs Outlook
// folders, opens files and chats. This is the background the incident has to be told apart from.
import type { Random } from "../random";
import type { ActivityLog } from "./activity-log";
import { openSession, type ClientKind, type ClientSession } from "./client-session";
import { folderId, internetMessageId, MAIL_FOLDER_WEIGHTS, MAIL_FOLDERS, newMessage, type MailMessage } from "./mailbox";
import { storeId } from "./records/audit-record";
import { dlpRecord } from "./records/dlp";
import { signInRecord, directoryRecord } from "./records/entra";
import { exchangeFolderRecord, exchangeItemRecord } from "./records/exchange-mailbox";
import { generalRecord, GENERAL_OPERATION_WEIGHTS, GENERAL_OPERATIONS } from "./records/general";
import { mailItemsAccessedRecord, type AccessedFolder } from "./records/mail-items-accessed";
import { FILE_OPERATION_WEIGHTS, FILE_OPERATIONS, sharePointRecord } from "./records/sharepoint";
import type { TenantIdentity } from "./tenant-identity";
import type { EmulatedUser } from "./users";

const DAY = 86_400_000;
const MINUTE = 60_000;

export interface WorkdayContext {
  tenant: TenantIdentity;
  users: EmulatedUser[];
  log: ActivityLog;
  /** Mailboxes modelled message by message (the victim's): reads pick real messages so EmailEvents can join. */
  mailboxes: Map<EmulatedUser, MailMessage[]>;
}

const second = (ms: number) => Math.floor(ms / 1000) * 1000;

/** Items opened in one aggregated Bind: from the modelled mailbox when there is one, otherwise made up. */
export function pickBoundItems(
  ctx: WorkdayContext,
  rng: Random,
  mailbox: EmulatedUser,
  atMs: number,
  count: number,
  preferFolder?: string,
): AccessedFolder[] {
  const byPath = new Map<string, AccessedFolder>();
  const modelled = ctx.mailboxes.get(mailbox);
  for (let i = 0; i < count; i++) {
    const path = preferFolder ?? rng.weighted(MAIL_FOLDERS, MAIL_FOLDER_WEIGHTS);
    let item: { id: string; internetMessageId: string; sizeInBytes: number; path: string };
    if (modelled) {
      const received = modelled.filter((m) => m.receivedMs <= atMs);
      if (received.length === 0) continue;
      const inFolder = received.filter((m) => m.folderPath === path);
      // recent mail is opened far more often than old mail
      const pool = inFolder.length > 0 ? inFolder : received;
      const m = pool[Math.max(0, pool.length - 1 - Math.floor(Math.pow(rng.float(), 2.5) * pool.length))];
      item = { id: m.itemId, internetMessageId: m.internetMessageId, sizeInBytes: m.sizeInBytes, path: m.folderPath };
    } else {
      item = {
        id: storeId("RgAAAAB", rng, 120),
        internetMessageId: internetMessageId(rng, ctx.tenant, rng.chance(0.5), atMs - rng.int(1, 72) * 3_600_000),
        sizeInBytes: rng.int(4_000, 900_000),
        path,
      };
    }
    let folder = byPath.get(item.path);
    if (!folder) byPath.set(item.path, (folder = { id: folderId(mailbox, item.path), path: item.path, items: [] }));
    if (!folder.items.some((x) => x.id === item.id)) folder.items.push({ id: item.id, internetMessageId: item.internetMessageId, sizeInBytes: item.sizeInBytes });
  }
  return [...byPath.values()];
}

export function generateWorkdays(ctx: WorkdayContext, rng: Random): void {
  const { log, tenant, users } = ctx;
  const firstDay = Math.floor(log.fromMs / DAY) * DAY - DAY; // the APAC workday starts the previous UTC evening
  for (let day = firstDay; day < log.toMs; day += DAY) {
    const weekend = [0, 6].includes(new Date(day).getUTCDay());
    for (const user of users) {
      const sittings = weekend ? (rng.chance(0.25) ? 1 : 0) : rng.int(2, 4);
      for (let s = 0; s < sittings; s++) {
        const start = second(day + tenant.workdayStartUtc * 3_600_000 + rng.float() * 10 * 3_600_000);
        const kind: ClientKind =
          s === 0 && user.usesOutlookDesktop && !weekend ? "outlook-desktop" : rng.weighted(["owa", "outlook-mobile", "outlook-desktop"], [5, 3, user.usesOutlookDesktop ? 3 : 0]);
        const ip = kind === "outlook-desktop" ? tenant.officeIp : kind === "outlook-mobile" ? user.mobileIp : rng.chance(0.5) ? tenant.officeIp : user.homeIp;
        sitting(ctx, rng, user, openSession(kind, ip, start, rng, user.machineName), start, start + rng.int(30, 180) * MINUTE);
      }
    }
  }
}

/** One sitting: a sign-in, then mail, files and chat from the same session until `end`. */
function sitting(ctx: WorkdayContext, rng: Random, user: EmulatedUser, session: ClientSession, start: number, end: number): void {
  const { log, tenant: t } = ctx;
  const at = () => second(start + rng.float() * (end - start));
  if (rng.chance(0.05)) log.add("Audit.AzureActiveDirectory", start - 40_000, signInRecord(t, rng, { id: rng.uuid(), ms: start - 40_000, user, session, failed: true }));
  log.add("Audit.AzureActiveDirectory", start, signInRecord(t, rng, { id: rng.uuid(), ms: start, user, session }));

  if (session.kind === "outlook-desktop") {
    log.add("Audit.Exchange", start + 5000, exchangeItemRecord(t, rng, { id: rng.uuid(), ms: start + 5000, operation: "MailboxLogin", mailbox: user, session }));
    const synced = new Set<string>(["\\Inbox"]);
    for (let n = rng.int(0, 2); n > 0; n--) synced.add(rng.pick(MAIL_FOLDERS));
    for (const path of synced) {
      const ms = second(start + rng.int(10, 300) * 1000);
      log.add("Audit.Exchange", ms, mailItemsAccessedRecord(t, { id: rng.uuid(), ms, mailbox: user, actor: user, session, accessType: "Sync", syncFolder: { id: folderId(user, path), path, shape: rng.chance(0.5) ? "Folders" : "ParentFolder" } }, rng));
    }
  }
  for (let n = rng.int(session.kind === "outlook-desktop" ? 1 : 2, 5); n > 0; n--) {
    const ms = at();
    const folders = pickBoundItems(ctx, rng, user, ms, rng.weighted([1, 2, 3, 4, 5], [40, 25, 15, 12, 8]));
    if (folders.length === 0) continue;
    log.add("Audit.Exchange", ms, mailItemsAccessedRecord(t, { id: rng.uuid(), ms, mailbox: user, actor: user, session, accessType: "Bind", folders }, rng));
  }
  // an assistant opening their manager's mailbox: same tenant, LogonType 2, their own session and address
  if (user.index % 11 === 5 && rng.chance(0.3)) {
    const manager = ctx.users[(user.index + 1) % ctx.users.length];
    const ms = at();
    const folders = pickBoundItems(ctx, rng, manager, ms, rng.int(1, 3));
    if (folders.length > 0) log.add("Audit.Exchange", ms, mailItemsAccessedRecord(t, { id: rng.uuid(), ms, mailbox: manager, actor: user, session, accessType: "Bind", folders }, rng));
  }
  for (let n = rng.int(0, 3); n > 0; n--) {
    const ms = at();
    const operation = rng.weighted(["Send", "Update", "Create", "MoveToDeletedItems", "SoftDelete", "HardDelete"] as const, [40, 20, 10, 18, 10, 2]);
    const message = newMessage(rng, t, user, ctx.users, operation === "Send" ? "\\Sent Items" : "\\Inbox", ms);
    if (operation === "Send" || operation === "Update" || operation === "Create") {
      log.add("Audit.Exchange", ms, exchangeItemRecord(t, rng, { id: rng.uuid(), ms, operation, mailbox: user, session, message }));
    } else {
      log.add("Audit.Exchange", ms, exchangeFolderRecord(t, rng, { id: rng.uuid(), ms, operation, mailbox: user, session, messages: [message] }));
    }
  }
  for (let n = rng.int(1, 6); n > 0; n--) {
    const ms = at();
    const operation = rng.chance(0.08) ? rng.pick(["PageViewed", "SharingSet"]) : rng.weighted(FILE_OPERATIONS, FILE_OPERATION_WEIGHTS);
    log.add("Audit.SharePoint", ms, sharePointRecord(t, rng, { id: rng.uuid(), ms, user, session, operation }));
  }
  for (let n = rng.int(0, 2); n > 0; n--) {
    const ms = at();
    const operation = rng.weighted(GENERAL_OPERATIONS, GENERAL_OPERATION_WEIGHTS);
    log.add("Audit.General", ms, generalRecord(t, rng, { id: rng.uuid(), ms, user, session, operation, colleague: rng.pick(ctx.users) }));
  }
  if (rng.chance(0.05)) {
    const ms = at();
    log.add("DLP.All", ms, dlpRecord(t, rng, { id: rng.uuid(), ms, user, recipient: rng.pick(ctx.users), workload: rng.chance(0.5) ? "Exchange" : "SharePoint" }));
  }
  if (user.isAdmin && rng.chance(0.4)) {
    const ms = at();
    log.add("Audit.AzureActiveDirectory", ms, directoryRecord(t, rng, { id: rng.uuid(), ms, actor: user, target: rng.pick(ctx.users) }));
  }
}
