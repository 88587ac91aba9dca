import type { IncidentSummary, JobSummary } from "../local/runner/summary";
import type { SetComparison } from "../investigation/scope-answer";

const n = (x: number) => x.toLocaleString("en-US");
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/** The end-of-run summary a person reads. */
export interface ReportExtras {
  logFile?: string;
  logCounts?: { warning: number; error: number };
  summaryFile?: string;
  dataDir?: string;
}

function counts(byTable: Record<string, number>): string {
  return Object.entries(byTable)
    .filter(([, c]) => c > 0)
    .map(([t, c]) => `${t} ${n(c)}`)
    .join(" · ");
}

export function summaryReport(s: JobSummary, extras: ReportExtras = {}): string {
  const lines: string[] = [];
  const seconds = (s.job.elapsedMs / 1000).toFixed(1);
  lines.push("", s.job.finished ? `Done in ${seconds} s.` : `Stopped after ${seconds} s: ${s.job.stoppedBecause}.`, "");
  const label = (text: string) => `  ${text.padEnd(22)}`;
  const notLanded = Object.entries(s.blobsByStatus).filter(([status]) => status !== "ingested");
  lines.push(
    label("blobs") +
      `${n(s.blobs)} landed` +
      (s.blobsAvailable !== null ? ` of ${n(s.blobsAvailable)} available` : "") +
      (notLanded.length ? `; ${notLanded.map(([status, c]) => `${n(c)} ${status}`).join(", ")}` : ""),
  );
  lines.push(
    label("records") +
      `${n(s.records)} distinct` +
      ` (${n(s.rowsPerTable.microsoft_unified_audit ?? 0)} audit rows; ${n(s.duplicatesRemoved)} repeats kept once by microsoft_unified_audit_dedup)`,
  );
  lines.push(label("rows per table") + Object.entries(s.rowsPerTable).map(([t, c]) => `${t} ${n(c)}`).join(" · "));
  lines.push(
    label("quarantined") +
      (s.quarantined === 0
        ? "nothing"
        : `${n(s.quarantinedBlobs)} blobs, ${n(s.quarantinedRecords)} records in ingestion_errors (${quarantineCodes(s.quarantinedByCode)})`) +
      (s.poisonMessages > 0 ? `; ${n(s.poisonMessages)} messages in the poison queue` : ""),
  );
  lines.push(
    label("completeness") +
      (s.completeness === null
        ? "not measured (no ground truth for --source)"
        : `${pct(s.completeness)} (${n(Math.round(s.completeness * (s.recordsAvailable ?? 0)))} of ${n(s.recordsAvailable ?? 0)} available records landed)`),
  );
  lines.push(
    label("in the _dedup views") +
      (s.recordsTwiceInViews === 0 ? "no record twice" : `${n(s.recordsTwiceInViews)} record(s) twice (${counts(s.recordsTwiceInViewsByTable)})`),
  );
  lines.push(label("raw duplicate rows") + `${counts(s.rawDuplicateRowsByTable) || "none"} (Microsoft's repeats and replays; the views keep one)`);
  if (s.apiRequests)
    lines.push(
      label("API requests") +
        `${n(s.apiRequests.total)} (${fixed(s.requestsPerBlob)} per blob; content GETs ${fixed(s.contentRequestsPerBlob)} per blob)`,
    );
  lines.push(
    label("host") +
      `${s.job.ticks} planner runs, ${n(s.job.failedAttempts)} failed attempts retried by the queue, ${n(s.job.poisoned)} poisoned;` +
      ` ADX settled ${(s.job.settleMs / 1000).toFixed(1)} s after the queue drained`,
  );
  if (s.sentinelRows !== null) lines.push(label("sentinel") + `${n(s.sentinelRows)} mail-access rows sent to the Logs Ingestion API`);
  if (s.incident) lines.push("", ...incidentReport(s.incident, s.quarantinedByCode.AF20051 ?? 0));
  if (extras.logFile || extras.summaryFile || extras.dataDir) lines.push("");
  if (extras.dataDir) lines.push(`  ADX rows (JSON lines):  ${extras.dataDir}`);
  if (extras.logFile)
    lines.push(
      `  function log:           ${extras.logFile}` +
        (extras.logCounts ? ` (${n(extras.logCounts.error)} errors, ${n(extras.logCounts.warning)} warnings)` : ""),
    );
  if (extras.summaryFile) lines.push(`  summary JSON:           ${extras.summaryFile}`);
  if (s.problems.length > 0) lines.push("", "Problems:", ...s.problems.map((p) => `  ✗ ${p}`));
  else if (s.completeness !== null) lines.push("", "  ✓ every available record landed, once in the _dedup views.");
  return lines.join("\n");
}

function incidentReport(i: IncidentSummary, expiredBlobs: number): string[] {
  const mark = (c: SetComparison) =>
    c.missing.length === 0 && c.unexpected.length === 0
      ? `= ground truth ✓`
      : `ground truth ${c.expected}: ${c.missing.length} missing, ${c.unexpected.length} unexpected ✗`;
  const list = (xs: string[], max = 4) => (xs.length === 0 ? "" : `: ${xs.slice(0, max).join(", ")}${xs.length > max ? ", …" : ""}`);
  const lines = [
    `Incident scope from the ingested rows (victim ${i.victimUpn}, attacker IP ${i.attackerIp},`,
    `  ${i.windowStart} → ${i.windowEnd})`,
    `  messages read (Bind)    ${i.messagesRead.found}  ${mark(i.messagesRead)}`,
    `  folders synced (Sync)   ${i.foldersSynced.found}${list(i.syncedFolders)}  ${mark(i.foldersSynced)}`,
    `  throttled periods       ${i.throttled.found}${list(i.throttledPeriods.map((t) => `${t.mailboxUpn} from ${t.from}`), 2)}  ${mark(i.throttled)}`,
    `  whole mailbox exposed   ${i.mailboxExposures.found}${list(i.mailboxesExposed.map((e) => `${e.mailboxUpn} (${e.kind === "SyncedMailbox" ? "synced" : "throttled"})`), 2)}  ${mark(i.mailboxExposures)}`,
    `  attacker sessions       ${i.attackerSessions.found}  ${mark(i.attackerSessions)}`,
    `  footprint (other acts)  ${i.footprint.found}${list(footprintKinds(i.footprintRows), 6)}  ${mark(i.footprint)}`,
    `  still in (persistence)  ${i.footprintRows.filter((r) => r.StillActive === true).length}${list(i.footprintRows.filter((r) => r.StillActive === true).map((r) => `${r.Kind} ${r.Target}`), 3)}`,
  ];
  if (i.matchesGroundTruth === false && expiredBlobs > 0)
    lines.push(`  (${expiredBlobs} blobs expired before they could be fetched — the "expired" fault; records in them are lost to any collector)`);
  return lines;
}

/** "SignIn ×2, InboxRule, …": each kind once, in the order first seen. */
function footprintKinds(rows: IncidentSummary["footprintRows"]): string[] {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.Kind, (counts.get(r.Kind) ?? 0) + 1);
  return [...counts].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k));
}

const codeMeaning: Record<string, string> = { AF20051: "expired before it could be fetched" };

function quarantineCodes(byCode: Record<string, number>): string {
  return Object.entries(byCode)
    .map(([code, count]) => `${code}${codeMeaning[code] ? ` ${codeMeaning[code]}` : ""} ×${count}`)
    .join(", ");
}

function fixed(x: number | null): string {
  return x === null ? "n/a" : x.toFixed(2);
}
