// The emulated manage.office.com: routing, the checks every call passes (tenant GUID, bearer token, Accept-Language,
// audit logging on, request budget), fault injection, then the operation.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { ApiError, ApiErrors } from "./api-errors";
import { sendBlob } from "./content-blob";
import { contentObject, listContent, listNotifications, publisherIdentifier, type ListingContext } from "./content-listing";
import type { EmulatedTenantState } from "./emulated-tenant-state";
import type { FaultInjector, RequestFault } from "./faults";
import type { EmulatorGroundTruth } from "./ground-truth";
import { listen, readBody, sendJson } from "./http-exchange";
import type { RequestBudget } from "./request-budget";
import type { RequestCounters } from "./request-counters";
import { CONTENT_ID_PATTERN } from "./scenario/blob-layout";
import { listSubscriptions, startSubscription, stopSubscription, type SubscriptionContext } from "./subscription-operations";
import type { TokenStore } from "./tokens";
import { CONTENT_TYPES, type ContentTypeName } from "./types";
import type { WebhookNotifier } from "./webhooks";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LANGUAGE = /^\s*(\*|[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*)(\s*;\s*q\s*=\s*[01](\.\d{0,3})?)?\s*$/;

export interface ApiServerOptions {
  host: string;
  port: number;
  tenants: Map<string, EmulatedTenantState>;
  tokens: TokenStore;
  counters: RequestCounters;
  budget: RequestBudget;
  faults: FaultInjector;
  truth: EmulatorGroundTruth;
  notifier: WebhookNotifier;
  pageSize: number;
  throttleAs403Share: number;
  subscriptionStartThrottleMs: number;
  nowMs: () => number;
  loginBase: () => string;
  closing: AbortSignal;
}

type Operation =
  | "subscriptions/start"
  | "subscriptions/stop"
  | "subscriptions/list"
  | "subscriptions/content"
  | "subscriptions/notifications"
  | "content"
  | "unknown";

const METHOD: Record<Exclude<Operation, "unknown">, string> = {
  "subscriptions/start": "POST",
  "subscriptions/stop": "POST",
  "subscriptions/list": "GET",
  "subscriptions/content": "GET",
  "subscriptions/notifications": "GET",
  content: "GET",
};

function operationOf(rest: string[]): Operation {
  if (rest.length === 2 && rest[0] === "subscriptions") {
    const op = `subscriptions/${rest[1]}`;
    if (op in METHOD) return op as Operation;
  }
  if (rest.length === 2 && rest[0] === "audit") return "content";
  return "unknown";
}

function unauthorized(res: ServerResponse, loginBase: string, tenantId: string, why: string): void {
  // ASP.NET's own shape, as manage.office.com answers a missing or rejected token
  sendJson(res, 401, JSON.stringify({ Message: `Authorization has been denied for this request. ${why}` }), {
    "WWW-Authenticate": `Bearer authorization_uri="${loginBase}/${tenantId}/oauth2/authorize", error="invalid_token", error_description="${why}"`,
  });
}

export async function startApiServer(o: ApiServerOptions) {
  let apiBase = "";
  let generation = 0;

  const subscriptionContext = (): SubscriptionContext => ({
    nowMs: o.nowMs(),
    startThrottleMs: o.subscriptionStartThrottleMs,
    webhookValidationTimeoutMs: 10_000,
    onWebhookRegistered: (tenant, contentType) => o.notifier.registered(tenant, tenant.subscription(contentType as ContentTypeName)),
  });
  const listingContext = (): ListingContext => ({
    apiBase,
    pageSize: o.pageSize,
    nowMs: o.nowMs(),
    nextGeneration: () => ++generation,
    currentGeneration: () => generation,
  });
  const throttledAs = (): 429 | 403 => (o.faults.draw() < o.throttleAs403Share ? 403 : 429);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", apiBase);
    let segments: string[];
    try {
      segments = url.pathname.split("/").filter(Boolean).map((s) => decodeURIComponent(s));
    } catch {
      throw ApiErrors.notFound(url.pathname); // a malformed %-escape names nothing the service has
    }

    if (segments[0] === "_emulator" && segments[1] === "truth" && segments.length === 3) {
      const summary = o.truth.summary(segments[2].toLowerCase());
      if (!summary) throw new ApiError(404, "NotFound", `The emulator has no tenant ${segments[2]}.`);
      sendJson(res, 200, JSON.stringify(summary, null, 2));
      return;
    }
    if (segments[0] !== "api" || segments[1] !== "v1.0" || segments[3] !== "activity" || segments[4] !== "feed" || segments.length < 6) {
      throw ApiErrors.notFound(url.pathname);
    }
    const tenantId = segments[2].toLowerCase();
    const operation = operationOf(segments.slice(5));
    let counted = false;
    const count = (status: number | "reset") => {
      if (!counted) o.counters.record(tenantId, operation, status);
      counted = true;
    };
    res.on("finish", () => count(res.statusCode));
    res.on("close", () => count(res.writableFinished ? res.statusCode : "reset"));

    if (!GUID.test(tenantId)) throw ApiErrors.tenantNotGuid(segments[2]);
    if (operation === "unknown") throw ApiErrors.notFound(url.pathname);
    if (req.method !== METHOD[operation]) throw ApiErrors.methodNotAllowed(req.method ?? "?", url.pathname);

    const auth = o.tokens.check(req.headers.authorization);
    if (!auth.ok) return unauthorized(res, o.loginBase(), tenantId, auth.reason);
    if (auth.token.tenantId !== tenantId) throw ApiErrors.tenantMismatch(tenantId, auth.token.tenantId);
    // consented without the application permission: the service names the (empty) set of roles the token carried
    if (!auth.token.roles.includes("ActivityFeed.Read")) {
      throw new ApiError(401, "AF10001", `The permission set (${auth.token.roles.join(",")}) sent in the request does not include the expected permission.`);
    }
    const tenant = o.tenants.get(tenantId);
    if (!tenant) throw ApiErrors.tenantMismatch(tenantId, auth.token.tenantId);

    const language = req.headers["accept-language"];
    if (language !== undefined) {
      if (language.split(",").filter((l) => l.trim() !== "").length > 1) throw ApiErrors.tooManyLanguages();
      if (!LANGUAGE.test(language)) throw ApiErrors.badLanguage();
    }
    if (tenant.auditLoggingDisabled) throw ApiErrors.auditLoggingDisabled(tenantId);

    const publisher = publisherIdentifier(url.searchParams);
    if (!o.budget.admit(tenantId, publisher)) throw ApiErrors.throttled(throttledAs(), req.method!, publisher ?? tenantId);

    const bodyBearing = operation === "content" || operation === "subscriptions/content" || operation === "subscriptions/notifications";
    const fault: RequestFault | null = o.faults.drawRequestFault(bodyBearing);
    let truncate = false;
    let resetMidway = false;
    switch (fault) {
      case "reset":
        if (operation === "content" && o.faults.draw() < 0.5) {
          resetMidway = true;
          break;
        }
        req.socket.destroy();
        return;
      case "server-error":
        throw o.faults.draw() < 0.7 ? ApiErrors.internal() : ApiErrors.unavailable();
      case "throttle":
        throw ApiErrors.throttled(throttledAs(), req.method!, publisher ?? tenantId);
      case "token-expiry":
        // the token stops being accepted before its expires_in: clients must fetch a new one on 401
        o.tokens.revoke(auth.raw);
        return unauthorized(res, o.loginBase(), tenantId, "The bearer token has expired.");
      case "slow":
        await sleep(o.faults.spec.slowMs, undefined, { signal: o.closing }).catch(() => undefined);
        if (o.closing.aborted || res.destroyed) return;
        break;
      case "truncated":
        truncate = true;
        break;
    }

    switch (operation) {
      case "subscriptions/start": {
        const body = await readBody(req, 64 * 1024);
        sendJson(res, 200, await startSubscription(subscriptionContext(), tenant, url.searchParams, body));
        return;
      }
      case "subscriptions/stop":
        stopSubscription(subscriptionContext(), tenant, url.searchParams);
        res.writeHead(200, { "Content-Length": 0 });
        res.end();
        return;
      case "subscriptions/list":
        sendJson(res, 200, listSubscriptions(tenant));
        return;
      case "subscriptions/content":
      case "subscriptions/notifications": {
        const page = (operation === "subscriptions/content" ? listContent : listNotifications)(listingContext(), tenant, url.searchParams);
        const body = truncate ? page.body.slice(0, Math.max(1, Math.floor(page.body.length * (0.2 + 0.6 * o.faults.draw())))) : page.body;
        sendJson(res, 200, body, page.headers);
        return;
      }
      case "content":
        return serveContent(tenant, segments[6], res, truncate, resetMidway);
    }
  };

  const serveContent = async (tenant: EmulatedTenantState, contentId: string, res: ServerResponse, truncate: boolean, resetMidway: boolean) => {
    const m = CONTENT_ID_PATTERN.exec(contentId);
    const contentType = m ? CONTENT_TYPES.find((c) => c.replace(".", "_") === m[4]) : undefined;
    if (!m || !contentType || m[1] !== m[2]) throw ApiErrors.contentIdInvalid(contentId);
    const catalog = tenant.catalog(contentType);
    const blob = catalog.get(contentId);
    const now = o.nowMs();
    const sub = tenant.subscription(contentType);
    if (!blob || blob.createdMs > now || sub.producedWhileStopped(blob.createdMs)) throw ApiErrors.contentNotFound(contentId);
    if (now >= blob.expiresMs || blob.expiredByFault) throw ApiErrors.contentExpired(contentId);
    const cutShare = 0.2 + 0.6 * o.faults.draw();
    // served only once the whole, intact body left: 'finish' never fires for a client that hung up
    if (!truncate && !resetMidway) res.once("finish", () => tenant.served.get(contentType)!.add(blob));
    await sendBlob(res, catalog, blob, { truncate, resetMidway, cutShare });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const err = e instanceof ApiError ? e : new ApiError(500, "AF50000", `An internal error occurred. Retry the request. (${(e as Error).message})`);
      sendJson(res, err.status, err.body());
    });
  });
  server.keepAliveTimeout = 30_000;
  const listening = await listen(server, o.host, o.port);
  apiBase = listening.url;
  return { ...listening, contentObject: (tenant: EmulatedTenantState, blob: Parameters<typeof contentObject>[2]) => contentObject(apiBase, tenant.identity.tenantId, blob) };
}
