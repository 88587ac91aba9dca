// `status --check`: the status reduced to its problems, one line each with the fix, and an exit code a cron job, a
// pipeline gate or an external monitor can act on. The same conditions as the deployed alert rules (kql/alerts.ts).
import { ALERT_RULES } from "../kql/alerts";
import type { StatusResult, TenantStatus } from "./status";

export interface CheckProblem {
  tenantId: string;
  /** null: the whole tenant (its access). */
  contentType: string | null;
  /** The alert rule this is the counterpart of, or the access fix's code. */
  code: string;
  problem: string;
  fix: string;
}

/** The ingestion-lag rule's default threshold: what --max-lag defaults to. */
export const DEFAULT_MAX_LAG_MINUTES = ALERT_RULES.find((r) => r.id === "ingestion-lag")!.threshold;

const REQUEUE = "m365-audit-lake requeue";

export function checkProblems(result: StatusResult, opts: { maxLagMinutes: number }): CheckProblem[] {
  const problems: CheckProblem[] = [];
  for (const t of result.tenants) {
    for (const fix of t.fixes) problems.push({ tenantId: t.tenantId, contentType: null, code: fix.code, problem: fix.problem, fix: fix.consentUrl ? `${fix.fix} Admin consent: ${fix.consentUrl}` : fix.fix });
    if (!t.ready && t.fixes.length === 0) {
      problems.push({ tenantId: t.tenantId, contentType: null, code: "NotReady", problem: "The app cannot read this tenant's audit feed.", fix: "Run m365-audit-lake status --tenant <id> to see its token, roles and subscriptions." });
    }
    // a tenant the app cannot read fails every content type for that one reason: its access line says it once
    if (t.fixes.length === 0) problems.push(...contentTypeProblems(t, opts.maxLagMinutes));
  }
  return problems;
}

function contentTypeProblems(t: TenantStatus, maxLagMinutes: number): CheckProblem[] {
  const out: CheckProblem[] = [];
  for (const c of t.contentTypes) {
    const add = (code: string, problem: string, fix: string) => out.push({ tenantId: t.tenantId, contentType: c.contentType, code, problem, fix });
    if (c.expiring > 0) add("blobs-expiring", `${c.expiring} blob(s) within a day of expiry and not landed.`, `Check the worker (queue backlog, poison queue, errors), then ${REQUEUE} --expiring before they are lost.`);
    if (c.failed > 0) {
      const codes = Object.entries(c.failedCodes).map(([code, n]) => `${code} ×${n}`).join(", ");
      add("blobs-failed", `${c.failed} blob(s) failed (${codes}).`, `Fix the cause the code names (the error log, ingestion_errors), then ${REQUEUE} --failed.`);
    }
    // A blob Microsoft lists and then calls expired at fetch is not a problem here: the app can do nothing about it and
    // it happens in healthy runs (status shows the count; a back-fill recovers the hours). One that expired because
    // the app was late was "expiring" first.
    if (c.lagMinutes === null) {
      add("not-planned", "Never listed successfully.", "Trigger a plan run (m365-audit-lake onboard, or wait for the 5-minute timer) and read its error in the status.");
    } else if (c.lagMinutes > maxLagMinutes) {
      add("ingestion-lag", `Listing lags ${c.lagMinutes} min behind (threshold ${maxLagMinutes} min).`, "Check the app is running and its last plan error (m365-audit-lake status); content expires 7 days after creation.");
    }
  }
  return out;
}

/** One line per problem: `tenant [content type] [code] problem — fix: …`. */
export function renderCheck(problems: CheckProblem[], app: string): string {
  if (problems.length === 0) return `OK ${app}: no problem found.`;
  return problems.map((p) => `${p.tenantId}${p.contentType ? ` ${p.contentType}` : ""} [${p.code}] ${p.problem} — fix: ${p.fix}`).join("\n");
}
