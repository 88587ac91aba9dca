// How records become content blobs: each record is published after a realistic delay (mostly 60–90 min, a tail up to
// 24 h), the service cuts a blob per shard and publication slot, records inside are unordered, and some records are
// published again in a later blob (same Id, same content), as Microsoft does.
import type { Random } from "../random";
import type { ContentTypeName } from "../types";
import type { LoggedRecord } from "./activity-log";
import type { TenantIdentity } from "./tenant-identity";

const MINUTE = 60_000;

/** Minutes between publication slots per content type (Exchange publishes most often). */
export const PUBLICATION_SLOT_MINUTES: Record<ContentTypeName, number> = {
  "Audit.Exchange": 15,
  "Audit.AzureActiveDirectory": 30,
  "Audit.SharePoint": 30,
  "Audit.General": 60,
  "DLP.All": 60,
};
const MAX_RECORDS_PER_BLOB = 150;
/** Share of records published a second time in a later blob. */
export const DUPLICATE_RECORD_SHARE = 0.02;

export interface EagerBlob {
  contentType: ContentTypeName;
  contentId: string;
  createdMs: number;
  /** Record JSON texts, unordered; a republished record is the very same text as its first copy. */
  records: string[];
  recordIds: string[];
}

/** Delay between an event and its blob becoming listable. */
export function publicationDelayMs(rng: Random): number {
  const r = rng.float();
  if (r < 0.85) return (60 + rng.float() * 30) * MINUTE;
  if (r < 0.96) return (90 + rng.float() * 150) * MINUTE;
  return (240 + rng.float() * 1200) * MINUTE;
}

/** `20240314070051748005825$20240314070051748005825$audit_exchange$Audit_Exchange$emea0036` */
export function contentIdFor(contentType: ContentTypeName, createdMs: number, subMillisecond: number, shard: string): string {
  const iso = new Date(createdMs).toISOString(); // 2024-03-14T07:00:51.748Z
  const stamp =
    iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19) + iso.slice(20, 23) +
    String(subMillisecond % 1_000_000).padStart(6, "0");
  const typed = contentType.replace(".", "_");
  return `${stamp}$${stamp}$${typed.toLowerCase()}$${typed}$${shard}`;
}

export const CONTENT_ID_PATTERN = /^(\d{23})\$(\d{23})\$([a-z_]+)\$([A-Za-z_]+)\$([a-z]+\d+)$/;

export function layoutBlobs(t: TenantIdentity, contentType: ContentTypeName, logged: LoggedRecord[], rng: Random): EagerBlob[] {
  const slotMs = PUBLICATION_SLOT_MINUTES[contentType] * MINUTE;
  const groups = new Map<string, { slot: number; shard: string; records: LoggedRecord[] }>();
  for (const record of logged) {
    const slot = Math.ceil((record.ms + publicationDelayMs(rng)) / slotMs) * slotMs;
    const shard = rng.pick(t.shards);
    const key = `${slot}|${shard}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { slot, shard, records: [] }));
    g.records.push(record);
  }
  const blobs: Array<{ contentId: string; createdMs: number; records: LoggedRecord[] }> = [];
  const taken = new Set<string>();
  for (const g of [...groups.values()].sort((a, b) => a.slot - b.slot || a.shard.localeCompare(b.shard))) {
    for (let i = 0; i < g.records.length; i += MAX_RECORDS_PER_BLOB) {
      const createdMs = g.slot + rng.int(5_000, 240_000);
      let contentId = contentIdFor(contentType, createdMs, rng.int(0, 999_999), g.shard);
      while (taken.has(contentId)) contentId = contentIdFor(contentType, createdMs, rng.int(0, 999_999), g.shard);
      taken.add(contentId);
      blobs.push({ contentId, createdMs, records: g.records.slice(i, i + MAX_RECORDS_PER_BLOB) });
    }
  }
  blobs.sort((a, b) => a.createdMs - b.createdMs || a.contentId.localeCompare(b.contentId));
  // republish a few records in one of the next blobs: same object, so the same Id and the same content
  for (let b = 0; b < blobs.length - 1; b++) {
    for (const record of blobs[b].records) {
      if (!rng.chance(DUPLICATE_RECORD_SHARE)) continue;
      const target = blobs[Math.min(blobs.length - 1, b + rng.int(1, 3))];
      if (!target.records.includes(record)) target.records.push(record);
    }
  }
  return blobs.map((blob) => {
    rng.shuffle(blob.records);
    return { contentType, contentId: blob.contentId, createdMs: blob.createdMs, records: blob.records.map((r) => r.json), recordIds: blob.records.map((r) => r.id) };
  });
}
