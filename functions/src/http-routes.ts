// Every HTTP-triggered function, once: app.ts registers them with the Functions host and the local host serves them,
// so what runs in Azure and what the CLI is tested against cannot diverge.
import type { HttpHandler, HttpMethod } from "@azure/functions";
import { health } from "./handlers/health";
import { webhook } from "./handlers/webhook";

export interface HttpRoute {
  /** The function's name in the Function App (what Kudu lists once indexed). */
  name: string;
  methods: HttpMethod[];
  /** "function": a function key in `x-functions-key` (or `?code=`); "anonymous": the handler authenticates itself. */
  authLevel: "anonymous" | "function";
  /** Under `/api/`; `{name}` segments bind to `request.params`. */
  route: string;
  handler: HttpHandler;
}

export const httpRoutes: readonly HttpRoute[] = [
  // The Management API cannot send a function key, so the webhook authenticates callers by Webhook-AuthID itself.
  { name: "webhook", methods: ["POST"], authLevel: "anonymous", route: "webhook", handler: webhook },
  { name: "health", methods: ["GET"], authLevel: "function", route: "health", handler: health },
];
