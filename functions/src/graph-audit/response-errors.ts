// A Graph error response → a typed error that says what is wrong and what to do. Graph's body:
// {"error":{"code","message","innerError":{"request-id",…}}}.
import type { PipelineResponse } from "@azure/core-rest-pipeline";
import { GraphAuditError, GraphAuditErrorCodes } from "./errors";

const ROLES_HINT =
  "Grant the app the Microsoft Graph application role AuditLogsQuery.Read.All (or, for queries limited to one workload, " +
  "AuditLogsQuery-Exchange.Read.All / -SharePoint / -OneDrive / -Entra) in this tenant and have an admin consent; " +
  "AuditLog.Read.All is a different role and does not work here.";

interface GraphErrorBody {
  error?: { code?: unknown; message?: unknown; innerError?: { "request-id"?: unknown } };
}

export function retryAfterMs(response: PipelineResponse): number | undefined {
  const value = response.headers.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

export function errorFromResponse(response: PipelineResponse, operation: string, queryId?: string): GraphAuditError {
  let body: GraphErrorBody = {};
  try {
    body = JSON.parse(response.bodyAsText ?? "") as GraphErrorBody;
  } catch {
    // a body that is not Graph's JSON: the status alone speaks
  }
  const status = response.status;
  const serviceCode = typeof body.error?.code === "string" ? body.error.code : `HTTP${status}`;
  const serviceMessage = typeof body.error?.message === "string" ? body.error.message : (response.bodyAsText ?? "").slice(0, 300);
  const requestId = typeof body.error?.innerError?.["request-id"] === "string" ? body.error.innerError["request-id"] : response.headers.get("request-id") ?? undefined;
  const base = { status, serviceMessage, requestId, queryId };
  const said = serviceMessage ? ` Graph said: ${serviceMessage}` : "";
  if (status === 403) {
    return new GraphAuditError(`${operation} was refused (403 ${serviceCode}): the app lacks the permission to query the audit log.${said} ${ROLES_HINT}`, {
      ...base,
      code: GraphAuditErrorCodes.MissingPermission,
    });
  }
  if (status === 401) {
    return new GraphAuditError(`${operation} was refused (401 ${serviceCode}): the token was not accepted.${said} Check that the credential gets an app-only token for https://graph.microsoft.com in this tenant.`, {
      ...base,
      code: GraphAuditErrorCodes.Unauthorized,
    });
  }
  if (status === 429) {
    const wait = retryAfterMs(response);
    return new GraphAuditError(`${operation} is still throttled (429) after the retries allowed.${said} Try again ${wait !== undefined ? `in ${Math.ceil(wait / 1000)} s` : "later"}, or run fewer queries at once.`, {
      ...base,
      code: GraphAuditErrorCodes.Throttled,
      retryAfterMs: wait,
    });
  }
  return new GraphAuditError(`${operation} failed (${status} ${serviceCode}).${said}`, { ...base, code: serviceCode });
}
