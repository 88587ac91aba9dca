// Per-tenant request counters, for tests and summaries that check how many calls a collector needed.

export interface RequestCount {
  total: number;
  byOperation: Record<string, number>;
  byStatus: Record<string, number>;
}

export class RequestCounters {
  private readonly byTenant = new Map<string, RequestCount>();

  /** `status` is the HTTP status sent, or "reset" when the connection was dropped on purpose. */
  record(tenantId: string, operation: string, status: number | "reset"): void {
    let c = this.byTenant.get(tenantId);
    if (!c) this.byTenant.set(tenantId, (c = { total: 0, byOperation: {}, byStatus: {} }));
    c.total++;
    c.byOperation[operation] = (c.byOperation[operation] ?? 0) + 1;
    c.byStatus[String(status)] = (c.byStatus[String(status)] ?? 0) + 1;
  }

  get(tenantId: string): RequestCount {
    const c = this.byTenant.get(tenantId);
    return c ? { total: c.total, byOperation: { ...c.byOperation }, byStatus: { ...c.byStatus } } : { total: 0, byOperation: {}, byStatus: {} };
  }
}
