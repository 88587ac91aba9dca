// PublisherIdentifier gives the caller its own throttling quota instead of the shared pool: send it on every call.

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
