// The local Functions host: the route table served on a loopback port under /api/ with the host's function-key check,
// the content queue drained and the timers fired while it runs — what the CLI talks to as it would to a Function App.
import { QueueServiceClient } from "@azure/storage-queue";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { closeAuditLake } from "../../functions/src/composition-root";
import { ingestContent } from "../../functions/src/handlers/ingest-content";
import { plan } from "../../functions/src/handlers/plan";
import { settleAdxFailures } from "../../functions/src/handlers/settle-adx-failures";
import { runBackfills } from "../../functions/src/handlers/run-backfills";
import { hostAuthLevel, httpRoutes, isReservedByHost, type HttpRoute } from "../../functions/src/http-routes";
import type { AppServiceSignIn } from "./app-service-sign-in";
import { applyAppSettings, type AppSettings } from "../runner/app-settings";
import { captureConsole } from "../runner/console-capture";
import { readQueueHostSettings } from "../runner/host-json";
import { InvocationLog } from "../runner/invocation-log";
import { describeError, QueueTrigger, type QueueTriggerStats } from "../runner/queue-trigger";
import { fireTimer } from "../runner/timer-trigger";
import { invoke, matchRoute } from "./http-invocation";

export interface LocalFunctionsHostOptions {
  /** The Function App's application settings (local/runner/app-settings.ts builds them for the emulated cloud). */
  settings: AppSettings;
  /** Loopback port; default a free one. */
  port?: number;
  /** The function key callers must present; default a new random one. */
  functionKey?: string;
  /** How often the plan and settle-adx-failures timers fire (Azure: every 5 minutes, the default). */
  timerIntervalMs?: number;
  routes?: readonly HttpRoute[];
  log?: InvocationLog;
  hostJsonPath?: string;
  /** Serve HTTPS with this certificate (local/tls.ts, the per-run CA), as a Function App does; default plain http. */
  tls?: { certPem: string; keyPem: string };
  /** App Service authentication, emulated: with OPERATOR_SIGN_IN=entra, it validates operators' tokens on operator routes. */
  signIn?: AppServiceSignIn;
}

export interface LocalFunctionsHost {
  /** `http://127.0.0.1:<port>` (https with `tls`): functions answer under `/api/<route>`. */
  url: string;
  /** `127.0.0.1:<port>`: what a site's defaultHostName says. */
  host: string;
  functionKey: string;
  /**
   * Changes app settings as a deployment does in Azure: the next invocation runs on an app built from them. The queue
   * trigger keeps the queue it started with (in Azure a changed CONTENT_QUEUE restarts the host: start a new one).
   */
  updateSettings(changes: AppSettings): void;
  readonly settings: Readonly<AppSettings>;
  readonly queue: QueueTriggerStats;
  readonly timerTicks: number;
  close(): Promise<void>;
}

export async function startLocalFunctionsHost(opts: LocalFunctionsHostOptions): Promise<LocalFunctionsHost> {
  const routes = opts.routes ?? httpRoutes;
  // The real host does not index these ("The specified route conflicts with one or more built in routes").
  const reserved = routes.filter(isReservedByHost);
  if (reserved.length) throw new Error(`The Functions host refuses routes and function names starting with "admin": ${reserved.map((r) => `${r.name} (${r.route})`).join(", ")}.`);
  const functionKey = opts.functionKey ?? randomBytes(32).toString("base64url");
  const log = opts.log ?? new InvocationLog();
  const settings: AppSettings = { ...opts.settings };
  const undo: Array<() => void> = [applyAppSettings(settings), captureConsole(log)];

  const queues = QueueServiceClient.fromConnectionString(settings.AzureWebJobsStorage);
  const queueName = settings.CONTENT_QUEUE || "audit-content";
  const queue = queues.getQueueClient(queueName);
  await queue.createIfNotExists();
  const hostJson = readQueueHostSettings(opts.hostJsonPath, settings);
  const trigger = new QueueTrigger({
    queue,
    poisonQueue: queues.getQueueClient(`${queueName}-poison`),
    functionName: "ingest-content",
    handler: ingestContent,
    log,
    batchSize: hostJson.batchSize,
    newBatchThreshold: hostJson.newBatchThreshold,
    maxDequeueCount: hostJson.maxDequeueCount,
    // as the local runner: retries and empty-queue polling cut to a second so a local host stays responsive
    visibilityTimeoutSeconds: Math.min(hostJson.visibilityTimeoutSeconds, 1),
    maxPollingIntervalMs: Math.min(hostJson.maxPollingIntervalMs, 1000),
  });
  trigger.start();

  const intervalMs = opts.timerIntervalMs ?? 5 * 60_000;
  let ticks = 0;
  // Each timer function is its own singleton in the host: one slow timer never holds another up, and an occurrence due
  // while the same timer still runs is skipped, never stacked.
  const timers = [["settle-adx-failures", settleAdxFailures], ["plan", plan], ["run-backfills", runBackfills]] as const;
  const runs = new Map<string, Promise<void>>();
  const previous = new Map<string, Date>();
  const tick = () => {
    ticks++;
    for (const [name, handler] of timers) {
      if (runs.has(name)) continue;
      const at = new Date();
      const run = fireTimer(handler, name, log, intervalMs, previous.get(name))
        .catch((error) => log.write("error", `${name}: ${describeError(error)}`))
        .finally(() => {
          previous.set(name, at);
          runs.delete(name);
        });
      runs.set(name, run);
    }
  };
  const timer = setInterval(tick, intervalMs);

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    serve(req, res).catch((error) => {
      log.write("error", `host: ${describeError(error)}`);
      if (!res.headersSent) res.writeHead(500, { "Content-Length": "0" }).end();
    });
  };
  const server = opts.tls ? createHttpsServer({ cert: opts.tls.certPem, key: opts.tls.keyPem }, onRequest) : createServer(onRequest);
  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
    const body = await readBody(req);
    const matched = matchRoute(routes, url.pathname);
    if (!matched || !matched.route.methods.includes((req.method ?? "GET").toUpperCase() as never)) {
      res.writeHead(404, { "Content-Length": "0" }).end();
      return;
    }
    // an operator route the table makes anonymous has App Service authentication in front of it
    if (matched.route.operator && hostAuthLevel(matched.route, settings) === "anonymous") {
      // In front of the app, as App Service authentication is: no valid token, no invocation; the principal it passes on
      // replaces any X-MS-CLIENT-PRINCIPAL the client sent.
      const principal = opts.signIn?.principal(req.headers.authorization);
      for (const name of Object.keys(req.headers)) if (name.startsWith("x-ms-client-principal")) delete req.headers[name];
      if (!principal) {
        res.writeHead(401, { "Content-Length": "0", "WWW-Authenticate": 'Bearer realm="operator"' }).end();
        return;
      }
      req.headers["x-ms-client-principal"] = principal;
    } else if (hostAuthLevel(matched.route, settings) === "function" && !presentsKey(req, url, functionKey)) {
      res.writeHead(401, { "Content-Length": "0" }).end(); // the host answers a missing or wrong key with a bare 401
      return;
    }
    await invoke(matched.route, matched.params, req, url, body, res, log);
  };
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    url: `${opts.tls ? "https" : "http"}://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    functionKey,
    settings,
    get queue() {
      return trigger.stats;
    },
    get timerTicks() {
      return ticks;
    },
    updateSettings(changes) {
      Object.assign(settings, changes);
      undo.push(applyAppSettings(changes));
    },
    close: () =>
      (closing ??= (async () => {
        clearInterval(timer);
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.all(runs.values());
        await trigger.stop();
        await closeAuditLake();
        for (const u of undo.splice(0).reverse()) u();
      })()),
  };
}

/** `x-functions-key` header or `?code=`, as the host accepts a function key. */
function presentsKey(req: IncomingMessage, url: URL, key: string): boolean {
  const presented = (req.headers["x-functions-key"] as string | undefined) ?? url.searchParams.get("code");
  if (!presented) return false;
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(presented), digest(key));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
