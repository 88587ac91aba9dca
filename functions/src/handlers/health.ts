import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { getAuditLake } from "../composition-root";

/** GET: lag, pending / failed / expiring blobs and last success per tenant × content type. 503 when unhealthy. */
export async function health(_request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  const report = await getAuditLake().health();
  return { status: report.status === "unhealthy" ? 503 : 200, jsonBody: report, headers: { "Cache-Control": "no-store" } };
}
