// The client's logger: @azure/logger, so AZURE_LOG_LEVEL (or setLogLevel) turns it on with the SDKs' own logs. Each
// decision is one line of named fields (tenant, stage, content type, outcome), never a token or a query string.
import { createClientLogger } from "@azure/logger";
import type { ManagementApiEvent } from "./events";

export const managementApiLogger = createClientLogger("m365-audit-lake:management-api");

/** Lost coverage and refused hosts are errors, a throttled start a warning, the rest routine. */
export function logClientEvent(tenantId: string, e: ManagementApiEvent): void {
  const fields: Record<string, unknown> = { tenant: tenantId, outcome: e.type };
  switch (e.type) {
    case "windowClamped":
      Object.assign(fields, { stage: "listing", contentType: e.contentType, requestedStart: e.requestedStart, effectiveStart: e.effectiveStart, lostMs: e.lostMs });
      return managementApiLogger.error(JSON.stringify(fields));
    case "hostRefused":
      Object.assign(fields, { stage: e.operation, url: e.url, allowedOrigin: e.allowedOrigin });
      return managementApiLogger.error(JSON.stringify(fields));
    case "subscriptionStartThrottled":
      Object.assign(fields, { stage: "subscriptions/start", contentType: e.contentType, retryAfterMs: e.retryAfterMs });
      return managementApiLogger.warning(JSON.stringify(fields));
    case "subscriptionStarted":
      Object.assign(fields, { stage: "subscriptions/start", contentType: e.contentType });
      return managementApiLogger.info(JSON.stringify(fields));
    case "retry":
      Object.assign(fields, { stage: e.operation, attempt: e.attempt, code: e.code, delayMs: e.delayMs });
      return managementApiLogger.info(JSON.stringify(fields));
    case "tokenRefreshed":
      Object.assign(fields, { stage: e.operation });
      return managementApiLogger.info(JSON.stringify(fields));
  }
}
