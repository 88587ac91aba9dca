// One tenant's searchable unified audit log: its older history (generated a chunk at a time, on demand) followed by
// the scenario's week, whose records are the very records the Management API emulator serves (same Id, same content;
// each once, although the feed publishes some twice). A week record is searchable once its first blob is published.
import { buildTenantScenario } from "../management-api/scenario/index";
import { CHUNK_MS, DAY_MS, OlderHistory } from "../management-api/scenario/older-history";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { AuditRecord } from "./graph-record";

export interface TenantAuditLogSettings {
  seed: number;
  index: number;
  users: number;
  anchorMs: number;
  multiTenantApp: boolean;
  /** How far back the log reaches, in days before the anchor (Audit Standard keeps 180). */
  retentionDays: number;
}

export interface SearchableRecord {
  ms: number;
  id: string;
  record: AuditRecord;
  /** When the record became searchable (week records: their first blob's contentCreated). */
  searchableFromMs: number;
}

/** Where a search hit lives: a history chunk (by its start) or the week, and its position there. */
export interface RecordRef {
  ms: number;
  id: string;
  chunk: number | "week";
  pos: number;
}

/** Six chunks cover a 30-day query and its ground truth without regenerating (≈9,000 records a chunk at 50 users). */
const CACHED_CHUNKS = 6;

export class TenantAuditLog {
  private readonly history: OlderHistory;
  private week: SearchableRecord[] | null = null;
  /** Recently used history chunks, least recent first. */
  private readonly chunks = new Map<number, SearchableRecord[]>();
  readonly retentionStartMs: number;

  constructor(private readonly s: TenantAuditLogSettings) {
    this.history = new OlderHistory(s);
    this.retentionStartMs = s.anchorMs - s.retentionDays * DAY_MS;
  }

  get weekStartMs(): number {
    return this.history.weekStartMs;
  }

  private weekRecords(): SearchableRecord[] {
    if (!this.week) {
      const scenario = buildTenantScenario({ seed: this.s.seed, index: this.s.index, users: this.s.users, anchorMs: this.s.anchorMs, multiTenantApp: this.s.multiTenantApp });
      const byId = new Map<string, SearchableRecord>();
      for (const blobs of Object.values(scenario.blobs)) {
        for (const blob of blobs) {
          blob.records.forEach((json, k) => {
            const seen = byId.get(blob.recordIds[k]);
            if (seen) {
              seen.searchableFromMs = Math.min(seen.searchableFromMs, blob.createdMs);
              return;
            }
            const record = JSON.parse(json) as AuditRecord;
            byId.set(blob.recordIds[k], { ms: Date.parse(`${record.CreationTime as string}Z`), id: blob.recordIds[k], record, searchableFromMs: blob.createdMs });
          });
        }
      }
      this.week = [...byId.values()].sort(byTime);
    }
    return this.week;
  }

  private chunk(chunkMs: number): SearchableRecord[] {
    let records = this.chunks.get(chunkMs);
    if (records) {
      this.chunks.delete(chunkMs); // re-insert: the Map's order is the eviction order
    } else {
      records = this.history.chunk(chunkMs).map((r) => ({ ms: r.ms, id: r.id, record: JSON.parse(r.json) as AuditRecord, searchableFromMs: r.ms }));
      if (this.chunks.size >= CACHED_CHUNKS) this.chunks.delete(this.chunks.keys().next().value!);
    }
    this.chunks.set(chunkMs, records);
    return records;
  }

  /** Records with fromMs <= time < toMs, searchable at asOfMs, accepted by `match`; in time order. */
  search(fromMs: number, toMs: number, asOfMs: number, match: (r: AuditRecord) => boolean): RecordRef[] {
    const hits: RecordRef[] = [];
    const from = Math.max(fromMs, this.retentionStartMs);
    const historyTo = Math.min(toMs, this.weekStartMs);
    for (let c = OlderHistory.chunkStart(from); from < historyTo && c < historyTo; c += CHUNK_MS) {
      this.chunk(c).forEach((r, pos) => {
        if (r.ms >= from && r.ms < historyTo && match(r.record)) hits.push({ ms: r.ms, id: r.id, chunk: c, pos });
      });
    }
    if (toMs > this.weekStartMs) {
      this.weekRecords().forEach((r, pos) => {
        if (r.ms >= from && r.ms < toMs && r.searchableFromMs <= asOfMs && match(r.record)) hits.push({ ms: r.ms, id: r.id, chunk: "week", pos });
      });
    }
    return hits;
  }

  /** The same search, giving the event loop back after every chunk: a long query must not stall the emulated cloud. */
  async searchInSteps(fromMs: number, toMs: number, asOfMs: number, match: (r: AuditRecord) => boolean, signal?: AbortSignal): Promise<RecordRef[]> {
    const hits: RecordRef[] = [];
    const from = Math.max(fromMs, this.retentionStartMs);
    const historyTo = Math.min(toMs, this.weekStartMs);
    for (let c = OlderHistory.chunkStart(from); c < historyTo; c += CHUNK_MS) {
      await yieldToEventLoop(undefined, { signal });
      hits.push(...this.search(Math.max(from, c), Math.min(historyTo, c + CHUNK_MS), asOfMs, match));
    }
    await yieldToEventLoop(undefined, { signal });
    if (toMs > this.weekStartMs) hits.push(...this.search(Math.max(from, this.weekStartMs), toMs, asOfMs, match));
    return hits;
  }

  record(ref: RecordRef): AuditRecord {
    return (ref.chunk === "week" ? this.weekRecords() : this.chunk(ref.chunk))[ref.pos].record;
  }
}

function byTime(a: SearchableRecord, b: SearchableRecord): number {
  return a.ms - b.ms || (a.id < b.id ? -1 : 1);
}
