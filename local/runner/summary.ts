import { Tables } from "../../kql/tables";
import type { GroundTruth } from "../management-api";
import { attackerFootprint, type FootprintRow } from "../../investigation/footprint";
import { mailAccessScope } from "../../investigation/scope";
import { compareSets, exposureKey, isExact, scopeAnswer, type MailboxExposure, type SetComparison } from "../../investigation/scope-answer";
import type { JobOutcome } from "./job";
import { rawDuplicates, twiceInView, viewRows } from "./views";

type Row = Record<string, unknown>;

export interface SummaryInput {
  tenants: Array<{ tenantId: string; database: string }>;
  contentTypes: readonly string[];
  rows: (database: string, table: string) => Row[];
  /** The emulator's ground truth; absent with --source. */
  truth?: GroundTruth;
  job: JobOutcome;
  /** Messages the host moved to `<queue>-poison`. */
  poisonMessages: number;
  /** Rows the Logs Ingestion emulator received for Sentinel, when Sentinel forwarding ran. */
  sentinelRows?: number;
}

export interface IncidentSummary {
  tenantId: string;
  victimUpn: string;
  attackerIp: string;
  windowStart: string;
  windowEnd: string;
  /** From the ingested rows; compared with the emulator's ground truth when there is one. */
  messagesRead: SetComparison;
  foldersSynced: SetComparison;
  throttled: SetComparison;
  attackerSessions: SetComparison;
  /** Whole mailboxes presumed exposed (steps 1 and 3), "kind mailbox from → to". */
  mailboxExposures: SetComparison;
  /** What else the attacker did (AttackerFootprint), "kind record still-active". */
  footprint: SetComparison;
  /** Footprint rows found, for the summary's list. */
  footprintRows: Array<Pick<FootprintRow, "Kind" | "StillActive" | "Target">>;
  matchesGroundTruth: boolean | null;
  boundInternetMessageIds: string[];
  syncedFolders: string[];
  throttledPeriods: Array<{ mailboxUpn: string; from: string; to: string }>;
  mailboxesExposed: MailboxExposure[];
}

export interface JobSummary {
  mode: "emulator" | "source";
  /** Distinct content blobs landed (ingestion_ledger_dedup rows with Status "ingested"). */
  blobs: number;
  /** Blobs per latest Status (ingestion_ledger_dedup): ingested, expired (AF20051), failed (quarantined). */
  blobsByStatus: Record<string, number>;
  blobsAvailable: number | null;
  /** Distinct audit records landed (the rows of microsoft_unified_audit_dedup). */
  records: number;
  recordsAvailable: number | null;
  rowsPerTable: Record<string, number>;
  /** Microsoft's cross-blob duplicate records plus replayed rows, removed by the audit view: raw audit rows − distinct Ids. */
  duplicatesRemoved: number;
  /**
   * Records the `_dedup` views (computed with the keys kql/ defines) would hold more than once, by the contract's key
   * (audit: Id; mail access: record, folder and message; ledger: blob). Must be 0: the views are where people read.
   */
  recordsTwiceInViews: number;
  recordsTwiceInViewsByTable: Record<string, number>;
  /** Raw rows beyond the first per view key, per table: Microsoft's repeats and our replays (at least once). A figure. */
  rawDuplicateRowsByTable: Record<string, number>;
  /** ingestion_errors rows: blobs and records that could not land, each with its reason. */
  quarantined: number;
  quarantinedBlobs: number;
  quarantinedRecords: number;
  /** ingestion_errors rows by ErrorCode (AF20051: the blob expired before it could be fetched). */
  quarantinedByCode: Record<string, number>;
  poisonMessages: number;
  /** Records landed ÷ records the emulator made available (0..1); null without ground truth. */
  completeness: number | null;
  missingRecordIds: string[];
  incident: IncidentSummary | null;
  /** Management API requests ÷ blobs landed (all operations), and content GETs alone. */
  requestsPerBlob: number | null;
  contentRequestsPerBlob: number | null;
  apiRequests: { total: number; byOperation: Record<string, number> } | null;
  sentinelRows: number | null;
  job: JobOutcome;
  /** What is wrong, when something is (empty on success). */
  problems: string[];
}

const str = (v: unknown): string => (typeof v === "string" ? v : v == null ? "" : String(v));

export function summarizeJob(input: SummaryInput): JobSummary {
  const { truth } = input;
  const rowsPerTable: Record<string, number> = {};
  const twiceByTable: Record<string, number> = {};
  const rawDuplicateRowsByTable: Record<string, number> = {};
  for (const table of Object.values(Tables)) {
    rowsPerTable[table] = 0;
    twiceByTable[table] = 0;
    rawDuplicateRowsByTable[table] = 0;
  }
  let auditRows = 0;
  const landedBlobs = new Set<string>();
  const blobsByStatus: Record<string, number> = {};
  let quarantinedBlobs = 0;
  let quarantinedRecords = 0;
  const quarantinedByCode: Record<string, number> = {};
  let records = 0;
  let available = 0;
  let landedAvailable = 0;
  let blobsAvailable = 0;
  const missingRecordIds: string[] = [];
  let incident: IncidentSummary | null = null;

  for (const [index, tenant] of input.tenants.entries()) {
    const audit = input.rows(tenant.database, Tables.unifiedAudit);
    const mail = input.rows(tenant.database, Tables.accessMail);
    const ledger = input.rows(tenant.database, Tables.ledger);
    const errors = input.rows(tenant.database, Tables.errors);
    rowsPerTable[Tables.unifiedAudit] += audit.length;
    rowsPerTable[Tables.accessMail] += mail.length;
    rowsPerTable[Tables.ledger] += ledger.length;
    rowsPerTable[Tables.errors] += errors.length;
    auditRows += audit.length;

    // Exactly once where people read: what the _dedup views hold, by the contract's record key.
    const raw: Record<string, Row[]> = { [Tables.unifiedAudit]: audit, [Tables.accessMail]: mail, [Tables.ledger]: ledger, [Tables.errors]: errors };
    for (const [table, rows] of Object.entries(raw)) {
      twiceByTable[table] += twiceInView(table, rows);
      rawDuplicateRowsByTable[table] += rawDuplicates(table, rows);
    }

    const landed = new Set<string>();
    for (const r of viewRows(Tables.unifiedAudit, audit)) landed.add(str(r.Id));
    records += landed.size;
    for (const r of viewRows(Tables.ledger, ledger)) {
      const status = str(r.Status) || "unknown";
      blobsByStatus[status] = (blobsByStatus[status] ?? 0) + 1;
      if (status === "ingested") landedBlobs.add(`${tenant.tenantId}\u0000${str(r.ContentId)}`);
    }
    for (const e of viewRows(Tables.errors, errors)) {
      const code = str(e.ErrorCode) || "unknown";
      quarantinedByCode[code] = (quarantinedByCode[code] ?? 0) + 1;
      if (str(e.RecordId)) quarantinedRecords++;
      else quarantinedBlobs++;
    }

    if (truth) {
      for (const contentType of input.contentTypes) {
        blobsAvailable += truth.availableBlobs(tenant.tenantId, contentType).length;
        for (const id of truth.availableRecordIds(tenant.tenantId, contentType)) {
          available++;
          if (landed.has(id)) landedAvailable++;
          else if (missingRecordIds.length < 20) missingRecordIds.push(id);
        }
      }
    }
    if (index === 0 && truth) incident = summarizeIncident(tenant.tenantId, mail, audit, truth);
  }

  const blobs = landedBlobs.size;
  let apiRequests: JobSummary["apiRequests"] = null;
  if (truth) {
    apiRequests = { total: 0, byOperation: {} };
    for (const tenant of input.tenants) {
      const r = truth.requests(tenant.tenantId);
      apiRequests.total += r.total;
      for (const [op, n] of Object.entries(r.byOperation)) apiRequests.byOperation[op] = (apiRequests.byOperation[op] ?? 0) + n;
    }
  }
  const contentGets = apiRequests ? contentRequests(apiRequests.byOperation) : null;
  const recordsTwiceInViews = Object.values(twiceByTable).reduce((a, b) => a + b, 0);
  const completeness = truth ? (available === 0 ? 1 : landedAvailable / available) : null;

  const problems: string[] = [];
  if (!input.job.finished) problems.push(`The job did not finish: ${input.job.stoppedBecause}.`);
  if (completeness !== null && completeness < 1)
    problems.push(
      `Completeness is ${(completeness * 100).toFixed(2)}%: ${available - landedAvailable} of ${available} available records did not land ` +
        `(e.g. ${missingRecordIds.slice(0, 3).join(", ")}). Look at ingestion_errors and the run log for why.`,
    );
  if (recordsTwiceInViews > 0)
    problems.push(
      `${recordsTwiceInViews} record(s) would appear twice in the _dedup views (${describeCounts(twiceByTable)}): ` +
        "a view's key in kql/tables no longer names one record (audit: Id; mail access: record, folder and message).",
    );

  return {
    mode: truth ? "emulator" : "source",
    blobs,
    blobsByStatus,
    blobsAvailable: truth ? blobsAvailable : null,
    records,
    recordsAvailable: truth ? available : null,
    rowsPerTable,
    duplicatesRemoved: auditRows - records,
    recordsTwiceInViews,
    recordsTwiceInViewsByTable: twiceByTable,
    rawDuplicateRowsByTable,
    quarantined: quarantinedBlobs + quarantinedRecords,
    quarantinedBlobs,
    quarantinedRecords,
    quarantinedByCode,
    poisonMessages: input.poisonMessages,
    completeness,
    missingRecordIds,
    incident,
    requestsPerBlob: apiRequests && blobs > 0 ? apiRequests.total / blobs : null,
    contentRequestsPerBlob: contentGets !== null && blobs > 0 ? contentGets / blobs : null,
    apiRequests,
    sentinelRows: input.sentinelRows ?? null,
    job: input.job,
    problems,
  };
}

function summarizeIncident(tenantId: string, mail: Row[], audit: Row[], truth: GroundTruth): IncidentSummary | null {
  const expected = truth.incident(tenantId);
  if (!expected || !expected.attackerIp) return null;
  // the responder's question: the victim, the attacker's IP, the window; the sessions are found from the IP
  const question = {
    user: expected.victimUpn, ips: [expected.attackerIp], sessions: [], aadSessions: [], apps: [], clientInfoStrings: [],
    startMs: Date.parse(expected.windowStart), endMs: Date.parse(expected.windowEnd),
  };
  const scope = mailAccessScope(mail, question, audit);
  const found = attackerFootprint(viewRows(Tables.unifiedAudit, audit), mail, question);
  const footprintKey = (kind: string, recordId: string, stillActive: boolean | null) => `${kind} ${recordId} ${stillActive === null ? "-" : stillActive ? "active" : "removed"}`;
  const footprint = compareSets(found.map((r) => footprintKey(r.Kind, r.RecordId, r.StillActive)), expected.footprint.map((e) => footprintKey(e.kind, e.recordId, e.stillActive)));
  const answer = scopeAnswer(scope);
  const throttledFound = answer.mailboxExposures.filter((e) => e.kind === "ThrottledMailbox");
  const messagesRead = compareSets(answer.boundInternetMessageIds, expected.boundInternetMessageIds);
  const foldersSynced = compareSets(answer.syncedFolders, expected.syncedFolders);
  const throttled = compareSets(throttledFound.map(exposureKey), expected.mailboxExposures.filter((e) => e.kind === "ThrottledMailbox").map(exposureKey));
  const mailboxExposures = compareSets(answer.mailboxExposures.map(exposureKey), expected.mailboxExposures.map(exposureKey));
  const attackerSessions = compareSets(answer.attackerSessionIds, expected.attackerSessionIds);
  return {
    tenantId,
    victimUpn: expected.victimUpn,
    attackerIp: expected.attackerIp,
    windowStart: expected.windowStart,
    windowEnd: expected.windowEnd,
    messagesRead,
    foldersSynced,
    throttled,
    attackerSessions,
    mailboxExposures,
    footprint,
    footprintRows: found.map((r) => ({ Kind: r.Kind, StillActive: r.StillActive, Target: r.Target })),
    matchesGroundTruth: isExact(messagesRead) && isExact(foldersSynced) && isExact(mailboxExposures) && isExact(footprint),
    boundInternetMessageIds: answer.boundInternetMessageIds,
    syncedFolders: answer.syncedFolders,
    throttledPeriods: throttledFound.map((t) => ({ mailboxUpn: t.mailboxUpn, from: t.from, to: t.to })),
    mailboxesExposed: answer.mailboxExposures,
  };
}

/** The emulator counts blob GETs as "content" (listing is "subscriptions/content"). */
function contentRequests(byOperation: Record<string, number>): number {
  return byOperation.content ?? 0;
}

function describeCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([t, c]) => `${t}: ${c}`)
    .join(", ");
}
