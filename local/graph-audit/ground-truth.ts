// What the audit log holds, read straight from the tenant's log (not through the query machinery), and what each
// submitted query is and found: for tests and for completeness checks of a back-fill. HTTP: GET /_emulator/truth/{tenantId}
// ?from=ISO&to=ISO[&operation=..][&user=..][&recordType=..].
import { filterView, recordMatcher, type QueryFilter } from "./query-filter";
import type { GraphTenant } from "./server";

export interface TruthFilter {
  from: Date;
  to: Date;
  recordTypes?: string[];
  operations?: string[];
  users?: string[];
  /** As of this instant (default: the emulator's now): week records not yet published are not searchable. */
  asOf?: Date;
}

export interface TruthRecord {
  id: string;
  creationTime: string;
}

export class GraphTruth {
  constructor(
    private readonly tenants: Map<string, GraphTenant>,
    private readonly nowMs: () => number,
  ) {}

  /** The records a perfect query with these filters returns, in time order. */
  records(tenantId: string, f: TruthFilter): TruthRecord[] {
    const tenant = this.tenants.get(tenantId.toLowerCase());
    if (!tenant) return [];
    const filter: QueryFilter = {
      displayName: null, fromMs: f.from.getTime(), toMs: f.to.getTime(), recordTypes: f.recordTypes ?? [], operations: f.operations ?? [],
      users: f.users ?? [], ipAddresses: [], objectIds: [], services: [], administrativeUnitIds: [], keyword: null,
    };
    const asOf = f.asOf?.getTime() ?? this.nowMs();
    return tenant.log.search(filter.fromMs!, filter.toMs!, asOf, recordMatcher(filter)).map((ref) => ({ id: ref.id, creationTime: new Date(ref.ms).toISOString() }));
  }

  /** The tenant's queries: id, status now, searched range, how many records each found once finished, and the filter as submitted. */
  queries(tenantId: string): Array<{ id: string; status: string; from: string; to: string; records: number | null; filter: Record<string, unknown> }> {
    const tenant = this.tenants.get(tenantId.toLowerCase());
    if (!tenant) return [];
    const now = this.nowMs();
    return [...tenant.queries.values()].map((q) => ({ id: q.id, status: q.status(now), from: new Date(q.fromMs).toISOString(), to: new Date(q.toMs).toISOString(), records: q.resultCount, filter: filterView(q.filter) }));
  }

  /** Requests received per operation ("POST queries", "GET records", ...), throttled and faulted ones included, and the counts `throttled` and `faulted`. */
  requests(tenantId: string): Record<string, number> {
    return { ...(this.tenants.get(tenantId.toLowerCase())?.requests ?? {}) };
  }

  view(tenantId: string, url: URL): unknown {
    const tenant = this.tenants.get(tenantId);
    if (!tenant) return null;
    const from = url.searchParams.get("from");
    const to = url.searchParams.get("to");
    const body: Record<string, unknown> = { tenantId, retentionStart: new Date(tenant.log.retentionStartMs).toISOString(), weekStart: new Date(tenant.log.weekStartMs).toISOString(), queries: this.queries(tenantId), requests: this.requests(tenantId) };
    if (from && to && !Number.isNaN(Date.parse(from)) && !Number.isNaN(Date.parse(to))) {
      const records = this.records(tenantId, {
        from: new Date(from),
        to: new Date(to),
        operations: url.searchParams.getAll("operation"),
        users: url.searchParams.getAll("user"),
        recordTypes: url.searchParams.getAll("recordType"),
      });
      body.records = records.map((r) => r.id);
      body.recordCount = records.length;
    }
    return body;
  }
}
