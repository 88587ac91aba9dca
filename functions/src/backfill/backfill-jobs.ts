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

  /** Checks the request, records the job and its intervals (state "queued"); the run-backfills timer does the rest. */
  async start(body: unknown): Promise<BackfillJob> {
    const now = this.now();
    const r = parseBackfillRequest(body, this.tenants, now);
    // sortable by creation, unique without coordination
    const id = `${now.toISOString().replace(/[-:.]/g, "").slice(0, 15)}-${randomBytes(4).toString("hex")}`;
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
