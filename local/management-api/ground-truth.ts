// Ground truth: what a perfect collector would hold right now, what the emulator really served, and the incident's
// true scope. On the large tenant the record sets are computed on demand from the blob layout (nothing is stored
// per record): about 1 s and ~100 MB of transient memory per million records for availableRecordIds/servedRecordIds.
import type { CatalogBlob } from "./content-catalog";
import type { EmulatedTenantState } from "./emulated-tenant-state";
import type { FaultInjector } from "./faults";
import type { RequestCounters } from "./request-counters";
import { emptyIncident } from "./scenario/index";
import { CONTENT_TYPES, type ContentTypeName, type GroundTruth } from "./types";

export interface TruthSources {
  tenant: (tenantId: string) => EmulatedTenantState | undefined;
  counters: RequestCounters;
  nowMs: () => number;
  faults: FaultInjector;
}

function asContentType(contentType: string): ContentTypeName | null {
  return (CONTENT_TYPES as readonly string[]).includes(contentType) ? (contentType as ContentTypeName) : null;
}

export class EmulatorGroundTruth implements GroundTruth {
  constructor(private readonly s: TruthSources) {}

  private fetchableBlobs(tenantId: string, contentType: string): { state: EmulatedTenantState; blobs: CatalogBlob[] } | null {
    const state = this.s.tenant(tenantId);
    const ct = asContentType(contentType);
    if (!state || !ct) return null;
    const catalog = state.catalog(ct);
    const sub = state.subscription(ct);
    const now = this.s.nowMs();
    return { state, blobs: catalog.blobs.filter((b) => catalog.fetchable(b, now, sub)) };
  }

  availableRecordIds(tenantId: string, contentType: string): Set<string> {
    const found = this.fetchableBlobs(tenantId, contentType);
    const ids = new Set<string>();
    if (!found) return ids;
    const catalog = found.state.catalog(contentType as ContentTypeName);
    for (const b of found.blobs) for (const id of catalog.recordIds(b)) ids.add(id);
    return ids;
  }

  servedRecordIds(tenantId: string, contentType: string): Set<string> {
    const state = this.s.tenant(tenantId);
    const ct = asContentType(contentType);
    const ids = new Set<string>();
    if (!state || !ct) return ids;
    const catalog = state.catalog(ct);
    for (const b of state.served.get(ct)!) for (const id of catalog.recordIds(b)) ids.add(id);
    return ids;
  }

  availableBlobs(tenantId: string, contentType: string): Array<{ contentId: string; recordIds: string[] }> {
    const found = this.fetchableBlobs(tenantId, contentType);
    if (!found) return [];
    const catalog = found.state.catalog(contentType as ContentTypeName);
    return found.blobs.map((b) => ({ contentId: b.contentId, recordIds: [...catalog.recordIds(b)] }));
  }

  expiredContentIds(tenantId: string, contentType: string): string[] {
    const state = this.s.tenant(tenantId);
    const ct = asContentType(contentType);
    if (!state || !ct) return [];
    const now = this.s.nowMs();
    const sub = state.subscription(ct);
    return state
      .catalog(ct)
      .blobs.filter((b) => b.expiredByFault && b.createdMs <= now && !sub.producedWhileStopped(b.createdMs))
      .map((b) => b.contentId);
  }

  incident(tenantId: string) {
    const state = this.s.tenant(tenantId);
    const incident = state?.scenario.incident;
    return incident ? structuredClone(incident) : emptyIncident();
  }

  emailEvents(tenantId: string) {
    const state = this.s.tenant(tenantId);
    return state ? state.scenario.emailEvents.map((r) => ({ ...r })) : [];
  }

  requests(tenantId: string) {
    return this.s.counters.get(tenantId);
  }

  /** GET /_emulator/truth/{tenantId}: counts per content type, subscriptions, requests and the incident. */
  summary(tenantId: string): Record<string, unknown> | null {
    const state = this.s.tenant(tenantId);
    if (!state) return null;
    const now = this.s.nowMs();
    const contentTypes: Record<string, unknown> = {};
    for (const ct of CONTENT_TYPES) {
      const catalog = state.catalog(ct);
      const created = catalog.createdBy(now);
      contentTypes[ct] = {
        blobs: catalog.blobs.length,
        blobsCreated: created,
        blobsPending: catalog.blobs.length - created,
        blobsAvailable: this.fetchableBlobs(tenantId, ct)!.blobs.length,
        recordsAvailable: this.availableRecordIds(tenantId, ct).size,
        recordsServed: this.servedRecordIds(tenantId, ct).size,
        blobsServed: state.served.get(ct)!.size,
        expiredContentIds: this.expiredContentIds(tenantId, ct).length,
        notificationsSent: state.notifications.get(ct)!.length,
      };
    }
    const scenario = state.scenario;
    return {
      tenantId,
      now: new Date(now).toISOString(),
      domain: state.identity.domain,
      users: scenario.users.length,
      largeTenantRecords: scenario.bulk?.totalRecords ?? 0,
      auditLoggingDisabled: state.auditLoggingDisabled,
      contentTypes,
      subscriptions: [...state.subscriptions.values()].map((s) => s.view()),
      requests: this.requests(tenantId),
      faults: this.s.faults.spec,
      incident: scenario.incident,
      emailEvents: scenario.emailEvents.length,
    };
  }
}
