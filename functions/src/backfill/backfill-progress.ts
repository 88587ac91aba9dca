// Back-fill progress per tenant, for the health report.
import type { BackfillJob } from "./backfill-job";

export interface BackfillProgress {
  tenantId: string;
  /** Jobs per state. */
  jobs: Record<BackfillJob["state"], number>;
  /** Over the unfinished jobs (queued, running). */
  intervals: { total: number; done: number; failed: number };
  records: { fetched: number; landed: number };
  /** The newest job that failed, if any: what to look at. */
  lastFailure: { jobId: string; errors: BackfillJob["errors"] } | null;
}

export function backfillProgress(jobs: BackfillJob[]): BackfillProgress[] {
  const byTenant = new Map<string, BackfillProgress>();
  for (const j of jobs) {
    let p = byTenant.get(j.tenantId);
    if (!p) {
      p = { tenantId: j.tenantId, jobs: { queued: 0, running: 0, succeeded: 0, failed: 0 }, intervals: { total: 0, done: 0, failed: 0 }, records: { fetched: 0, landed: 0 }, lastFailure: null };
      byTenant.set(j.tenantId, p);
    }
    p.jobs[j.state]++;
    if (j.state === "queued" || j.state === "running") {
      p.intervals.total += j.intervals.total;
      p.intervals.done += j.intervals.done;
      p.intervals.failed += j.intervals.failed;
      p.records.fetched += j.records.fetched;
      p.records.landed += j.records.landed;
    }
    // jobs come oldest first: the last failed one wins
    if (j.state === "failed") p.lastFailure = { jobId: j.id, errors: j.errors.slice(0, 5) };
  }
  return [...byTenant.values()];
}
