import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { getEngine } from "../pipeline/engine";
import { healthReport } from "../pipeline/health";

/** GET: lag, pending / failed / expiring blobs and last success per tenant × content type. 503 when unhealthy. */
export async function health(_request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  const engine = getEngine();
  const report = await healthReport({ tenants: engine.config.tenants, checkpoints: engine.checkpoints, ledger: engine.ledger });
  return { status: report.status === "unhealthy" ? 503 : 200, jsonBody: report, headers: { "Cache-Control": "no-store" } };
}
