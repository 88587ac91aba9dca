import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { getAuditLake } from "../composition-root";

/** How long one health evaluation answers the probe: an anonymous caller must not make the app scan the ledger at will. */
const PROBE_CACHE_MS = 60_000;
let last: { at: number; status: number } | undefined;

/**
 * GET, anonymous: 200 when the app is healthy or degraded, 503 when unhealthy, no body. The availability test calls it
 * without a secret (no key in the Terraform state), and it reveals nothing beyond that one status.
 */
export async function healthProbe(_request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  const now = Date.now();
  if (!last || now - last.at >= PROBE_CACHE_MS) {
    const report = await getAuditLake().health();
    last = { at: now, status: report.status === "unhealthy" ? 503 : 200 };
  }
  return { status: last.status, headers: { "Cache-Control": "no-store" } };
}
