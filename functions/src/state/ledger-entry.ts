// A content ledger entry: its states, its fields, and how it is stored as an Azure Table entity (keys, properties).
import type { ContentRef } from "./content-ref";
import { ledgerPartitionKey, ledgerRowKey } from "./entity-keys";
import { asDate } from "./storage-account";

/**
 * An entry's life, one per content blob:
 *
 *   listed ──enqueue──▶ queued ──worker──▶ ingested
 *      │                  ├──────────────▶ expired   (AF20051: gone before we fetched it)
 *      │                  └──────────────▶ failed    (quarantined: permanent error or retries exhausted)
 *      └─(stale: re-enqueued by the planner)
 *   ingested ──ADX later reports a queued ingestion failed──▶ failed (permanent) or queued again (transient: replayed)
 */
export const LEDGER_STATES = ["listed", "queued", "ingested", "failed", "expired"] as const;
export type LedgerState = (typeof LEDGER_STATES)[number];
export const PENDING_STATES: readonly LedgerState[] = ["listed", "queued"];
/** The states a blob ends in: what its row in ADX's ingestion_ledger says. */
export type FinalState = Exclude<LedgerState, "listed" | "queued">;

/** A final state to write for one blob (the worker's outcome), with the fields that go with it. */
export interface Finish {
  ref: ContentRef;
  state: FinalState;
  attempts: number;
  figures?: IngestedFigures;
  code?: string;
  reason?: string;
}

export interface LedgerEntry extends ContentRef {
  state: LedgerState;
  source: "listing" | "webhook" | "worker";
  listedAt?: Date;
  queuedAt?: Date;
  finishedAt?: Date;
  attempts: number;
  lastErrorCode?: string;
  lastError?: string;
  records?: number;
  /** times ADX's failure reports sent the blob back to the queue; the generation of its queued ingestions */
  adxReplays: number;
  /** the ADX ingestion source id whose failure report started the latest replay */
  adxReplaySource?: string;
  etag?: string;
}

export interface IngestedFigures {
  records: number;
  auditRows: number;
  mailAccessRows: number;
  quarantinedRecords: number;
}

/** What locates an entry: its partition (tenant, content type, hour created) and row (contentId). */
export type LedgerKey = Pick<ContentRef, "tenantId" | "contentType" | "contentId" | "contentCreated">;

/** Table keys of an entry: partition by tenant, content type and hour created; row by contentId. */
export function ledgerKeys(ref: LedgerKey): { partitionKey: string; rowKey: string } {
  return {
    partitionKey: ledgerPartitionKey(ref.tenantId, ref.contentType, new Date(ref.contentCreated)),
    rowKey: ledgerRowKey(ref.contentId),
  };
}

/** The last error kept on an entry, cut short: a Table property holds 64 KiB, and health only shows the start. */
export function errorText(reason: string): string {
  return reason.slice(0, 8000);
}

export function finishFields(f: Finish, now: Date): Record<string, unknown> {
  if (f.state === "ingested") return { state: "ingested", finishedAt: now, attempts: f.attempts, ...f.figures, lastErrorCode: "", lastError: "" };
  return { state: f.state, finishedAt: now, attempts: f.attempts, lastErrorCode: f.code ?? "", lastError: errorText(f.reason ?? "") };
}

export function refFields(ref: ContentRef) {
  return {
    tenantId: ref.tenantId,
    contentType: ref.contentType,
    contentId: ref.contentId,
    contentUri: ref.contentUri,
    contentCreated: new Date(ref.contentCreated),
    contentExpiration: new Date(ref.contentExpiration),
  };
}

export function fromEntity(e: Record<string, unknown>): LedgerEntry {
  const iso = (v: unknown) => asDate(v)?.toISOString() ?? "";
  return {
    tenantId: String(e.tenantId ?? ""),
    contentType: String(e.contentType ?? ""),
    contentId: String(e.contentId ?? ""),
    contentUri: String(e.contentUri ?? ""),
    contentCreated: iso(e.contentCreated),
    contentExpiration: iso(e.contentExpiration),
    state: (e.state as LedgerState) ?? "queued",
    source: (e.source as LedgerEntry["source"]) ?? "listing",
    listedAt: asDate(e.listedAt),
    queuedAt: asDate(e.queuedAt),
    finishedAt: asDate(e.finishedAt),
    attempts: Number(e.attempts ?? 0),
    lastErrorCode: (e.lastErrorCode as string) || undefined,
    lastError: (e.lastError as string) || undefined,
    records: e.records === undefined ? undefined : Number(e.records),
    adxReplays: Number(e.adxReplays ?? 0),
    adxReplaySource: (e.adxReplaySource as string) || undefined,
    etag: e.etag as string | undefined,
  };
}
