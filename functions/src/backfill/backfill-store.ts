// Back-fill jobs and their intervals in Azure Table storage: durable, so a crashed or redeployed app resumes each
// interval where its last saved page left it.
import { odata, type TableClient, type TransactionAction } from "@azure/data-tables";
import { encodeKeyPart } from "../state/entity-keys";
import { asDate, dropUndefined, ensureTable, statusOf } from "../state/storage-account";
import type { BackfillInterval, BackfillState, IntervalState, StoredJob } from "./backfill-job";

/** One row per job: partition = tenant, row = job id. */
export const BACKFILL_JOBS_TABLE = "AuditLakeBackfillJobs";
/** One row per interval: partition = job id, row = the interval's index (zero-padded, so rows sort in time order). */
export const BACKFILL_INTERVALS_TABLE = "AuditLakeBackfillIntervals";

interface JobEntity {
  partitionKey: string;
  rowKey: string;
  tenantId: string;
  from: Date;
  to: Date;
  operations: string;
  recordTypes: string;
  state: string;
  jobErrorCode?: string;
  jobErrorMessage?: string;
  createdAt: Date;
  updatedAt: Date;
}

interface IntervalEntity {
  partitionKey: string;
  rowKey: string;
  from: Date;
  to: Date;
  state: string;
  queryId?: string;
  nextLink?: string;
  notBefore?: Date;
  attempts: number;
  adxReopens?: number;
  submittedAt?: Date;
  retries?: number;
  pages: number;
  fetched: number;
  landed: number;
  outOfRange?: number;
  errorCode?: string;
  errorMessage?: string;
  updatedAt?: Date;
}

const rowKeyOf = (index: number) => String(index).padStart(5, "0");

/** In the jobs table, each tenant's row naming its running job (not a job: job ids start with a digit). */
const ACTIVE_ROW = "active";
/** A claim whose job row never appeared is from a start that died midway: free after this long. */
const ABANDONED_CLAIM_MS = 5 * 60_000;

interface ActiveEntity {
  partitionKey: string;
  rowKey: string;
  jobId: string;
  claimedAt: Date;
}

/** What claiming a tenant's one back-fill slot gave: the slot, or the job that holds it. */
export type ActiveClaim = { ok: true } | { ok: false; job: StoredJob | undefined; jobId: string };

export class BackfillStore {
  constructor(
    private readonly jobsTable: TableClient,
    private readonly intervalsTable: TableClient,
  ) {}

  private async ready(): Promise<void> {
    await Promise.all([ensureTable(this.jobsTable), ensureTable(this.intervalsTable)]);
  }

  /** The intervals first, the job row last: a job that is listed always has all its intervals. */
  async create(job: StoredJob, intervals: BackfillInterval[]): Promise<void> {
    await this.ready();
    // a transaction holds at most 100 operations of one partition (the job's)
    for (let i = 0; i < intervals.length; i += 100) {
      const actions: TransactionAction[] = intervals.slice(i, i + 100).map((iv): TransactionAction => ["upsert", { ...toIntervalEntity(iv, job.createdAt) }, "Replace"]);
      await this.intervalsTable.submitTransaction(actions);
    }
    await this.jobsTable.createEntity(toJobEntity(job));
  }

  /**
   * Makes `jobId` the tenant's one running back-fill, unless another job holds the slot: queued or running, or just
   * being created. Conditional writes, so of two starts racing for a tenant exactly one gets the slot.
   */
  async claimActive(tenantId: string, jobId: string, now: Date): Promise<ActiveClaim> {
    await this.ready();
    const keys = { partitionKey: encodeKeyPart(tenantId), rowKey: ACTIVE_ROW };
    const entity: ActiveEntity = { ...keys, jobId, claimedAt: now };
    for (let attempt = 0; attempt < 5; attempt++) {
      let held: (ActiveEntity & { etag?: string }) | undefined;
      try {
        held = await this.jobsTable.getEntity<ActiveEntity>(keys.partitionKey, keys.rowKey);
      } catch (e) {
        if (statusOf(e) !== 404) throw e;
      }
      try {
        if (!held) {
          await this.jobsTable.createEntity(entity);
          return { ok: true };
        }
        const job = await this.job(held.jobId);
        const busy = job ? job.state === "queued" || job.state === "running" : now.getTime() - (asDate(held.claimedAt)?.getTime() ?? 0) < ABANDONED_CLAIM_MS;
        if (busy) return { ok: false, job, jobId: held.jobId };
        await this.jobsTable.updateEntity(entity, "Replace", { etag: held.etag });
        return { ok: true };
      } catch (e) {
        // another start took the slot between our read and write: read it again
        if (statusOf(e) !== 409 && statusOf(e) !== 412) throw e;
      }
    }
    throw new Error(`Could not claim the back-fill slot of tenant ${tenantId}: it kept changing. Try again.`);
  }

  /**
   * Saves the job; when it was read with an ETag, only if nobody wrote it since (false then: the ADX failure settlement
   * re-opened one of its intervals, and the next run reads it afresh).
   */
  async saveJob(job: StoredJob): Promise<boolean> {
    await this.ready();
    const saved = await this.write(this.jobsTable, toJobEntity(job), job.etag);
    if (saved) job.etag = saved;
    return saved !== undefined;
  }

  /** Saves an interval's progress (after every page landed); false, like saveJob, when another writer changed it since. */
  async saveInterval(iv: BackfillInterval, at: Date): Promise<boolean> {
    await this.ready();
    iv.updatedAt = at;
    const saved = await this.write(this.intervalsTable, toIntervalEntity(iv, at), iv.etag);
    if (saved) iv.etag = saved;
    return saved !== undefined;
  }

  /** One interval of a job, with its ETag; undefined if the job has no such interval (or no longer exists). */
  async interval(jobId: string, index: number): Promise<BackfillInterval | undefined> {
    await this.ready();
    try {
      return fromIntervalEntity(jobId, await this.intervalsTable.getEntity<IntervalEntity>(encodeKeyPart(jobId), rowKeyOf(index)));
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw e;
    }
  }

  /** The new ETag, or undefined when `etag` no longer matches (412): the caller's copy is stale. */
  private async write(table: TableClient, entity: JobEntity | IntervalEntity, etag: string | undefined): Promise<string | undefined> {
    try {
      const r = etag ? await table.updateEntity(entity, "Replace", { etag }) : await table.upsertEntity(entity, "Replace");
      return r.etag ?? "*";
    } catch (e) {
      if (statusOf(e) === 412) return undefined;
      throw e;
    }
  }

  async jobs(filter: { tenantId?: string; states?: BackfillState[] } = {}): Promise<StoredJob[]> {
    await this.ready();
    const query = filter.tenantId ? { queryOptions: { filter: odata`PartitionKey eq ${encodeKeyPart(filter.tenantId)}` } } : undefined;
    const out: StoredJob[] = [];
    for await (const e of this.jobsTable.listEntities<JobEntity>(query)) {
      if (e.rowKey === ACTIVE_ROW) continue;
      const job = fromJobEntity(e);
      if (!filter.states || filter.states.includes(job.state)) out.push(job);
    }
    return out.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
  }

  async job(id: string): Promise<StoredJob | undefined> {
    await this.ready();
    if (encodeKeyPart(id) === ACTIVE_ROW) return undefined;
    for await (const e of this.jobsTable.listEntities<JobEntity>({ queryOptions: { filter: odata`RowKey eq ${encodeKeyPart(id)}` } })) return fromJobEntity(e);
    return undefined;
  }

  async intervals(jobId: string): Promise<BackfillInterval[]> {
    await this.ready();
    const out: BackfillInterval[] = [];
    try {
      for await (const e of this.intervalsTable.listEntities<IntervalEntity>({ queryOptions: { filter: odata`PartitionKey eq ${encodeKeyPart(jobId)}` } })) {
        out.push(fromIntervalEntity(jobId, e));
      }
    } catch (e) {
      if (statusOf(e) !== 404) throw e;
    }
    return out.sort((a, b) => a.index - b.index);
  }
}

function toJobEntity(j: StoredJob): JobEntity {
  return dropUndefined({
    partitionKey: encodeKeyPart(j.tenantId),
    rowKey: encodeKeyPart(j.id),
    tenantId: j.tenantId,
    from: j.from,
    to: j.to,
    operations: JSON.stringify(j.operations),
    recordTypes: JSON.stringify(j.recordTypes),
    state: j.state,
    jobErrorCode: j.jobError?.code,
    jobErrorMessage: j.jobError?.message,
    createdAt: j.createdAt,
    updatedAt: j.updatedAt,
  });
}

function fromJobEntity(e: JobEntity): StoredJob {
  return {
    id: e.rowKey,
    tenantId: e.tenantId,
    from: asDate(e.from)!,
    to: asDate(e.to)!,
    operations: JSON.parse(e.operations || "[]") as string[],
    recordTypes: JSON.parse(e.recordTypes || "[]") as string[],
    state: e.state as BackfillState,
    jobError: e.jobErrorCode ? { code: e.jobErrorCode, message: e.jobErrorMessage ?? "" } : undefined,
    createdAt: asDate(e.createdAt)!,
    updatedAt: asDate(e.updatedAt)!,
    etag: etagOf(e),
  };
}

function etagOf(e: object): string | undefined {
  const etag = (e as { etag?: unknown }).etag;
  return typeof etag === "string" ? etag : undefined;
}

function toIntervalEntity(iv: BackfillInterval, at: Date): IntervalEntity {
  return dropUndefined({
    partitionKey: encodeKeyPart(iv.jobId),
    rowKey: rowKeyOf(iv.index),
    from: iv.from,
    to: iv.to,
    state: iv.state,
    queryId: iv.queryId,
    nextLink: iv.nextLink,
    notBefore: iv.notBefore,
    attempts: iv.attempts,
    adxReopens: iv.adxReopens,
    submittedAt: iv.submittedAt,
    retries: iv.retries,
    pages: iv.pages,
    fetched: iv.fetched,
    landed: iv.landed,
    outOfRange: iv.outOfRange,
    errorCode: iv.errorCode,
    errorMessage: iv.errorMessage?.slice(0, 4000),
    updatedAt: iv.updatedAt ?? at,
  });
}

function fromIntervalEntity(jobId: string, e: IntervalEntity): BackfillInterval {
  return {
    jobId,
    index: Number(e.rowKey),
    from: asDate(e.from)!,
    to: asDate(e.to)!,
    state: e.state as IntervalState,
    queryId: e.queryId,
    nextLink: e.nextLink,
    notBefore: asDate(e.notBefore),
    attempts: e.attempts ?? 0,
    adxReopens: e.adxReopens ?? 0,
    submittedAt: asDate(e.submittedAt),
    retries: e.retries ?? 0,
    pages: e.pages ?? 0,
    fetched: e.fetched ?? 0,
    landed: e.landed ?? 0,
    outOfRange: e.outOfRange ?? 0,
    errorCode: e.errorCode,
    errorMessage: e.errorMessage,
    updatedAt: asDate(e.updatedAt),
    etag: etagOf(e),
  };
}
