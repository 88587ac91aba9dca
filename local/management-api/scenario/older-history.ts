// The tenant's audit log before the emulated week: the same people having ordinary working days, written by the same
// record builders, one 7-day chunk at a time. A chunk depends only on (seed, tenant, chunk start), so any chunk can be
// generated alone, on demand, in any order, and twice gives the same records. The week itself is the scenario's.
import { hash32, Random } from "../random";
import type { ContentTypeName } from "../types";
import { ActivityLog, type LoggedRecord } from "./activity-log";
import { tenantIdentity, type TenantIdentity } from "./tenant-identity";
import { createUsers, type EmulatedUser } from "./users";
import { backgroundStream, generateBackground, serviceAccount } from "./background";
import { generateWorkdays } from "./workday";

export const DAY_MS = 86_400_000;
/** Chunks are 7 UTC days aligned on the Unix epoch: generating a day costs its previous day too, a week costs 8 days. */
export const CHUNK_MS = 7 * DAY_MS;

export interface OlderHistoryInput {
  seed: number;
  index: number;
  users: number;
  /** The end of the emulated week (exclusive): history ends where the week starts, at anchorMs − 7 days. */
  anchorMs: number;
  multiTenantApp: boolean;
}

export interface HistoryRecord extends LoggedRecord {
  contentType: ContentTypeName;
}

export class OlderHistory {
  readonly identity: TenantIdentity;
  readonly users: EmulatedUser[];
  /** History covers [.., weekStartMs): the week's records come from the scenario itself. */
  readonly weekStartMs: number;

  constructor(private readonly input: OlderHistoryInput) {
    this.identity = tenantIdentity(input.seed, input.index, input.multiTenantApp);
    this.users = createUsers(input.seed, this.identity, input.users);
    this.weekStartMs = input.anchorMs - 7 * DAY_MS;
  }

  /** Start of the chunk holding `ms`. */
  static chunkStart(ms: number): number {
    return Math.floor(ms / CHUNK_MS) * CHUNK_MS;
  }

  /** The records of the chunk starting at `chunkMs`, cut at the start of the week; time-ordered. */
  chunk(chunkMs: number): HistoryRecord[] {
    if (chunkMs % CHUNK_MS !== 0) throw new Error(`${new Date(chunkMs).toISOString()} is not the start of a history chunk`);
    const toMs = Math.min(chunkMs + CHUNK_MS, this.weekStartMs);
    if (toMs <= chunkMs) return [];
    const log = new ActivityLog(chunkMs, toMs);
    // its own stream per chunk: a chunk never depends on which other chunks were generated before it
    const rng = new Random(hash32(this.input.seed, "older-history", this.input.index, chunkMs));
    const ctx = { tenant: this.identity, users: this.users, log, mailboxes: new Map() };
    generateWorkdays(ctx, rng);
    generateBackground(ctx, backgroundStream(this.input.seed, "older-history", this.input.index, chunkMs), serviceAccount(this.input.seed, ctx));
    const out: HistoryRecord[] = [];
    for (const [contentType, records] of Object.entries(log.byContentType) as Array<[ContentTypeName, LoggedRecord[]]>) {
      for (const r of records) out.push({ ...r, contentType });
    }
    return out.sort((a, b) => a.ms - b.ms || (a.id < b.id ? -1 : 1));
  }
}
