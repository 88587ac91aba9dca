// Mailbox contents: folders and messages, with the identifiers that tie MailItemsAccessed items to EmailEvents rows.
import { hash32, Random } from "../random";
import { storeId } from "./records/audit-record";
import type { TenantIdentity } from "./tenant-identity";
import type { EmulatedUser } from "./users";

export const MAIL_FOLDERS = ["\\Inbox", "\\Inbox\\Finance", "\\Inbox\\Projects", "\\Sent Items", "\\Archive", "\\Drafts"];
/** How often a read happens in each folder (Inbox dominates). */
export const MAIL_FOLDER_WEIGHTS = [60, 10, 10, 10, 7, 3];

const EXTERNAL_DOMAINS = ["example.net", "example.org", "example.com", "mail.example.net"];
const EXTERNAL_SENDERS = ["billing", "accounts", "noreply", "sales", "support", "j.doe", "partner-ops", "newsletter"];

const SUBJECTS: Record<string, string[]> = {
  "\\Inbox": [
    "Re: Meeting notes", "Quick question about the rollout", "Lunch on Thursday?", "Updated agenda", "FW: Customer feedback",
    "Travel booking confirmation", "Your weekly digest", "Re: Onboarding checklist", "Holiday schedule", "Action items from today",
  ],
  "\\Inbox\\Finance": [
    "Invoice INV-{n} due", "Wire transfer confirmation {n}", "Vendor bank details update", "Q{q} budget forecast",
    "Payroll changes for next month", "Expense report approval #{n}", "Purchase order PO-{n}", "Audit findings draft",
  ],
  "\\Inbox\\Projects": [
    "Design review: project {p}", "Sprint {n} retro", "Project {p} status", "Risk register update", "Draft statement of work",
  ],
  "\\Sent Items": ["Re: Invoice question", "Re: Contract terms", "Status update", "Re: Budget", "Following up"],
  "\\Archive": ["Signed contract {p}", "Board pack Q{q}", "Old thread: migration", "Offer letter {n}"],
  "\\Drafts": ["Draft: reply to auditor", "Notes", "Draft proposal {p}"],
};
const PROJECTS = ["Atlas", "Borealis", "Cobalt", "Delta", "Everest", "Falcon"];

export interface MailMessage {
  itemId: string;
  internetMessageId: string;
  networkMessageId: string;
  folderPath: string;
  folderId: string;
  sizeInBytes: number;
  receivedMs: number;
  subject: string;
  senderAddress: string;
  senderDisplayName: string;
  senderObjectId: string;
  senderIPv4: string;
  /** Every recipient (the mailbox owner among them). */
  recipients: Array<{ address: string; objectId: string }>;
  direction: "Inbound" | "Intra-org" | "Outbound";
  attachmentCount: number;
  urlCount: number;
  phish?: boolean;
}

/** Stable folder id per mailbox and path. */
export function folderId(mailbox: EmulatedUser, path: string): string {
  return storeId("LgAAAAB", new Random(hash32(mailbox.mailboxGuid, path)), 48);
}

export function internetMessageId(rng: Random, t: TenantIdentity, internal: boolean, ms: number): string {
  if (internal) {
    const server = `${t.originatingServerPrefix}${rng.int(1000, 9999)}`;
    return `<${server}${rng.hex(12).toUpperCase()}@${server}.${t.region}prd${String(rng.int(1, 20)).padStart(2, "0")}.prod.outlook.com>`;
  }
  const stamp = new Date(ms).toISOString().replace(/[-:T]/g, "").slice(0, 14);
  return `<${stamp}.${rng.hex(10)}@${rng.pick(EXTERNAL_DOMAINS)}>`;
}

export function subjectFor(rng: Random, folderPath: string): string {
  return rng
    .pick(SUBJECTS[folderPath] ?? SUBJECTS["\\Inbox"])
    .replace("{n}", String(rng.int(1000, 9999)))
    .replace("{q}", String(rng.int(1, 4)))
    .replace("{p}", rng.pick(PROJECTS));
}

/** The owner's mailbox with messages received between fromMs and toMs (sorted by receipt). */
export function buildMailbox(
  rng: Random,
  t: TenantIdentity,
  owner: EmulatedUser,
  colleagues: EmulatedUser[],
  fromMs: number,
  toMs: number,
  count: number,
): MailMessage[] {
  const messages: MailMessage[] = [];
  for (let i = 0; i < count; i++) {
    const folderPath = rng.weighted(MAIL_FOLDERS, [45, 20, 12, 13, 8, 2]);
    const receivedMs = Math.floor((fromMs + rng.float() * (toMs - fromMs)) / 1000) * 1000;
    messages.push(newMessage(rng, t, owner, colleagues, folderPath, receivedMs));
  }
  return messages.sort((a, b) => a.receivedMs - b.receivedMs);
}

export function newMessage(
  rng: Random,
  t: TenantIdentity,
  owner: EmulatedUser,
  colleagues: EmulatedUser[],
  folderPath: string,
  receivedMs: number,
): MailMessage {
  const outbound = folderPath === "\\Sent Items" || folderPath === "\\Drafts";
  const internal = outbound ? rng.chance(0.5) : rng.chance(0.45);
  // picks a colleague other than the owner without copying the list (the large tenant has thousands of users)
  const colleague = () => {
    const c = colleagues[rng.int(0, colleagues.length - 1)];
    return c === owner ? colleagues[(c.index + 1) % colleagues.length] : c;
  };
  const recipients: MailMessage["recipients"] = [];
  let senderAddress: string;
  let senderDisplayName: string;
  let senderObjectId = "";
  let senderIPv4 = "";
  if (outbound) {
    senderAddress = owner.upn;
    senderDisplayName = owner.displayName;
    senderObjectId = owner.objectId;
    if (internal) {
      for (let n = rng.int(1, 3); n > 0; n--) {
        const c = colleague();
        if (!recipients.some((r) => r.address === c.upn)) recipients.push({ address: c.upn, objectId: c.objectId });
      }
    } else {
      recipients.push({ address: `${rng.pick(EXTERNAL_SENDERS)}@${rng.pick(EXTERNAL_DOMAINS)}`, objectId: "" });
    }
  } else {
    recipients.push({ address: owner.upn, objectId: owner.objectId });
    for (let n = rng.int(0, 2); n > 0; n--) {
      const c = colleague();
      if (!recipients.some((r) => r.address === c.upn)) recipients.push({ address: c.upn, objectId: c.objectId });
    }
    if (internal) {
      const s = colleague();
      senderAddress = s.upn;
      senderDisplayName = s.displayName;
      senderObjectId = s.objectId;
    } else {
      const local = rng.pick(EXTERNAL_SENDERS);
      senderAddress = `${local}@${rng.pick(EXTERNAL_DOMAINS)}`;
      senderDisplayName = local.replace(/[-.]/g, " ");
      senderIPv4 = `198.51.100.${rng.int(200, 250)}`;
    }
  }
  return {
    itemId: storeId("RgAAAAB", rng, 152),
    internetMessageId: internetMessageId(rng, t, internal, receivedMs),
    networkMessageId: rng.uuid(),
    folderPath,
    folderId: folderId(owner, folderPath),
    sizeInBytes: rng.int(4_000, 900_000),
    receivedMs,
    subject: subjectFor(rng, folderPath),
    senderAddress,
    senderDisplayName,
    senderObjectId,
    senderIPv4,
    recipients,
    direction: outbound ? (internal ? "Intra-org" : "Outbound") : internal ? "Intra-org" : "Inbound",
    attachmentCount: rng.chance(0.3) ? rng.int(1, 3) : 0,
    urlCount: rng.int(0, 6),
  };
}
