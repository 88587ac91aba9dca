// Listing available content: each ≤24 h window is requested, then NextPageUri is followed until absent.
import type { ApiOrigin } from "./api-origin";
import type { ContentType } from "./content-types";
import { AfCodes, ClientErrorCodes, ManagementApiError, isManagementApiError } from "./errors";
import type { OnEvent } from "./events";
import { nextPageUri } from "./paging";
import type { ApiPipeline } from "./http-pipeline";
import type { Subscriptions } from "./subscription";
import { type ListingWindow, formatApiTime, planListingWindows } from "./windows";

export interface ContentBlobRef {
  contentType: ContentType;
  contentId: string;
  contentUri: string;
  contentCreated: string;
  contentExpiration: string;
}

export interface ListingDeps {
  tenantId: string;
  origin: ApiOrigin;
  pipeline: ApiPipeline;
  subscriptions: Subscriptions;
  maxBodyBytes: number;
  now: () => Date;
  onEvent?: OnEvent;
}

// AF20022 no subscription, AF20023 subscription disabled: both cured by starting it.
const NOT_SUBSCRIBED = new Set<string>([AfCodes.NoSubscription, AfCodes.SubscriptionDisabled]);

function validatePage(json: unknown): string | null {
  if (!Array.isArray(json)) return "expected a JSON array of content blobs";
  const bad = json.findIndex(
    (b) => typeof b !== "object" || b === null || typeof b.contentUri !== "string" || typeof b.contentId !== "string",
  );
  return bad === -1 ? null : `item ${bad} lacks contentId/contentUri`;
}

export async function* listContent(
  d: ListingDeps,
  contentType: ContentType,
  start: Date,
  end: Date,
  signal?: AbortSignal,
): AsyncGenerator<ContentBlobRef> {
  const plan = planListingWindows(start, end, d.now());
  if (plan.clamp) d.onEvent?.({ type: "windowClamped", contentType, ...plan.clamp });
  for (const window of plan.windows) yield* listWindow(d, contentType, window, signal);
}

async function* listWindow(
  d: ListingDeps,
  contentType: ContentType,
  window: ListingWindow,
  signal?: AbortSignal,
): AsyncGenerator<ContentBlobRef> {
  let url: string | null = d.origin.feedUrl(d.tenantId, "subscriptions/content", {
    contentType,
    startTime: formatApiTime(window.start),
    endTime: formatApiTime(window.end),
  });
  const seen = new Set<string>();
  let subscriptionStarted = false;
  while (url) {
    let page;
    try {
      page = await d.pipeline.send({
        operation: "subscriptions/content",
        method: "GET",
        url,
        signal,
        maxBodyBytes: d.maxBodyBytes,
        validate: validatePage,
      });
    } catch (e) {
      if (isManagementApiError(e) && NOT_SUBSCRIBED.has(e.code) && !subscriptionStarted) {
        subscriptionStarted = true;
        await d.subscriptions.start(contentType, undefined, signal);
        continue;
      }
      throw e;
    }
    seen.add(pageKey(page.url));
    for (const b of page.json as Array<Record<string, unknown>>) {
      yield {
        contentType,
        contentId: b.contentId as string,
        contentUri: b.contentUri as string,
        contentCreated: String(b.contentCreated ?? ""),
        contentExpiration: String(b.contentExpiration ?? ""),
      };
    }
    const next = nextPageUri(page.headers, page.url);
    if (next && seen.has(pageKey(next))) {
      throw new ManagementApiError(
        `subscriptions/content: NextPageUri points back to a page already read (${seen.size} pages) for ${contentType} ` +
          `${formatApiTime(window.start)}..${formatApiTime(window.end)}; stopping instead of looping.`,
        { code: ClientErrorCodes.PagingLoop, status: page.status, transient: false, operation: "subscriptions/content" },
      );
    }
    url = next;
  }
}

/** A page's identity for loop detection: its URL without the PublisherIdentifier we may have appended. */
function pageKey(url: string): string {
  const u = new URL(url);
  for (const name of [...u.searchParams.keys()]) {
    if (name.toLowerCase() === "publisheridentifier") u.searchParams.delete(name);
  }
  return u.toString();
}
