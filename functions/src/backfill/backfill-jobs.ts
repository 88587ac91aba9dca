// The admin API's use cases over back-fill jobs: start one, list them, read one.
import { randomBytes } from "node:crypto";
import type { TenantConfig } from "../config";
import { jobView, type BackfillJob, type StoredJob } from "./backfill-job";
import { BackfillRequestError, parseBackfillRequest } from "./backfill-request";
import type { BackfillStore } from "./backfill-store";
import { splitIntervals } from "./intervals";

export class BackfillJobs {
  private readonly now: () => Date;

  constructor(
    private readonly store: BackfillStore,
    private readonly tenants: readonly TenantConfig[],
    now?: () => Date,
  ) {
    this.now = now ?? (() => new Date());
  }

  /**
   * Checks the request, records the job and its intervals (state "queued"); the run-backfills timer does the rest.
   * One back-fill runs per tenant: while one is queued or running, another is refused with its id (409), so two jobs
   * never query the same days twice nor share the tenant's Graph quota.
   */
  async start(body: unknown): Promise<BackfillJob> {
    const now = this.now();
    const r = parseBackfillRequest(body, this.tenants, now);
    // sortable by creation, unique without coordination
    const id = `${now.toISOString().replace(/[-:.]/g, "").slice(0, 15)}-${randomBytes(4).toString("hex")}`;
    const claim = await this.store.claimActive(r.tenantId, id, now);
    if (!claim.ok) {
      const what = claim.job ? `is ${claim.job.state} (${claim.job.from.toISOString()} – ${claim.job.to.toISOString()})` : "is being created";
      throw new BackfillRequestError(
        409,
        "BackfillRunning",
        `tenantId: back-fill ${claim.jobId} of tenant ${r.tenantId} ${what}; a tenant runs one back-fill at a time.`,
        `Follow it with GET /api/operator/backfills/${claim.jobId} and start what it does not cover once it finished.`,
      );
    }
    const job: StoredJob = { id, tenantId: r.tenantId, from: r.from, to: r.to, operations: r.operations, recordTypes: r.recordTypes, state: "queued", createdAt: now, updatedAt: now };
    const intervals = splitIntervals(id, r.from, r.to);
    await this.store.create(job, intervals);
    return jobView(job, intervals);
  }

  async list(tenantId?: string): Promise<BackfillJob[]> {
    const jobs = await this.store.jobs({ tenantId: tenantId?.toLowerCase() });
    return Promise.all(jobs.map(async (j) => jobView(j, await this.store.intervals(j.id))));
  }

  /** The job, or a 404 BackfillRequestError naming it. */
  async get(id: string): Promise<BackfillJob> {
    const job = await this.store.job(id);
    if (!job) throw new BackfillRequestError(404, "UnknownBackfill", `No back-fill job ${id}.`, "List the jobs with GET /api/admin/backfills.");
    return jobView(job, await this.store.intervals(id));
  }
}
