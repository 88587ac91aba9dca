import type { TenantConfig } from "../config";
import { backfillProgress, type BackfillProgress } from "../backfill/backfill-progress";
import type { BackfillJobs } from "../backfill/backfill-jobs";
import type { CheckpointStore } from "../state/checkpoints";
import { LEDGER_RETENTION_DAYS, type ContentLedger } from "../state/content-ledger";
import { DAY, HOUR, MINUTE } from "./listing-window";
import { atRiskOfExpiry } from "./expiry-watch";

export type HealthStatus = "ok" | "degraded" | "unhealthy";

export interface ContentTypeHealth {
  tenantId: string;
  contentType: string;
  status: HealthStatus;
  /** Why the status is not "ok", one line each. */
  problems: string[];
  listedThrough: string | null;
  /** now − listedThrough; null before the first successful run. */
  lagMinutes: number | null;
  lastPlanSuccessAt: string | null;
  lastPlanErrorAt: string | null;
  lastPlanError: string | null;
  /** Most recent blob landed (of those the ledger still holds). */
  lastIngestedAt: string | null;
  /** Blobs landed whose content the ledger still holds (created within its retention: the API's 7 days and a margin). */
  landed: number;
  pending: number;
  failed: number;
  /** failed blobs per error code (an ADX ingestion error code when ADX refused them after the worker was done) */
  failedCodes: Record<string, number>;
  expired: number;
  /** Pending blobs within a day of their contentExpiration that have waited an hour (or have under 2 h left). */
  expiring: number;
}

export interface HealthReport {
  status: HealthStatus;
  generatedAt: string;
  tenants: ContentTypeHealth[];
  /** Back-fill progress per tenant that has jobs (it does not change the live feed's status). */
  backfills?: BackfillProgress[];
}

/** Lag beyond this means the planner is not keeping up (it runs every 5 minutes and re-lists an overlap). */
const LAG_DEGRADED_MS = 60 * MINUTE;
/** Lag beyond this eats into the 7-day content lifetime: act now. */
const LAG_UNHEALTHY_MS = 24 * HOUR;

/** Health per tenant × content type from the checkpoints and the ledger; the same figures the KQL health queries give. */
export async function healthReport(
  deps: { tenants: TenantConfig[]; checkpoints: CheckpointStore; ledger: ContentLedger; backfills?: Pick<BackfillJobs, "list"> },
  now = new Date(),
): Promise<HealthReport> {
  const stored = new Map((await deps.checkpoints.list()).map((c) => [`${c.tenantId}|${c.contentType}`, c]));
  const rows: ContentTypeHealth[] = [];
  for (const tenant of deps.tenants) {
    for (const contentType of tenant.contentTypes) {
      const cp = stored.get(`${tenant.tenantId}|${contentType}`);
      const h: ContentTypeHealth = {
        tenantId: tenant.tenantId,
        contentType,
        status: "ok",
        problems: [],
        listedThrough: cp?.listedThrough?.toISOString() ?? null,
        lagMinutes: cp?.listedThrough ? Math.max(0, Math.round((now.getTime() - cp.listedThrough.getTime()) / MINUTE)) : null,
        lastPlanSuccessAt: cp?.lastSuccessAt?.toISOString() ?? null,
        lastPlanErrorAt: cp?.lastErrorAt?.toISOString() ?? null,
        lastPlanError: cp?.lastError ?? null,
        lastIngestedAt: null,
        landed: 0,
        pending: 0,
        failed: 0,
        failedCodes: {},
        expired: 0,
        expiring: 0,
      };
      const from = new Date(now.getTime() - LEDGER_RETENTION_DAYS * DAY);
      for await (const e of deps.ledger.entries(tenant.tenantId, contentType, from, now, { states: ["listed", "queued", "failed", "expired"] })) {
        if (e.state === "failed") {
          h.failed++;
          const code = e.lastErrorCode ?? "Unknown";
          h.failedCodes[code] = (h.failedCodes[code] ?? 0) + 1;
        }
        else if (e.state === "expired") h.expired++;
        else {
          h.pending++;
          if (atRiskOfExpiry(e, now)) h.expiring++;
        }
      }
      let last = 0;
      for await (const e of deps.ledger.entries(tenant.tenantId, contentType, from, now, { states: ["ingested"] })) {
        h.landed++;
        last = Math.max(last, e.finishedAt?.getTime() ?? 0);
      }
      h.lastIngestedAt = last ? new Date(last).toISOString() : null;
      judge(h);
      rows.push(h);
    }
  }
  const order: HealthStatus[] = ["ok", "degraded", "unhealthy"];
  const status = rows.reduce<HealthStatus>((worst, r) => (order.indexOf(r.status) > order.indexOf(worst) ? r.status : worst), "ok");
  const backfills = deps.backfills ? backfillProgress(await deps.backfills.list()) : undefined;
  return { status, generatedAt: now.toISOString(), tenants: rows, ...(backfills ? { backfills } : {}) };
}

function judge(h: ContentTypeHealth): void {
  const bad = (status: HealthStatus, problem: string) => {
    h.problems.push(problem);
    if (status === "unhealthy" || h.status === "ok") h.status = status;
  };
  if (h.expiring) bad("unhealthy", `${h.expiring} blob(s) not ingested within a day of expiring`);
  if (h.lagMinutes === null) {
    if (h.lastPlanError) bad("unhealthy", `never planned successfully: ${h.lastPlanError}`);
    else bad("degraded", "not planned yet");
  } else if (h.lagMinutes * MINUTE > LAG_UNHEALTHY_MS) bad("unhealthy", `listing lags ${Math.round(h.lagMinutes / 60)} h behind`);
  else if (h.lagMinutes * MINUTE > LAG_DEGRADED_MS) bad("degraded", `listing lags ${h.lagMinutes} min behind`);
  const lastOk = h.lastPlanSuccessAt ? Date.parse(h.lastPlanSuccessAt) : 0;
  if (h.lastPlanErrorAt && Date.parse(h.lastPlanErrorAt) > lastOk && h.lagMinutes !== null) bad("degraded", `last plan run failed: ${h.lastPlanError}`);
  if (h.failed) {
    const codes = Object.entries(h.failedCodes).map(([code, n]) => `${code} ×${n}`).join(", ");
    bad("degraded", `${h.failed} blob(s) quarantined as failed (${codes}; see the error log and ingestion_errors)`);
  }
  if (h.expired) bad("degraded", `${h.expired} blob(s) expired before they could be fetched`);
}
