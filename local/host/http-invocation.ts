// One HTTP-triggered invocation as the Functions host makes it: the route table's template matched under /api/, the
// request handed to the handler as the real @azure/functions HttpRequest, its HttpResponse written back.
import { HttpRequest, HttpResponse, InvocationContext } from "@azure/functions";
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import type { HttpRoute } from "../../functions/src/http-routes";
import type { InvocationLog } from "../runner/invocation-log";

/** The host's default routePrefix (host.json extensions.http.routePrefix). */
export const ROUTE_PREFIX = "api";

/** The route matching `path` (under /api/), with its `{name}` parameters; undefined when none does. */
export function matchRoute(routes: readonly HttpRoute[], path: string): { route: HttpRoute; params: Record<string, string> } | undefined {
  const prefix = `/${ROUTE_PREFIX}/`;
  if (!path.startsWith(prefix)) return undefined;
  const segments = path.slice(prefix.length).replace(/\/+$/, "").split("/");
  for (const route of routes) {
    const template = route.route.split("/");
    if (template.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const ok = template.every((t, i) => {
      const param = /^\{(\w+)\??\}$/.exec(t);
      if (param) return (params[param[1]] = decodeSegment(segments[i])) !== "";
      return t.toLowerCase() === segments[i].toLowerCase(); // the host matches routes case-insensitively
    });
    if (ok) return { route, params };
  }
  return undefined;
}

/** A segment that is not valid percent-encoding matches no parameter (the host answers 404, not 500). */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return "";
  }
}

export async function invoke(route: HttpRoute, params: Record<string, string>, req: IncomingMessage, url: URL, body: Buffer, res: ServerResponse, log: InvocationLog): Promise<void> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  const request = new HttpRequest({
    method: req.method ?? "GET",
    url: url.toString(),
    headers,
    query: Object.fromEntries(url.searchParams),
    params,
    ...(body.length ? { body: { bytes: body } } : {}),
  });
  const context = new InvocationContext({ invocationId: randomUUID(), functionName: route.name, logHandler: log.handler(route.name) });
  let response: HttpResponse;
  try {
    const result = await route.handler(request, context);
    response = result instanceof HttpResponse ? result : new HttpResponse(result ?? {});
  } catch (error) {
    // The host answers an unhandled error with a bare 500 and logs it; the caller sees no detail.
    log.write("error", `${route.name}: ${(error as Error)?.stack ?? String(error)}`);
    res.writeHead(500, { "Content-Length": "0" }).end();
    return;
  }
  const out = Buffer.from(await response.arrayBuffer());
  const responseHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => (responseHeaders[name] = value));
  res.writeHead(response.status, { ...responseHeaders, "Content-Length": String(out.length) }).end(out);
}
