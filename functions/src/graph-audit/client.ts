// A client for Microsoft Graph's audit log query API, shaped like an @azure/* client: an options bag with defaults,
// AbortSignal on every call, typed errors with the service's codes, retry and auth in pipeline policies.
// Create a query, wait for it (polling with backoff, bounded), then page its records by @odata.nextLink.
import type { TokenCredential } from "@azure/core-auth";
import { createDefaultHttpClient, createHttpHeaders, createPipelineRequest, isRestError, type HttpClient, type Pipeline, type TlsSettings } from "@azure/core-rest-pipeline";
import { setTimeout as sleep } from "node:timers/promises";
import { readAuditLogQuery, type AuditLogQuery } from "./audit-log-query";
import { GraphAuditError, GraphAuditErrorCodes, isGraphAuditError } from "./errors";
import { graphEndpoint, type GraphEndpoint } from "./graph-endpoint";
import { createGraphPipeline } from "./pipeline";
import { queryRequestBody, type AuditLogQueryFilter } from "./query-request";
import { errorFromResponse } from "./response-errors";
import type { GraphAuditLogRecord } from "./unwrap-record";

export interface GraphAuditLogClientOptions {
  /** https://graph.microsoft.com/v1.0 (default, DEFAULT_GRAPH_BASE_URL), https://graph.microsoft.com/beta, "/beta", or an emulator's origin + version. */
  baseUrl?: string;
  /** First wait between status polls, ms (default 15 s); doubles up to maxPollIntervalMs. */
  pollIntervalMs?: number;
  /** Longest wait between polls, ms (default 2 min). */
  maxPollIntervalMs?: number;
  /** How long waitForQuery waits before giving up, ms (default 6 h: queries take minutes to hours). */
  maxWaitMs?: number;
  /** Records per page asked for ($top, 1–1000; default 999). */
  pageSize?: number;
  /** Retries per HTTP call (throttling, 5xx, connection failures), default 6. */
  maxRetries?: number;
  /** First retry backoff when no Retry-After is given, ms (default 1000). */
  retryDelayMs?: number;
  /** Per-attempt timeout, ms (default 100 s). */
  requestTimeoutMs?: number;
  /** Extra CA (a local emulator's). */
  tls?: TlsSettings;
}

export interface RecordPage {
  records: GraphAuditLogRecord[];
  /** Absent on the last page. */
  nextLink?: string;
}

export interface CallOptions {
  abortSignal?: AbortSignal;
}

export interface WaitOptions extends CallOptions {
  /** Called with every status read, e.g. for progress. */
  onStatus?: (query: AuditLogQuery) => void;
}

const FINAL_FAILURES = { failed: GraphAuditErrorCodes.QueryFailed, cancelled: GraphAuditErrorCodes.QueryCancelled } as const;

export class GraphAuditLogClient {
  readonly endpoint: GraphEndpoint;
  private readonly pipeline: Pipeline;
  private readonly http: HttpClient = createDefaultHttpClient();
  private readonly o: Required<Omit<GraphAuditLogClientOptions, "baseUrl" | "tls" | "maxRetries" | "retryDelayMs">>;
  /** Graph refused $top on a records page once: later first pages go without it (the service's own page size). */
  private topRefused = false;

  constructor(credential: TokenCredential, options: GraphAuditLogClientOptions = {}) {
    this.endpoint = graphEndpoint(options.baseUrl);
    const pageSize = options.pageSize ?? 999;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
      throw new GraphAuditError(`pageSize ${pageSize} is out of range: Graph pages hold 1 to 1000 records.`, { code: GraphAuditErrorCodes.InvalidArgument });
    }
    this.o = {
      pollIntervalMs: options.pollIntervalMs ?? 15_000,
      maxPollIntervalMs: options.maxPollIntervalMs ?? 120_000,
      maxWaitMs: options.maxWaitMs ?? 6 * 3_600_000,
      pageSize,
      requestTimeoutMs: options.requestTimeoutMs ?? 100_000,
    };
    this.pipeline = createGraphPipeline({ credential, origin: this.endpoint.origin, maxRetries: options.maxRetries, retryDelayMs: options.retryDelayMs, tls: options.tls });
  }

  private queriesUrl(id?: string): string {
    return `${this.endpoint.baseUrl}/security/auditLog/queries${id === undefined ? "" : `/${encodeURIComponent(id)}`}`;
  }

  private async send(operation: string, method: "GET" | "POST", url: string, body: unknown, o: CallOptions, queryId?: string): Promise<unknown> {
    const request = createPipelineRequest({
      url,
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: createHttpHeaders({ Accept: "application/json", ...(body === undefined ? {} : { "Content-Type": "application/json" }) }),
      abortSignal: o.abortSignal,
      timeout: this.o.requestTimeoutMs,
    });
    let response;
    try {
      response = await this.pipeline.sendRequest(this.http, request);
    } catch (e) {
      if (isRestError(e)) {
        throw new GraphAuditError(`${operation} could not reach ${this.endpoint.origin}: ${e.message}`, { code: e.code ?? "ConnectionFailed", status: e.statusCode ?? 0, transient: true, queryId, cause: e });
      }
      throw e;
    }
    if (response.status >= 400) throw errorFromResponse(response, operation, queryId);
    if (response.status >= 300) {
      // the pipeline follows same-origin redirects only (without the token); one to another host ends here
      const location = response.headers.get("location") ?? "(no Location)";
      throw new GraphAuditError(`${operation} was redirected to ${location}, another host: not followed, so the tenant's token stays with ${this.endpoint.origin}.`, {
        code: GraphAuditErrorCodes.HostNotAllowed,
        status: response.status,
        queryId,
      });
    }
    try {
      return JSON.parse(response.bodyAsText ?? "");
    } catch (e) {
      throw new GraphAuditError(`${operation} answered ${response.status} with a body that is not JSON.`, { code: GraphAuditErrorCodes.MalformedResponse, status: response.status, queryId, cause: e });
    }
  }

  /** Submits a query; it starts `notStarted`. */
  async createQuery(filter: AuditLogQueryFilter, o: CallOptions = {}): Promise<AuditLogQuery> {
    const body = queryRequestBody(filter);
    return readAuditLogQuery(await this.send("Creating an audit log query", "POST", this.queriesUrl(), body, o));
  }

  async getQuery(queryId: string, o: CallOptions = {}): Promise<AuditLogQuery> {
    return readAuditLogQuery(await this.send(`Reading audit log query ${queryId}`, "GET", this.queriesUrl(queryId), undefined, o, queryId));
  }

  /** Polls until the query succeeded (returned), failed or was cancelled (thrown), or maxWaitMs passed (thrown). */
  async waitForQuery(queryId: string, o: WaitOptions = {}): Promise<AuditLogQuery> {
    const started = Date.now();
    let delay = this.o.pollIntervalMs;
    for (;;) {
      const q = await this.getQuery(queryId, o);
      o.onStatus?.(q);
      if (q.status === "succeeded") return q;
      if (q.status === "failed" || q.status === "cancelled") {
        throw new GraphAuditError(
          `Audit log query ${queryId} (${q.filterStartDateTime ?? "?"} – ${q.filterEndDateTime ?? "?"}) ended with status ${q.status}; Graph gives no further reason. ` +
            (q.status === "failed" ? "Submit it again; if it keeps failing, split the range into shorter intervals." : "It was cancelled before it finished: submit it again."),
          { code: FINAL_FAILURES[q.status], queryId },
        );
      }
      const waited = Date.now() - started;
      if (waited + delay > this.o.maxWaitMs) {
        throw new GraphAuditError(
          `Audit log query ${queryId} is still ${q.status} after ${Math.round(waited / 60_000)} min (limit ${Math.round(this.o.maxWaitMs / 60_000)} min). ` +
            "It keeps running at Graph: wait for the same query id again later rather than submitting a new one.",
          { code: GraphAuditErrorCodes.QueryTimedOut, queryId },
        );
      }
      await sleep(delay, undefined, { signal: o.abortSignal });
      delay = Math.min(delay * 2, this.o.maxPollIntervalMs);
    }
  }

  /** The records of a succeeded query, page by page, following @odata.nextLink to the end. An unfinished query
   *  answers an empty page, not an error, which would read as "no records": so the status is checked first, unless
   *  the caller has just seen it succeed (`succeeded: true`). */
  async *recordPages(queryId: string, o: CallOptions & { succeeded?: boolean } = {}): AsyncGenerator<GraphAuditLogRecord[]> {
    if (!o.succeeded) {
      const q = await this.getQuery(queryId, o);
      if (q.status !== "succeeded") {
        throw new GraphAuditError(`Audit log query ${queryId} is ${q.status}, not succeeded: its records are not ready. Wait for it with waitForQuery first.`, {
          code: GraphAuditErrorCodes.QueryNotFinished,
          queryId,
        });
      }
    }
    let url: string | undefined = this.firstRecordsPage(queryId);
    const seen = new Set<string>();
    while (url) {
      if (seen.has(url)) {
        throw new GraphAuditError(`The records of query ${queryId} link back to a page already read (${url}): stopping instead of looping.`, { code: GraphAuditErrorCodes.PagingLoop, queryId });
      }
      seen.add(url);
      const page: RecordPage = await this.recordPage(queryId, url, o);
      yield page.records;
      url = page.nextLink;
    }
  }

  /** The URL of a succeeded query's first records page. */
  firstRecordsPage(queryId: string): string {
    return `${this.queriesUrl(queryId)}/records${this.topRefused ? "" : `?$top=${this.o.pageSize}`}`;
  }

  /** One records page at `url` (the first page's, or a saved @odata.nextLink: a back-fill resumes from it after a
   *  crash) and the link to the next page, if any. */
  async recordPage(queryId: string, url: string, o: CallOptions = {}): Promise<RecordPage> {
    const operation = `Reading the records of audit log query ${queryId}`;
    let page: { value?: unknown; "@odata.nextLink"?: unknown };
    try {
      page = (await this.send(operation, "GET", url, undefined, o, queryId)) as typeof page;
    } catch (e) {
      // list-records promises only "some of the OData query parameters": a 400 with $top is asked once more without it
      const withoutTop = dropTop(url);
      if (!(isGraphAuditError(e) && e.status === 400 && withoutTop !== url)) throw e;
      page = (await this.send(operation, "GET", withoutTop, undefined, o, queryId)) as typeof page;
      this.topRefused = true;
    }
    if (!Array.isArray(page?.value)) {
      throw new GraphAuditError(`A records page of query ${queryId} has no value array.`, { code: GraphAuditErrorCodes.MalformedResponse, queryId });
    }
    const next = page["@odata.nextLink"];
    if (next !== undefined && next !== null && typeof next !== "string") {
      throw new GraphAuditError(`The @odata.nextLink of query ${queryId} is not a URL.`, { code: GraphAuditErrorCodes.MalformedResponse, queryId });
    }
    return { records: page.value as GraphAuditLogRecord[], nextLink: next ?? undefined };
  }

  /** Create, wait, then yield every record page: the whole run of one query. */
  async *runQuery(filter: AuditLogQueryFilter, o: WaitOptions = {}): AsyncGenerator<GraphAuditLogRecord[]> {
    const created = await this.createQuery(filter, o);
    await this.waitForQuery(created.id, o);
    yield* this.recordPages(created.id, { ...o, succeeded: true });
  }
}

/** `url` without its $top query parameter (unchanged when it has none). */
function dropTop(url: string): string {
  const u = new URL(url);
  if (!u.searchParams.has("$top")) return url;
  u.searchParams.delete("$top");
  return u.toString();
}
