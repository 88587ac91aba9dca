// A back-fill job as the admin API shows it (the shared contract), and what each of its intervals stores.

export type BackfillState = "queued" | "running" | "succeeded" | "failed";

export interface BackfillError {
  /** The interval as an ISO 8601 interval (`from/to`), or "job" for what stopped the whole job. */
  interval: string;
  code: string;
  message: string;
}

export interface BackfillJob {
  id: string;
  tenantId: string;
  from: string;
  to: string;
  operations: string[];
  recordTypes: string[];
  state: BackfillState;
  intervals: { total: number; done: number; failed: number };
  /** `outOfRange`: records Graph returned from outside the job's intervals, not landed (present when there were any). */
  records: { fetched: number; landed: number; outOfRange?: number };
  errors: BackfillError[];
  createdAt: string;
  updatedAt: string;
}

/**
 * One interval's way through Graph: `pending` (to submit) → `submitted` (a query runs at Graph) → `paging` (the query
 * succeeded; `nextLink` is the next page to land) → `done`; or `failed` once its attempts are spent.
 */
export type IntervalState = "pending" | "submitted" | "paging" | "done" | "failed";

export interface BackfillInterval {
  jobId: string;
  index: number;
  from: Date;
  to: Date;
  state: IntervalState;
  queryId?: string;
  /** The records page to land next (the first page's URL, then each @odata.nextLink): a crash resumes here. */
  nextLink?: string;
  /** Not before this instant is the query polled again (or, after throttling, anything sent). */
  notBefore?: Date;
  /** Queries submitted for this interval (a failed query, or a page ADX failed after accepting it, is queried again,
   *  a bounded number of times: MAX_INTERVAL_ATTEMPTS). */
  attempts: number;
  /** Times ADX's failure reports re-opened the interval: the generation its pages' ingestions are recorded with, so a
   *  report about an older landing is known to be re-landed already. */
  adxReopens: number;
  /** When its current query was submitted: a query that never finishes is given up on after MAX_QUERY_WAIT_MS. */
  submittedAt?: Date;
  /** Transient failures (throttling, 5xx, no connection) in a row: past MAX_TRANSIENT_RETRIES the interval fails. */
  retries: number;
  pages: number;
  fetched: number;
  landed: number;
  /** Records a query returned from outside [from, to): dropped, so adjacent intervals never land one twice. */
  outOfRange: number;
  errorCode?: string;
  errorMessage?: string;
  updatedAt?: Date;
  /** ETag of the stored entity. */
  etag?: string;
}

/** What a job record stores itself; its counts are summed from its intervals when read. */
export interface StoredJob {
  id: string;
  tenantId: string;
  from: Date;
  to: Date;
  operations: string[];
  recordTypes: string[];
  state: BackfillState;
  /** What stopped the whole job (a missing permission, the tenant's back-fill switched off). */
  jobError?: { code: string; message: string };
  createdAt: Date;
  updatedAt: Date;
  /** ETag of the stored entity: the runner and the ADX failure settlement both write a job. */
  etag?: string;
}

/** Queries per interval before it is failed: Graph failing the query, or ADX failing a page after accepting it. */
export const MAX_INTERVAL_ATTEMPTS = 3;

/** Transient failures in a row before an interval fails: at 60 s or more each, an hour or more of Graph not answering. */
export const MAX_TRANSIENT_RETRIES = 30;

/** A query still not finished this long after submission is given up on and submitted again (one attempt spent). */
export const MAX_QUERY_WAIT_MS = 12 * 3_600_000;

/** Graph's documented limit of records per query (recordCountLimit): an interval paging past it is looping. */
export const MAX_RECORDS_PER_QUERY = 1_000_000;

/** The rows' ContentId for one interval (back-fill has no content blob): which job and interval they came from. */
export function intervalContentId(jobId: string, index: number): string {
  return `backfill:${jobId}:${index}`;
}

/** The job and interval a ContentId of `intervalContentId` names; undefined for any other ContentId. */
export function parseIntervalContentId(contentId: string): { jobId: string; index: number } | undefined {
  const m = /^backfill:(.+):(\d+)$/.exec(contentId);
  return m ? { jobId: m[1], index: Number(m[2]) } : undefined;
}

export function intervalName(iv: Pick<BackfillInterval, "from" | "to">): string {
  return `${iv.from.toISOString()}/${iv.to.toISOString()}`;
}

/** The contract's view of a job: its record plus the sums over its intervals. */
export function jobView(job: StoredJob, intervals: BackfillInterval[]): BackfillJob {
  const errors: BackfillError[] = job.jobError ? [{ interval: "job", ...job.jobError }] : [];
  for (const iv of intervals) {
    if (iv.errorCode && iv.errorMessage) errors.push({ interval: intervalName(iv), code: iv.errorCode, message: iv.errorMessage });
  }
  return {
    id: job.id,
    tenantId: job.tenantId,
    from: job.from.toISOString(),
    to: job.to.toISOString(),
    operations: job.operations,
    recordTypes: job.recordTypes,
    state: job.state,
    intervals: {
      total: intervals.length,
      done: intervals.filter((i) => i.state === "done").length,
      failed: intervals.filter((i) => i.state === "failed").length,
    },
    records: { fetched: sum(intervals, (i) => i.fetched), landed: sum(intervals, (i) => i.landed), ...outOfRange(intervals) },
    errors,
    createdAt: job.createdAt.toISOString(),
    updatedAt: new Date(Math.max(job.updatedAt.getTime(), ...intervals.map((i) => i.updatedAt?.getTime() ?? 0))).toISOString(),
  };
}

function outOfRange(intervals: BackfillInterval[]): { outOfRange?: number } {
  const n = sum(intervals, (i) => i.outOfRange ?? 0);
  return n ? { outOfRange: n } : {};
}

function sum<T>(items: T[], f: (t: T) => number): number {
  return items.reduce((n, t) => n + f(t), 0);
}
