// The large tenant's bulk: millions of ordinary records that are never stored. A blob is a few numbers (size, time,
// id); record k of blob j is rebuilt on demand from (seed, tenant, content type, j, k), so memory stays flat and two
// reads of a blob give identical bytes. Odd blobs republish ~1% of the previous blob's records (same Id and content).
// Speed (the emulator must serve well over 50 MB/s): each record is one of 256 pre-rendered templates per content
// type, built by the same record builders as the scenario, with its Id and every timestamp filled in at render time.
import { hash32, Random, unitHash } from "../random";
import { CONTENT_TYPES, type ContentTypeName } from "../types";
import { ActivityLog } from "./activity-log";
import { contentIdFor, publicationDelayMs } from "./blob-layout";
import { openSession, type ClientKind } from "./client-session";
import { folderId, MAIL_FOLDERS, newMessage } from "./mailbox";
import type { AuditRecord } from "./records/audit-record";
import { dlpRecord } from "./records/dlp";
import { directoryRecord, signInRecord } from "./records/entra";
import { exchangeFolderRecord, exchangeItemRecord } from "./records/exchange-mailbox";
import { generalRecord, GENERAL_OPERATION_WEIGHTS, GENERAL_OPERATIONS } from "./records/general";
import { mailItemsAccessedRecord } from "./records/mail-items-accessed";
import { FILE_OPERATION_WEIGHTS, FILE_OPERATIONS, sharePointRecord } from "./records/sharepoint";
import type { TenantIdentity } from "./tenant-identity";
import { createUsers, type EmulatedUser } from "./users";
import { pickBoundItems, type WorkdayContext } from "./workday";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SHARE: Record<ContentTypeName, number> = {
  "Audit.Exchange": 0.45,
  "Audit.AzureActiveDirectory": 0.2,
  "Audit.SharePoint": 0.25,
  "Audit.General": 0.08,
  "DLP.All": 0.02,
};
const BULK_DUPLICATE_SHARE = 0.01;
const BULK_USERS = 2000;
const TEMPLATES_PER_CONTENT_TYPE = 256;
/** Stands for the record Id inside a template. */
const ID_MARK = "ffffffff-ffff-4fff-bfff-ffffffffffff";
const HOLE = /ffffffff-ffff-4fff-bfff-ffffffffffff|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{3}Z)?/g;

/** A record's JSON cut at its Id and timestamps; `holes[i]` goes between `texts[i]` and `texts[i + 1]`. */
interface RecordTemplate {
  texts: string[];
  /** The same texts, encoded once: serving copies bytes instead of building strings. */
  textBytes: Buffer[];
  /** Upper bound of a rendered record's size in bytes. */
  maxBytes: number;
  /** null: the Id; otherwise a timestamp at (record time + offset), long (ms and Z) or short (CreationTime form). */
  holes: Array<{ offsetMs: number; long: boolean } | null>;
}

function compileTemplate(json: string, baseMs: number): RecordTemplate {
  const texts: string[] = [];
  const holes: RecordTemplate["holes"] = [];
  let last = 0;
  for (const m of json.matchAll(HOLE)) {
    texts.push(json.slice(last, m.index));
    const text = m[0];
    if (text === ID_MARK) holes.push(null);
    else {
      const long = text.endsWith("Z");
      holes.push({ offsetMs: Date.parse(long ? text : `${text}Z`) - baseMs, long });
    }
    last = m.index! + text.length;
  }
  texts.push(json.slice(last));
  const textBytes = texts.map((t) => Buffer.from(t, "utf8"));
  const maxBytes = textBytes.reduce((n, b) => n + b.length, 0) + holes.length * 40;
  return { texts, textBytes, maxBytes, holes };
}

/** Writes the rendered record into `buf` at `off` (room for `maxBytes` is the caller's job); returns the new offset. */
function renderInto(t: RecordTemplate, id: string, ms: number, buf: Buffer, off: number): number {
  off += t.textBytes[0].copy(buf, off);
  for (let i = 0; i < t.holes.length; i++) {
    const h = t.holes[i];
    if (h === null) off += buf.write(id, off, "latin1");
    else {
      const iso = new Date(ms + h.offsetMs).toISOString();
      off += buf.write(h.long ? iso : iso.slice(0, 19), off, "latin1");
    }
    off += t.textBytes[i + 1].copy(buf, off);
  }
  return off;
}

function render(t: RecordTemplate, id: string, ms: number): string {
  let out = t.texts[0];
  for (let i = 0; i < t.holes.length; i++) {
    const h = t.holes[i];
    if (h === null) out += id;
    else {
      const iso = new Date(ms + h.offsetMs).toISOString();
      out += h.long ? iso : iso.slice(0, 19);
    }
    out += t.texts[i + 1];
  }
  return out;
}

export interface BulkBlob {
  contentType: ContentTypeName;
  /** Position of the content type in CONTENT_TYPES (hashing a number per record is cheaper than its name). */
  typeIndex: number;
  /** Position among the bulk blobs of its content type. */
  index: number;
  size: number;
  createdMs: number;
  contentId: string;
}

export class BulkTraffic {
  private readonly byType = new Map<ContentTypeName, BulkBlob[]>();
  private readonly users: EmulatedUser[];
  private readonly ctx: WorkdayContext;
  private readonly templates = new Map<ContentTypeName, RecordTemplate[]>();
  /** The largest record any template renders, in bytes. */
  maxRecordBytes = 0;

  constructor(
    private readonly seed: number,
    private readonly tenant: TenantIdentity,
    readonly totalRecords: number,
    anchorMs: number,
  ) {
    this.users = createUsers(seed, tenant, BULK_USERS, "staff.");
    this.ctx = { tenant, users: this.users, log: new ActivityLog(0, 0), mailboxes: new Map() };
    const fromMs = anchorMs - 7 * DAY + 2 * HOUR;
    const toMs = anchorMs - 10 * 60_000;
    let assigned = 0;
    CONTENT_TYPES.forEach((contentType, c) => {
      const want = c === CONTENT_TYPES.length - 1 ? totalRecords - assigned : Math.round(totalRecords * SHARE[contentType]);
      assigned += want;
      const sizes: number[] = [];
      for (let left = want; left > 0; ) {
        const size = Math.min(left, 400 + (hash32(seed, tenant.index, c, "size", sizes.length) % 1200));
        sizes.push(size);
        left -= size;
      }
      const baseMs = Math.floor((anchorMs - 3 * DAY) / 1000) * 1000;
      this.templates.set(
        contentType,
        Array.from({ length: TEMPLATES_PER_CONTENT_TYPE }, (_, i) =>
          compileTemplate(JSON.stringify(this.build(contentType, ID_MARK, baseMs, new Random(hash32(seed, tenant.index, c, "template", i)))), baseMs),
        ),
      );
      for (const t of this.templates.get(contentType)!) this.maxRecordBytes = Math.max(this.maxRecordBytes, t.maxBytes);
      const step = (toMs - fromMs) / Math.max(1, sizes.length);
      this.byType.set(
        contentType,
        sizes.map((size, index) => {
          const createdMs = Math.floor(fromMs + step * (index + 0.1 + 0.8 * unitHash(seed, tenant.index, c, "at", index)));
          const shard = tenant.shards[index % tenant.shards.length];
          return { contentType, typeIndex: c, index, size, createdMs, contentId: contentIdFor(contentType, createdMs, hash32(seed, c, index, "id") % 1_000_000, shard) };
        }),
      );
    });
  }

  blobs(contentType: ContentTypeName): BulkBlob[] {
    return this.byType.get(contentType) ?? [];
  }

  /** Where slot k of a blob really comes from: itself, or (odd blobs, ~1%) the same slot of the previous blob. */
  private origin(blob: BulkBlob, k: number): [BulkBlob, number] {
    if (blob.index % 2 === 1) {
      const previous = this.byType.get(blob.contentType)![blob.index - 1];
      if (k < previous.size && unitHash(this.seed, this.tenant.index, blob.typeIndex, 0xd0b, blob.index, k) < BULK_DUPLICATE_SHARE) return [previous, k];
    }
    return [blob, k];
  }

  private slotRandom(blob: BulkBlob, k: number): Random {
    return new Random(hash32(this.seed, this.tenant.index, blob.typeIndex, blob.index, k));
  }

  /** True when slot k republishes a record of the previous blob. */
  isDuplicateSlot(blob: BulkBlob, k: number): boolean {
    return this.origin(blob, k)[0] !== blob;
  }

  recordId(blob: BulkBlob, k: number): string {
    const [b, slot] = this.origin(blob, k);
    return this.slotRandom(b, slot).uuid();
  }

  recordIds(blob: BulkBlob): string[] {
    const ids = new Array<string>(blob.size);
    for (let k = 0; k < blob.size; k++) ids[k] = this.recordId(blob, k);
    return ids;
  }

  private slot(blob: BulkBlob, k: number): { template: RecordTemplate; id: string; ms: number } {
    const [b, slot] = this.origin(blob, k);
    const rng = this.slotRandom(b, slot);
    const id = rng.uuid();
    const templates = this.templates.get(b.contentType)!;
    const template = templates[rng.next() % templates.length];
    const ms = Math.floor((b.createdMs - publicationDelayMs(rng)) / 1000) * 1000;
    return { template, id, ms };
  }

  /** Record k of a blob as JSON text. */
  recordJson(blob: BulkBlob, k: number): string {
    const { template, id, ms } = this.slot(blob, k);
    return render(template, id, ms);
  }

  /** Record k of a blob written as UTF-8 JSON into `buf` at `off` (needs maxRecordBytes of room); returns the new offset. */
  writeRecord(blob: BulkBlob, k: number, buf: Buffer, off: number): number {
    const { template, id, ms } = this.slot(blob, k);
    return renderInto(template, id, ms, buf, off);
  }

  private build(contentType: ContentTypeName, id: string, ms: number, rng: Random): AuditRecord {
    const t = this.tenant;
    const user = this.users[rng.int(0, this.users.length - 1)];
    const kind: ClientKind = rng.weighted(["outlook-desktop", "owa", "outlook-mobile"], [user.usesOutlookDesktop ? 5 : 0, 4, 3]);
    const ip = kind === "outlook-desktop" ? t.officeIp : kind === "outlook-mobile" ? user.mobileIp : user.homeIp;
    const session = openSession(kind, ip, ms, rng, user.machineName);
    switch (contentType) {
      case "Audit.Exchange": {
        if (rng.chance(0.55)) {
          if (kind === "outlook-desktop" && rng.chance(0.3)) {
            const path = rng.pick(MAIL_FOLDERS);
            return mailItemsAccessedRecord(t, { id, ms, mailbox: user, actor: user, session, accessType: "Sync", syncFolder: { id: folderId(user, path), path, shape: rng.chance(0.5) ? "Folders" : "ParentFolder" } }, rng);
          }
          const folders = pickBoundItems(this.ctx, rng, user, ms, rng.weighted([1, 2, 3, 4, 5], [40, 25, 15, 12, 8]));
          return mailItemsAccessedRecord(t, { id, ms, mailbox: user, actor: user, session, accessType: "Bind", folders }, rng);
        }
        const operation = rng.weighted(["Send", "Update", "MailboxLogin", "MoveToDeletedItems"] as const, [40, 25, 20, 15]);
        const message = newMessage(rng, t, user, this.users, operation === "Send" ? "\\Sent Items" : "\\Inbox", ms);
        if (operation === "MoveToDeletedItems") return exchangeFolderRecord(t, rng, { id, ms, operation, mailbox: user, session, messages: [message] });
        return exchangeItemRecord(t, rng, { id, ms, operation, mailbox: user, session, message });
      }
      case "Audit.AzureActiveDirectory":
        if (rng.chance(0.9)) return signInRecord(t, rng, { id, ms, user, session, failed: rng.chance(0.05) });
        return directoryRecord(t, rng, { id, ms, actor: user, target: this.users[rng.int(0, this.users.length - 1)] });
      case "Audit.SharePoint":
        return sharePointRecord(t, rng, { id, ms, user, session, operation: rng.weighted(FILE_OPERATIONS, FILE_OPERATION_WEIGHTS) });
      case "Audit.General":
        return generalRecord(t, rng, { id, ms, user, session, operation: rng.weighted(GENERAL_OPERATIONS, GENERAL_OPERATION_WEIGHTS), colleague: this.users[rng.int(0, this.users.length - 1)] });
      case "DLP.All":
        return dlpRecord(t, rng, { id, ms, user, workload: rng.chance(0.5) ? "Exchange" : "SharePoint" });
    }
  }
}
