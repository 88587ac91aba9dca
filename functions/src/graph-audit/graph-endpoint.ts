// Where the audit log query API lives. Global cloud only: Microsoft publishes the API for graph.microsoft.com alone,
// with no GCC High / DoD (graph.microsoft.us, dod-graph.microsoft.us) endpoint, so sovereign tenants cannot back-fill.
import { GraphAuditError, GraphAuditErrorCodes } from "./errors";

export const GRAPH_GLOBAL_ORIGIN = "https://graph.microsoft.com";
/** The API lives under /v1.0 (documented there as generally available) and /beta; which one is a setting. The one
 *  default of the client, the app's settings and the README. */
export const DEFAULT_GRAPH_BASE_URL = `${GRAPH_GLOBAL_ORIGIN}/v1.0`;
/** The token is always for Graph's audience, whatever host serves the API (the emulator checks the same audience). */
export const GRAPH_SCOPE = `${GRAPH_GLOBAL_ORIGIN}/.default`;

export interface GraphEndpoint {
  /** e.g. https://graph.microsoft.com/beta, without a trailing slash. */
  baseUrl: string;
  origin: string;
  /** "beta" or "v1.0". */
  version: string;
}

/** `baseUrl`: a full URL (https://graph.microsoft.com/v1.0, or an emulator's https origin plus version) or just "/v1.0". */
export function graphEndpoint(baseUrl: string = DEFAULT_GRAPH_BASE_URL): GraphEndpoint {
  const full = baseUrl.startsWith("/") ? `${GRAPH_GLOBAL_ORIGIN}${baseUrl}` : baseUrl;
  let url: URL;
  try {
    url = new URL(full);
  } catch {
    throw new GraphAuditError(`The Graph base URL "${baseUrl}" is not a URL: use ${DEFAULT_GRAPH_BASE_URL} or ${GRAPH_GLOBAL_ORIGIN}/beta.`, {
      code: GraphAuditErrorCodes.InvalidArgument,
    });
  }
  if (url.protocol !== "https:") {
    throw new GraphAuditError(`The Graph base URL ${url.origin} is not HTTPS: the bearer token is only ever sent over TLS. Use ${DEFAULT_GRAPH_BASE_URL}.`, {
      code: GraphAuditErrorCodes.InsecureEndpoint,
    });
  }
  const version = url.pathname.replace(/\/+$/, "").split("/").pop() ?? "";
  if (!/^(beta|v\d+\.\d+)$/.test(version)) {
    throw new GraphAuditError(`The Graph base URL ${full} does not end in a version: append /beta or /v1.0.`, { code: GraphAuditErrorCodes.InvalidArgument });
  }
  return { baseUrl: `${url.origin}${url.pathname.replace(/\/+$/, "")}`, origin: url.origin, version };
}
