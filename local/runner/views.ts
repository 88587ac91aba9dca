// What the `_dedup` materialized views hold, computed from the raw rows with the keys kql/ defines, and the checks
// the local run makes on them: no record twice where people read, and the raw duplicates as a figure.
import { loadDedupViews, materialize, type DedupView } from "../../kql/dedup-views";
import { Tables } from "../../kql/tables";

type Row = Record<string, unknown>;

/** A record, as the contract names it: audit by Id; mail access by record, folder and message. */
export const RECORD_KEYS: Record<string, readonly string[]> = {
  [Tables.unifiedAudit]: ["Id"],
  [Tables.accessMail]: ["RecordId", "FolderPath", "ItemId", "InternetMessageId"],
  [Tables.ledger]: ["TenantId", "ContentType", "ContentId"],
  [Tables.errors]: ["TenantId", "ContentType", "ContentId", "RecordId", "Stage", "ErrorCode"],
};

let views: Map<string, DedupView> | undefined;

function view(table: string): DedupView {
  views ??= loadDedupViews();
  const v = views.get(table);
  if (!v) throw new Error(`kql/tables defines no _dedup materialized view on ${table}`);
  return v;
}

/** The rows the table's `_dedup` view holds once it has caught up with `raw`. */
export function viewRows(table: string, raw: readonly Row[]): Row[] {
  return materialize(view(table), raw);
}

/** Records (by RECORD_KEYS) the view holds more than once: must be 0. */
export function twiceInView(table: string, raw: readonly Row[]): number {
  return surplus(viewRows(table, raw), (r) => RECORD_KEYS[table].map((k) => (r[k] == null ? "" : String(r[k]))).join("\u0000"));
}

/** Raw rows beyond the first of their view key: Microsoft's repeats across blobs plus our replays. A figure, not an error. */
export function rawDuplicates(table: string, raw: readonly Row[]): number {
  return raw.length - viewRows(table, raw).length;
}

function surplus(rows: readonly Row[], key: (r: Row) => string): number {
  const seen = new Set<string>();
  let extra = 0;
  for (const r of rows) {
    const k = key(r);
    if (seen.has(k)) extra++;
    else seen.add(k);
  }
  return extra;
}
