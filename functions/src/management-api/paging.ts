// Paging: more results are announced by a NextPageUri header holding the full URL of the next page.

type HeaderBag = { get(name: string): string | null | undefined } | Record<string, string | string[] | undefined>;

/**
 * The next page's absolute URL, or null on the last page. The header has been seen both as `NextPageUri` and
 * lower-cased `Nextpageuri`, so it is looked up case-insensitively; a relative value resolves against the current page.
 */
export function nextPageUri(headers: HeaderBag, currentUrl: string): string | null {
  let value: string | undefined;
  if (typeof headers.get === "function") {
    value = (headers as { get(name: string): string | null | undefined }).get("nextpageuri") ?? undefined;
  } else {
    for (const [name, v] of Object.entries(headers)) {
      if (name.toLowerCase() === "nextpageuri" && v !== undefined) {
        value = Array.isArray(v) ? v[0] : v;
        break;
      }
    }
  }
  value = value?.trim();
  if (!value) return null;
  return new URL(value, currentUrl).toString();
}
