// PublisherIdentifier gives the caller its own throttling quota instead of the shared pool: send it on every call.

import type { PipelinePolicy } from "@azure/core-rest-pipeline";

const PARAM = "PublisherIdentifier";

/** Adds `PublisherIdentifier=<id>` to a URL unless it already carries one (in any casing: the service ignores case). */
export function withPublisherIdentifier(url: string, publisherId: string): string {
  const u = new URL(url);
  for (const name of u.searchParams.keys()) {
    if (name.toLowerCase() === PARAM.toLowerCase()) return u.toString();
  }
  u.searchParams.append(PARAM, publisherId);
  return u.toString();
}

/** Sends PublisherIdentifier on every call, content-blob GETs included. */
export function publisherIdentifierPolicy(publisherId: string): PipelinePolicy {
  return {
    name: "managementApiPublisherIdentifier",
    sendRequest(request, next) {
      request.url = withPublisherIdentifier(request.url, publisherId);
      return next(request);
    },
  };
}
