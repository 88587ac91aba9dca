// The one origin the bearer token may be sent to. contentUri and NextPageUri come from the service's responses, so a
// compromised or spoofed response must not be able to send our token elsewhere.
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { callState } from "./api-call";
import { ClientErrorCodes, ManagementApiError } from "./errors";
import type { OnEvent } from "./events";

const LOOPBACK_V4 = /^127(?:\.\d{1,3}){3}$/;

/** Loopback hosts, the only ones where plain http is acceptable (local emulators). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === "localhost" || h === "[::1]" || h === "::1" || LOOPBACK_V4.test(h);
}

/** Refuses plain http anywhere but loopback: a bearer token or client secret must never travel in clear text. */
export function assertSecureEndpoint(url: string, setting: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ManagementApiError(`${setting} "${url}" is not a valid absolute URL: set it to https://host[:port].`, {
      code: ClientErrorCodes.InsecureEndpoint,
      status: 0,
      transient: false,
    });
  }
  const secure = u.protocol === "https:" || (u.protocol === "http:" && isLoopbackHost(u.hostname));
  if (!secure || u.username || u.password) {
    throw new ManagementApiError(
      `${setting} "${u.protocol}//${u.host}" is not allowed: use https (plain http is accepted only for a local emulator ` +
        `on 127.0.0.1/localhost, and URLs must not carry credentials).`,
      { code: ClientErrorCodes.InsecureEndpoint, status: 0, transient: false },
    );
  }
  return u;
}

export class ApiOrigin {
  /** scheme://host[:port] */
  readonly origin: string;
  /** Path prefix of the configured base URL (a proxy may mount the API under one); "" when none. */
  readonly basePath: string;

  constructor(baseUrl: string) {
    const u = assertSecureEndpoint(baseUrl, "The Management API base URL");
    this.origin = u.origin;
    this.basePath = u.pathname.replace(/\/+$/, "");
  }

  /** `{base}/api/v1.0/{tenantId}/activity/feed/{operation}?{query}` */
  feedUrl(tenantId: string, operation: string, query: Record<string, string> = {}): string {
    const u = new URL(`${this.origin}${this.basePath}/api/v1.0/${encodeURIComponent(tenantId)}/activity/feed/${operation}`);
    for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
    return u.toString();
  }

  /**
   * Returns the URL, normalised, when it is on the configured origin and under its base path; otherwise throws
   * HostNotAllowed before anything is sent. The normalised string is what must be fetched (no parser differential).
   */
  check(url: string, operation: string): string {
    let u: URL | null = null;
    try {
      u = new URL(url);
    } catch {
      // fall through: unparseable is refused like foreign
    }
    const allowed =
      u !== null &&
      !u.username &&
      !u.password &&
      u.origin === this.origin &&
      (this.basePath === "" || u.pathname === this.basePath || u.pathname.startsWith(`${this.basePath}/`));
    if (!allowed || u === null) {
      throw new ManagementApiError(
        `Refused ${operation} to ${describeUrl(url)}: the API token is only ever sent to ${this.origin}${this.basePath} ` +
          `(the configured Management API). A contentUri or NextPageUri pointing elsewhere is not followed; if the API ` +
          `is really reached through another address (a proxy), set it as the base URL.`,
        { code: ClientErrorCodes.HostNotAllowed, status: 0, transient: false, operation },
      );
    }
    return u.toString();
  }

  /**
   * Why `url` is not the blob's own contentUri — `{base}/api/v1.0/{tenantId}/activity/feed/audit/{contentId}`, the only
   * form the API lists — or undefined when it is. Being on the API origin is not enough: any other path (another
   * tenant's feed, `subscriptions/content`) would spend the tenant's token and quota on whatever a notification names.
   */
  contentUrlProblem(url: string, tenantId: string, contentId: string): string | undefined {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return "contentUri is not an absolute URL";
    }
    if (u.username || u.password || u.origin !== this.origin) return `contentUri is not on the tenant's API host ${this.origin}`;
    if (u.search || u.hash) return "contentUri carries a query or fragment, which the API's contentUris never do";
    if (/[/?#\\]/.test(contentId)) return "contentId is not a single path segment";
    const expected = new URL(this.feedUrl(tenantId, `audit/${contentId}`)).pathname;
    const [tenantAt, path] = [this.basePath.split("/").length + 2, u.pathname.split("/")];
    const want = expected.split("/");
    // The tenant GUID's case is not significant; every other segment must match exactly.
    const same = path.length === want.length && path.every((seg, i) => (i === tenantAt ? seg.toLowerCase() === want[i].toLowerCase() : seg === want[i]));
    return same ? undefined : `contentUri ${describeUrl(url)} is not tenant ${tenantId}'s feed path for contentId ${contentId} (${this.origin}${expected})`;
  }
}

/** scheme://host/path of a URL for messages: no userinfo, no query (nothing an attacker or we could leak through). */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return JSON.stringify(url.slice(0, 200));
  }
}

/**
 * First policy of every call: a URL off the API origin (a hostile contentUri or NextPageUri) is refused before any
 * policy or socket sees it; plain http passes only where ApiOrigin allowed it (a loopback emulator).
 */
export function originPinningPolicy(origin: ApiOrigin, onEvent?: OnEvent): PipelinePolicy {
  return {
    name: "managementApiOriginPinning",
    sendRequest(request, next) {
      const { operation } = callState(request).call;
      try {
        request.url = origin.check(request.url, operation);
      } catch (e) {
        onEvent?.({ type: "hostRefused", operation, url: describeUrl(request.url), allowedOrigin: `${origin.origin}${origin.basePath}` });
        throw e;
      }
      request.allowInsecureConnection = request.url.startsWith("http:");
      return next(request);
    },
  };
}
