// The blobs of one tenant and content type as the service lists and serves them: ordered by contentCreated, each with
// its per-blob faults (listed again later, listed late, expired early), and what is visible or fetchable at an instant.
import type { EagerBlob } from "./scenario/blob-layout";
import type { BulkBlob, BulkTraffic } from "./scenario/bulk-traffic";
import type { FaultInjector } from "./faults";
import type { Subscription } from "./subscription";
import type { ContentTypeName } from "./types";

export const CONTENT_LIFETIME_MS = 7 * 86_400_000;

export interface CatalogBlob {
  contentType: ContentTypeName;
  contentId: string;
  createdMs: number;
  /** contentCreated + 7 days; after it the blob answers AF20051. */
  expiresMs: number;
  recordCount: number;
  eager: EagerBlob | null;
  bulk: BulkBlob | null;
  /** Fault "expired": listed, but fetching it answers AF20051. */
  expiredByFault: boolean;
  /** Fault "late-listing": missing from the first listing that covers it. */
  lateListed: boolean;
}

interface ListingEntry {
  /** When the blob shows up in listings: contentCreated, or later for its duplicate listing. */
  listAtMs: number;
  blob: CatalogBlob;
}

export class ContentCatalog {
  readonly blobs: CatalogBlob[];
  private readonly entries: ListingEntry[];
  private readonly byId = new Map<string, CatalogBlob>();
  /** Late-listed blobs: the listing generation that first passed over them (hidden there, shown to later ones). */
  private readonly firstPassedOver = new Map<CatalogBlob, number>();

  constructor(
    readonly contentType: ContentTypeName,
    eager: EagerBlob[],
    readonly bulk: BulkTraffic | null,
    faults: FaultInjector,
  ) {
    const blobs: CatalogBlob[] = [];
    const add = (contentId: string, createdMs: number, recordCount: number, e: EagerBlob | null, b: BulkBlob | null) => {
      if (this.byId.has(contentId)) return; // a (vanishingly rare) id clash between the two generators: first wins
      const blob: CatalogBlob = {
        contentType,
        contentId,
        createdMs,
        expiresMs: createdMs + CONTENT_LIFETIME_MS,
        recordCount,
        eager: e,
        bulk: b,
        expiredByFault: faults.blobHas("expired", contentId),
        lateListed: faults.blobHas("late-listing", contentId),
      };
      this.byId.set(contentId, blob);
      blobs.push(blob);
    };
    for (const e of eager) add(e.contentId, e.createdMs, e.records.length, e, null);
    for (const b of bulk?.blobs(contentType) ?? []) add(b.contentId, b.createdMs, b.size, null, b);
    blobs.sort((a, b) => a.createdMs - b.createdMs || (a.contentId < b.contentId ? -1 : 1));
    this.blobs = blobs;
    const entries: ListingEntry[] = blobs.map((blob) => ({ listAtMs: blob.createdMs, blob }));
    for (const blob of blobs) {
      if (faults.blobHas("duplicate-listing", blob.contentId)) entries.push({ listAtMs: blob.createdMs + faults.relistDelayMs(blob.contentId), blob });
    }
    entries.sort((a, b) => a.listAtMs - b.listAtMs || (a.blob.contentId < b.blob.contentId ? -1 : 1));
    this.entries = entries;
  }

  get(contentId: string): CatalogBlob | undefined {
    return this.byId.get(contentId);
  }

  get entryCount(): number {
    return this.entries.length;
  }

  entry(position: number): ListingEntry {
    return this.entries[position];
  }

  /** First listing position at or after `ms`. */
  positionAt(ms: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid].listAtMs < ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Number of blobs with contentCreated <= nowMs (they form a prefix of `blobs`). */
  createdBy(nowMs: number): number {
    let lo = 0;
    let hi = this.blobs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.blobs[mid].createdMs <= nowMs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Whether listing generation `generation` shows this entry now; a late-listed blob is passed over the first time. */
  listedBy(entry: ListingEntry, generation: number, nowMs: number, sub: Subscription): boolean {
    const blob = entry.blob;
    if (entry.listAtMs > nowMs || blob.createdMs > nowMs || sub.producedWhileStopped(blob.createdMs)) return false;
    if (!blob.lateListed) return true;
    const first = this.firstPassedOver.get(blob);
    if (first === undefined) {
      this.firstPassedOver.set(blob, generation);
      return false;
    }
    return generation > first;
  }

  /** Fetchable now: created, not past its expiration, not expired by fault, not produced while stopped. */
  fetchable(blob: CatalogBlob, nowMs: number, sub: Subscription): boolean {
    return blob.createdMs <= nowMs && nowMs < blob.expiresMs && !blob.expiredByFault && !sub.producedWhileStopped(blob.createdMs);
  }

  recordIds(blob: CatalogBlob): string[] {
    return blob.eager ? blob.eager.recordIds : this.bulk!.recordIds(blob.bulk!);
  }
}
