// Every HTTP-triggered function, once: app.ts registers them with the Functions host and the local host serves them,
// so what runs in Azure and what the CLI is tested against cannot diverge.
import type { HttpHandler, HttpMethod } from "@azure/functions";
import { operatorSignInEnabled } from "./admin/operator-scope";
import { adminBackfill, adminBackfills } from "./handlers/admin-backfills";
import { adminPlan } from "./handlers/admin-plan";
import { adminRequeue } from "./handlers/admin-requeue";
import { adminTenants } from "./handlers/admin-tenants";
import { health } from "./handlers/health";
import { healthProbe } from "./handlers/health-probe";
import { webhook } from "./handlers/webhook";

export interface HttpRoute {
  /** The function's name in the Function App (what Kudu lists once indexed). */
  name: string;
  methods: HttpMethod[];
  /** "function": a function key in `x-functions-key` (or `?code=`); "anonymous": the handler authenticates itself. */
  authLevel: "anonymous" | "function";
  /** An operator route: behind Entra sign-in when the app has it on (then anonymous at the host, see hostAuthLevel). */
  operator?: true;
  /** Under `/api/`; `{name}` segments bind to `request.params`. */
  route: string;
  handler: HttpHandler;
}

/** Where the admin API lives: not under "admin/", which the Functions host keeps for its own admin API. */
export const ADMIN_ROUTE_PREFIX = "operator";

export const httpRoutes: readonly HttpRoute[] = [
  // The Management API cannot send a function key, so the webhook authenticates callers by Webhook-AuthID itself.
  { name: "webhook", methods: ["POST"], authLevel: "anonymous", route: "webhook", handler: webhook },
  { name: "health", methods: ["GET"], authLevel: "function", operator: true, route: "health", handler: health },
  // The availability test holds no secret: the probe answers 200 or 503 and nothing else.
  { name: "health-probe", methods: ["GET"], authLevel: "anonymous", route: "health/probe", handler: healthProbe },
  // The admin API the operator's CLI calls (only the app's identity can get a client tenant's token).
  { name: "operator-tenants", methods: ["GET"], authLevel: "function", operator: true, route: `${ADMIN_ROUTE_PREFIX}/tenants`, handler: adminTenants },
  { name: "operator-plan", methods: ["POST"], authLevel: "function", operator: true, route: `${ADMIN_ROUTE_PREFIX}/plan`, handler: adminPlan },
  { name: "operator-requeue", methods: ["POST"], authLevel: "function", operator: true, route: `${ADMIN_ROUTE_PREFIX}/requeue`, handler: adminRequeue },
  { name: "operator-backfills", methods: ["GET", "POST"], authLevel: "function", operator: true, route: `${ADMIN_ROUTE_PREFIX}/backfills`, handler: adminBackfills },
  { name: "operator-backfill", methods: ["GET"], authLevel: "function", operator: true, route: `${ADMIN_ROUTE_PREFIX}/backfills/{id}`, handler: adminBackfill },
];

/**
 * True when the Functions host refuses the route ("The specified route conflicts with one or more built in routes"):
 * it keeps every route and function name starting with "admin" for its own admin API, whatever the route prefix.
 */
export function isReservedByHost(route: Pick<HttpRoute, "name" | "route">): boolean {
  return /^admin/i.test(route.route.replace(/^\/+/, "")) || /^admin/i.test(route.name);
}

/**
 * The key check the host makes for a route: with operator sign-in on, App Service authentication has already validated
 * the operator's token, and the documented pattern is an anonymous route; the handler reads the principal it passed on.
 */
export function hostAuthLevel(route: Pick<HttpRoute, "authLevel" | "operator">, env: Record<string, string | undefined> = process.env): HttpRoute["authLevel"] {
  return route.operator && operatorSignInEnabled(env) ? "anonymous" : route.authLevel;
}
