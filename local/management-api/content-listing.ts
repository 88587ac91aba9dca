// subscriptions/content and subscriptions/notifications: a window on contentCreated ([start, end)), paged by a
// NextPageUri header holding the full URL of the next page.
import { ApiErrors } from "./api-errors";
import type { CatalogBlob } from "./content-catalog";
import type { EmulatedTenantState } from "./emulated-tenant-state";
import { resolveWindow, type ListingWindow } from "./time-window";
import type { ContentTypeName } from "./types";

export interface ListingContext {
  apiBase: string;
  pageSize: number;
  nowMs: number;
  /** Next listing generation (a first page starts a new one; later pages carry theirs in the cursor). */
  nextGeneration: () => number;
  currentGeneration: () => number;
}

export interface ListingPage {
  body: string;
  headers: Record<string, string>;
}

export function contentUri(apiBase: string, tenantId: string, contentId: string): string {
  // `$` is a legal path character; the real service leaves it unescaped too
  return `${apiBase}/api/v1.0/${tenantId}/activity/feed/audit/${contentId}`;
}

export function contentObject(apiBase: string, tenantId: string, blob: CatalogBlob): Record<string, string> {
  return {
    contentType: blob.contentType,
    contentId: blob.contentId,
    contentUri: contentUri(apiBase, tenantId, blob.contentId),
    contentCreated: new Date(blob.createdMs).toISOString(),
    contentExpiration: new Date(blob.expiresMs).toISOString(),
  };
}

/** The service has been seen writing both `NextPageUri` and `Nextpageuri`; pages alternate so clients meet both. */
function nextPageHeader(page: number, uri: string): Record<string, string> {
  return { [page % 2 === 1 ? "NextPageUri" : "Nextpageuri"]: uri };
}

function nextPageUri(ctx: ListingContext, tenantId: string, operation: string, params: URLSearchParams, win: ListingWindow, cursor: string): string {
  const q = new URLSearchParams();
  q.set("contentType", params.get("contentType")!);
  q.set("startTime", win.startText);
  q.set("endTime", win.endText);
  const publisher = publisherIdentifier(params);
  if (publisher) q.set("PublisherIdentifier", publisher);
  q.set("nextPage", cursor);
  return `${ctx.apiBase}/api/v1.0/${tenantId}/activity/feed/subscriptions/${operation}?${q.toString()}`;
}

export function publisherIdentifier(params: URLSearchParams): string | null {
  for (const [k, v] of params) if (k.toLowerCase() === "publisheridentifier") return v;
  return null;
}

export function requireContentType(params: URLSearchParams): ContentTypeName {
  const value = params.get("contentType");
  if (value === null || value === "") throw ApiErrors.missingParameter("contentType");
  const known = ["Audit.AzureActiveDirectory", "Audit.Exchange", "Audit.SharePoint", "Audit.General", "DLP.All"];
  // the service matches content types case-insensitively
  const match = known.find((k) => k.toLowerCase() === value.toLowerCase());
  if (!match) throw ApiErrors.invalidContentType();
  return match as ContentTypeName;
}

function requireEnabled(tenant: EmulatedTenantState, contentType: ContentTypeName) {
  const sub = tenant.subscription(contentType);
  if (sub.status === "never") throw ApiErrors.noSubscription();
  if (sub.status === "disabled") throw ApiErrors.subscriptionDisabled();
  return sub;
}

export function listContent(ctx: ListingContext, tenant: EmulatedTenantState, params: URLSearchParams): ListingPage {
  const contentType = requireContentType(params);
  const sub = requireEnabled(tenant, contentType);
  const win = resolveWindow(params.get("startTime"), params.get("endTime"), ctx.nowMs);
  const catalog = tenant.catalog(contentType);
  const tenantId = tenant.identity.tenantId;

  let generation: number;
  let position: number;
  let page: number;
  const cursor = params.get("nextPage");
  if (cursor !== null) {
    const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(cursor);
    if (!m) throw ApiErrors.badNextPage(cursor);
    [generation, position, page] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const inWindow = position < catalog.entryCount && catalog.entry(position).listAtMs >= win.startMs && catalog.entry(position).listAtMs < win.endMs;
    if (generation < 1 || generation > ctx.currentGeneration() || !inWindow || page < 2) throw ApiErrors.badNextPage(cursor);
  } else {
    generation = ctx.nextGeneration();
    position = catalog.positionAt(win.startMs);
    page = 1;
  }

  const items: Array<Record<string, string>> = [];
  let p = position;
  for (; p < catalog.entryCount && catalog.entry(p).listAtMs < win.endMs && items.length < ctx.pageSize; p++) {
    const entry = catalog.entry(p);
    if (catalog.listedBy(entry, generation, ctx.nowMs, sub)) items.push(contentObject(ctx.apiBase, tenantId, entry.blob));
  }
  let next = -1;
  for (; p < catalog.entryCount && catalog.entry(p).listAtMs < win.endMs; p++) {
    if (catalog.listedBy(catalog.entry(p), generation, ctx.nowMs, sub)) {
      next = p;
      break;
    }
  }
  const headers = next < 0 ? {} : nextPageHeader(page, nextPageUri(ctx, tenantId, "content", params, win, `${generation}.${next}.${page + 1}`));
  return { body: JSON.stringify(items), headers };
}

export function listNotifications(ctx: ListingContext, tenant: EmulatedTenantState, params: URLSearchParams): ListingPage {
  const contentType = requireContentType(params);
  requireEnabled(tenant, contentType);
  const win = resolveWindow(params.get("startTime"), params.get("endTime"), ctx.nowMs);
  const all = tenant.notifications
    .get(contentType)!
    .filter((n) => n.createdMs >= win.startMs && n.createdMs < win.endMs)
    .sort((a, b) => a.createdMs - b.createdMs || a.notificationSent.localeCompare(b.notificationSent));
  let offset = 0;
  let page = 1;
  const cursor = params.get("nextPage");
  if (cursor !== null) {
    const m = /^n(\d+)\.(\d+)$/.exec(cursor);
    if (!m || Number(m[1]) > all.length || Number(m[2]) < 2) throw ApiErrors.badNextPage(cursor);
    offset = Number(m[1]);
    page = Number(m[2]);
  }
  const slice = all.slice(offset, offset + ctx.pageSize).map(({ createdMs: _, ...n }) => n);
  const more = offset + ctx.pageSize < all.length;
  const tenantId = tenant.identity.tenantId;
  const headers = more ? nextPageHeader(page, nextPageUri(ctx, tenantId, "notifications", params, win, `n${offset + ctx.pageSize}.${page + 1}`)) : {};
  return { body: JSON.stringify(slice), headers };
}
