// Microsoft Graph's error shape: {"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}.
import { randomUUID } from "node:crypto";
import { ServiceRefusal } from "../service-refusal";

export class GraphError extends ServiceRefusal {
  body(clientRequestId: string | undefined): string {
    const requestId = randomUUID();
    return JSON.stringify({
      error: {
        code: this.code,
        message: this.message,
        innerError: { date: new Date().toISOString().slice(0, 19), "request-id": requestId, "client-request-id": clientRequestId ?? requestId },
      },
    });
  }
}

export const GraphErrors = {
  noToken: () => new GraphError(401, "InvalidAuthenticationToken", "Access token is empty.", { "WWW-Authenticate": 'Bearer realm="", error="invalid_token"' }),
  badToken: (why: string) =>
    new GraphError(401, "InvalidAuthenticationToken", `Access token validation failure. ${why}`, { "WWW-Authenticate": 'Bearer realm="", error="invalid_token"' }),
  missingRole: (needed: string, granted: string[]) =>
    new GraphError(
      403,
      "Forbidden",
      `Missing application roles. API required roles: ${needed}. Application roles in the token: ${granted.length ? granted.join(", ") : "none"}.`,
    ),
  badRequest: (message: string) => new GraphError(400, "BadRequest", message),
  notFound: (what: string) => new GraphError(404, "NotFound", `${what} was not found.`),
  noRoute: (method: string, path: string) => new GraphError(400, "BadRequest", `Resource not found for the segment in ${method} ${path}.`),
  methodNotAllowed: (method: string) => new GraphError(405, "Request_BadRequest", `The HTTP method '${method}' is not allowed on this resource.`),
  throttled: (retryAfterSeconds: number, what: string) =>
    new GraphError(429, "TooManyRequests", `Too many requests: ${what}. Retry after ${retryAfterSeconds} seconds.`, { "Retry-After": String(retryAfterSeconds) }),
};
