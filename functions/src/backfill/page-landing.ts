// One page of a Graph query's records → the same rows, tables and ADX queued ingestion the live feed's worker uses.
// A record landed by both paths has the same Id, so the `_dedup` views keep it once.
import type { IngestionErrorsRow } from "../../../kql/generated/table-rows";
import { Tables } from "../../../kql/tables";
import { unwrapAuditLogRecord, type GraphAuditLogRecord, type ManagementApiRecord } from "../graph-audit";
import type { RowSink } from "../sinks/row-sink";
import type { PostedSource, SourceBlob } from "../state/adx-ingestion-sources";
import { transformBlob } from "../transform/transform";
import { intervalContentId, type BackfillInterval } from "./backfill-job";
import { contentTypeOfRecord } from "./record-content-type";

/** What landing needs of the ADX sink (the worker's RowSink): its queued ingestions name their source ids. */
export type PageSink = Pick<RowSink, "ingestRows">;

export interface PageTarget {
  tenantId: string;
  database: string;
  /** The rows' ContentId: which job, interval and page they came from (back-fill has no content blob). */
  contentId: string;
  /** The interval's [from, to): a record outside it is dropped and counted (the docs do not say whether Graph's
   *  filterEndDateTime is exclusive, so a record at a boundary could otherwise land from both adjacent queries). */
  range?: { from: Date; to: Date };
}

export interface LandedPage {
  fetched: number;
  /** Records now in microsoft_unified_audit (each Id of the page once). */
  landed: number;
  /** Records that could not land, each a row in ingestion_errors with the reason. */
  quarantined: number;
  /** Records outside the target's range: not landed. */
  outOfRange: number;
  /** The page's queued ingestions, to record against the interval: ADX may still fail them after accepting them. */
  posted: PostedSource[];
}

/** Stage written in ingestion_errors for what back-fill could not land. */
export const BACKFILL_STAGE = "backfill";
/** ContentType of an ingestion_errors row about a back-fill interval or a record that could not be unwrapped. */
export const BACKFILL_CONTENT_TYPE = "Backfill";

export async function landPage(records: GraphAuditLogRecord[], target: PageTarget, sink: PageSink, at: Date): Promise<LandedPage> {
  const errorRows: IngestionErrorsRow[] = [];
  const byContentType = new Map<string, ManagementApiRecord[]>();
  let outOfRange = 0;
  for (const graph of records) {
    let record: ManagementApiRecord;
    try {
      record = unwrapAuditLogRecord(graph);
    } catch (e) {
      errorRows.push(errorRow(target, BACKFILL_CONTENT_TYPE, typeof graph?.id === "string" ? graph.id : "", "RecordNotUnwrappable", (e as Error).message, graph, at));
      continue;
    }
    if (target.range && !inRange(record, target.range)) {
      outOfRange++;
      continue;
    }
    const ct = contentTypeOfRecord(record);
    let group = byContentType.get(ct);
    if (!group) byContentType.set(ct, (group = []));
    group.push(record);
  }

  const auditRows: Record<string, unknown>[] = [];
  const mailRows: Record<string, unknown>[] = [];
  for (const [contentType, group] of byContentType) {
    const result = transformBlob(group, { tenantId: target.tenantId, contentType, contentId: target.contentId });
    for (const r of result.auditRows) auditRows.push(r as unknown as Record<string, unknown>);
    for (const r of result.mailAccessRows) mailRows.push(r as unknown as Record<string, unknown>);
    for (const q of result.quarantined) errorRows.push(errorRow(target, contentType, q.recordId ?? "", "MalformedRecord", q.reason, q.record, at));
  }

  // the page counts as landed once ADX has accepted all its tables' rows
  const tables: Array<[string, Record<string, unknown>[]]> = [
    [Tables.unifiedAudit, auditRows],
    [Tables.accessMail, mailRows],
    ...(errorRows.length ? [[Tables.errors, errorRows as unknown as Record<string, unknown>[]] as [string, Record<string, unknown>[]]] : []),
  ];
  const reports = await Promise.all(tables.map(([table, rows]) => sink.ingestRows(target.database, table, rows)));
  const posted = reports.flatMap((r, i) => (r?.sources ?? []).map((s) => ({ table: tables[i][0], sourceId: s.sourceId })));
  return { fetched: records.length, landed: auditRows.length, quarantined: errorRows.length, outOfRange, posted };
}

/** CreationTime (UTC, to the second, no zone: the Management API's form) within [from, to). */
function inRange(record: ManagementApiRecord, range: { from: Date; to: Date }): boolean {
  const at = Date.parse(`${record.CreationTime}Z`);
  return at >= range.from.getTime() && at < range.to.getTime();
}

/** An interval as the ADX source records name it: the settlement maps a failed page back to its job and interval. */
export function intervalSource(tenantId: string, iv: BackfillInterval, purpose: "backfill" | "failure-record" = "backfill"): SourceBlob {
  return { tenantId, contentType: BACKFILL_CONTENT_TYPE, contentId: intervalContentId(iv.jobId, iv.index), contentCreated: iv.from.toISOString(), generation: iv.adxReopens, purpose };
}

export function errorRow(target: Pick<PageTarget, "tenantId" | "contentId">, contentType: string, recordId: string, code: string, reason: string, payload: unknown, at: Date): IngestionErrorsRow {
  return {
    Timestamp: at.toISOString(),
    TenantId: target.tenantId,
    ContentType: contentType,
    ContentId: target.contentId,
    RecordId: recordId,
    Stage: BACKFILL_STAGE,
    ErrorCode: code,
    Reason: reason,
    Payload: payload,
  } as IngestionErrorsRow;
}
