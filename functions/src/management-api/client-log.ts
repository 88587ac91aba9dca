// The client's logger: @azure/logger, so AZURE_LOG_LEVEL (or setLogLevel) turns it on with the SDKs' own logs. Each
// decision is one line: a readable message and its named fields (log-line.ts: tenant, stage, contentType, outcome,
// code, attempt, the same names as the engine's lines), never a token or a query string.
import { createClientLogger } from "@azure/logger";
import { fieldsArgument } from "../log-line";
import type { ManagementApiEvent } from "./events";

export const managementApiLogger = createClientLogger("m365-audit-lake:management-api");

/** Lost coverage and refused hosts are errors, a throttled start a warning, the rest routine. */
export function logClientEvent(tenantId: string, e: ManagementApiEvent): void {
  const tenant = tenantId;
  const outcome = e.type;
  switch (e.type) {
    case "windowClamped":
      return managementApiLogger.error(
        `listing ${e.contentType} clamped to the 7-day limit; ${Math.round(e.lostMs / 60_000)} min of content can no longer be listed`,
        fieldsArgument({ tenant, stage: "listing", outcome, contentType: e.contentType, requestedStart: e.requestedStart.toISOString(), effectiveStart: e.effectiveStart.toISOString(), lostMs: e.lostMs }),
      );
    case "hostRefused":
      return managementApiLogger.error(
        `refused to send the token to ${e.url}: only ${e.allowedOrigin} is allowed`,
        fieldsArgument({ tenant, stage: e.operation, outcome, url: e.url, allowedOrigin: e.allowedOrigin }),
      );
    case "subscriptionStartThrottled":
      return managementApiLogger.warning(
        `starting the ${e.contentType} subscription is throttled; retrying in ${Math.round(e.retryAfterMs / 1000)} s`,
        fieldsArgument({ tenant, stage: "subscriptions/start", outcome, contentType: e.contentType, retryAfterMs: e.retryAfterMs }),
      );
    case "subscriptionStarted":
      return managementApiLogger.info(`started the ${e.contentType} subscription`, fieldsArgument({ tenant, stage: "subscriptions/start", outcome, contentType: e.contentType }));
    case "retry":
      return managementApiLogger.info(
        `${e.operation}: retry ${e.attempt} after [${e.code}] in ${e.delayMs} ms`,
        fieldsArgument({ tenant, stage: e.operation, outcome, attempt: e.attempt, code: e.code, delayMs: e.delayMs }),
      );
    case "tokenRefreshed":
      return managementApiLogger.info(`${e.operation}: the token was refused (401); repeating once with a fresh one`, fieldsArgument({ tenant, stage: e.operation, outcome }));
  }
}
