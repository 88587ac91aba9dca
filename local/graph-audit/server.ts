// The emulated graph.microsoft.com audit log query API over HTTPS: bearer token, application roles, throttling, then
// create / get / list queries and page a query's records. Ground truth at /_emulator/... (no token).
import { randomUUID } from "node:crypto";
import { createServer, type Server as HttpsServer } from "node:https";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { unitHash } from "../management-api/random";
import { listen, readBody, sendJson } from "../management-api/http-exchange";
import type { TokenStore } from "../management-api/tokens";
import type { LocalTls } from "../tls";
import { AuditLogQuery, type QueryTiming } from "./audit-log-query";
import { GraphError, GraphErrors } from "./graph-errors";
import { graphRecordOf } from "./graph-record";
import { filterView, parseQueryFilter, recordMatcher } from "./query-filter";
import { ALL_AUDIT_LOGS_ROLE, WORKLOAD_ROLES, workloadOfRecordType } from "./record-types";
import type { RequestThrottle } from "./request-throttle";
import type { ServiceFaults } from "./service-faults";
import type { GraphVariant } from "./options";
import type { RecordRef, TenantAuditLog } from "./tenant-audit-log";

export const GRAPH_AUDIENCE = "https://graph.microsoft.com";
const ODATA_JSON = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";
const MAX_TOP = 1000;

export interface GraphTenant {
  tenantId: string;
  log: TenantAuditLog;
  queries: Map<string, AuditLogQuery>;
  requests: Record<string, number>;
  /** How this tenant's answers are shaped where the documentation allows more than one. */
  variant: GraphVariant;
}

export interface GraphServerOptions {
  host: string;
  port: number;
  tls: LocalTls;
  tenants: Map<string, GraphTenant>;
  tokens: TokenStore;
  throttle: RequestThrottle;
  faults: ServiceFaults;
  basePaths: string[];
  pageSize: number;
  timing: QueryTiming;
  failedShare: number;
  seed: number;
  nowMs: () => number;
  /** Aborted on close: searches still running stop. */
  closing: AbortSignal;
  truth: (tenantId: string, url: URL) => unknown;
}

type Route =
  | { op: "queries"; base: string }
  | { op: "query"; base: string; id: string }
  | { op: "records"; base: string; id: string }
  | { op: "truth"; tenantId: string };

function route(path: string, basePaths: string[]): Route | null {
  const truth = /^\/_emulator\/truth\/([^/]+)$/.exec(path);
  if (truth) return { op: "truth", tenantId: decodeURIComponent(truth[1]).toLowerCase() };
  const base = basePaths.find((b) => path.toLowerCase().startsWith(`${b.toLowerCase()}/`));
  if (!base) return null;
  const rest = path.slice(base.length).split("/").filter(Boolean);
  if (rest.length < 3 || rest[0].toLowerCase() !== "security" || rest[1].toLowerCase() !== "auditlog" || rest[2].toLowerCase() !== "queries") return null;
  if (rest.length === 3) return { op: "queries", base };
  const id = decodeURIComponent(rest[3]);
  if (rest.length === 4) return { op: "query", base, id };
  if (rest.length === 5 && rest[4].toLowerCase() === "records") return { op: "records", base, id };
  return null;
}

/** The role that reads everything the query may return, when the app lacks it; null when the app may run it. */
function missingRole(q: { recordTypes: string[]; services: string[] }, roles: string[]): string | null {
  if (roles.includes(ALL_AUDIT_LOGS_ROLE)) return null;
  const workloads = q.recordTypes.length ? q.recordTypes.map(workloadOfRecordType) : q.services.length ? q.services.map((s) => (s in WORKLOAD_ROLES ? s : null)) : [null];
  for (const w of workloads) {
    const role = w ? WORKLOAD_ROLES[w] : null;
    if (!role) return ALL_AUDIT_LOGS_ROLE;
    if (!roles.includes(role)) return `${role} or ${ALL_AUDIT_LOGS_ROLE}`;
  }
  return null;
}

export async function startGraphServer(o: GraphServerOptions) {
  let origin = "";
  let submitted = 0;

  const queryView = async (q: AuditLogQuery, now: number) => {
    const status = o.tenants.get(q.tenantId)?.variant.stuckRunning && q.status(now) !== "notStarted" ? "running" : q.status(now);
    const count = status === "succeeded" ? (await q.records(search)).length : null;
    return {
      "@odata.type": "#microsoft.graph.security.auditLogQuery",
      id: q.id,
      ...filterView(q.filter),
      status,
      approximateReturnedRecordCount: count,
      isRecordCountLimitExceeded: false,
      recordCountLimit: 1_000_000,
    };
  };
  const search = (q: AuditLogQuery, asOfMs: number): Promise<RecordRef[]> =>
    o.tenants.get(q.tenantId)!.log.searchInSteps(q.fromMs, q.toMs, asOfMs, recordMatcher(q.filter), o.closing);
  const entity = async (q: AuditLogQuery, base: string, now: number) => ({
    "@odata.context": `${origin}${base}/$metadata#security/auditLog/queries/$entity`,
    ...(await queryView(q, now)),
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "https://graph.local");
    const r = route(url.pathname, o.basePaths);
    const clientRequestId = req.headers["client-request-id"] as string | undefined;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      sendJson(res, status, JSON.stringify(body), { "Content-Type": ODATA_JSON, "request-id": randomUUID(), ...(clientRequestId ? { "client-request-id": clientRequestId } : {}), ...headers });
    try {
      if (!r) throw GraphErrors.noRoute(req.method ?? "GET", url.pathname);
      if (r.op === "truth") {
        const truth = o.truth(r.tenantId, url);
        if (truth === null) throw GraphErrors.notFound(`Tenant ${r.tenantId}`);
        send(200, truth);
        return;
      }
      const check = o.tokens.check(req.headers.authorization);
      if (!check.ok) throw req.headers.authorization ? GraphErrors.badToken(check.reason) : GraphErrors.noToken();
      if (check.token.audience !== GRAPH_AUDIENCE && check.token.audience !== origin) {
        throw GraphErrors.badToken(`Invalid audience '${check.token.audience}': request a token for ${GRAPH_AUDIENCE}.`);
      }
      const tenant = o.tenants.get(check.token.tenantId);
      if (!tenant) throw GraphErrors.badToken(`The token's tenant ${check.token.tenantId} is unknown to this service.`);
      const operation = `${req.method} ${r.op}`;
      tenant.requests[operation] = (tenant.requests[operation] ?? 0) + 1;
      const fault = o.faults.next();
      if (fault) {
        tenant.requests.faulted = (tenant.requests.faulted ?? 0) + 1;
        if (fault.kind === "reset") {
          req.socket.destroy();
          return;
        }
        throw fault.error;
      }
      const throttled = tenant.variant.alwaysThrottled ? GraphErrors.throttled(0, "the tenant's requests are throttled") : o.throttle.admit(tenant.tenantId, check.token.clientId);
      if (throttled) {
        tenant.requests.throttled = (tenant.requests.throttled ?? 0) + 1;
        throw throttled;
      }
      // the token's roles claim decides, as at Graph: consent given after the token was issued shows in the next one
      const roles = check.token.roles;
      if (!roles.some((x) => x === ALL_AUDIT_LOGS_ROLE || Object.values(WORKLOAD_ROLES).includes(x))) {
        throw GraphErrors.missingRole(`${ALL_AUDIT_LOGS_ROLE} (or a per-workload AuditLogsQuery-<workload>.Read.All)`, roles);
      }
      const now = o.nowMs();

      if (r.op === "queries") {
        if (req.method === "GET") {
          send(200, {
            "@odata.context": `${origin}${r.base}/$metadata#security/auditLog/queries`,
            value: await Promise.all([...tenant.queries.values()].map((q) => queryView(q, now))),
          });
          return;
        }
        if (req.method !== "POST") throw GraphErrors.methodNotAllowed(req.method ?? "");
        const filter = parseQueryFilter(await readBody(req, 256 * 1024));
        const missing = missingRole(filter, roles);
        if (missing) throw GraphErrors.missingRole(missing, roles);
        const queries = [...tenant.queries.values()];
        const limited = o.throttle.admitSubmission(queries.map((q) => q.createdMs), queries.filter((q) => !q.isFinished(now)).length, now);
        if (limited) throw limited;
        const log = tenant.log;
        const fromMs = Math.max(filter.fromMs ?? log.retentionStartMs, log.retentionStartMs);
        const toMs = filter.toMs ?? now;
        const fails = o.failedShare > 0 && unitHash(o.seed, "graph-query-fails", submitted++) < o.failedShare;
        // the range searched: the filter's, widened by the tenant's variant (an end the service counts in, and more)
        const slack = tenant.variant.rangeSlackMs;
        const q = new AuditLogQuery(randomUUID(), tenant.tenantId, filter, fromMs - slack, Math.max(fromMs, toMs) + slack, now, o.timing, fails);
        tenant.queries.set(q.id, q);
        q.startSearch(search);
        send(201, await entity(q, r.base, now), { Location: `${origin}${r.base}/security/auditLog/queries/${q.id}` });
        return;
      }

      if (req.method !== "GET") throw GraphErrors.methodNotAllowed(req.method ?? "");
      const q = tenant.queries.get(r.id);
      if (!q) throw GraphErrors.notFound(`Audit log query '${r.id}'`);
      if (r.op === "query") {
        if (tenant.variant.malformedGet) send(200, { "@odata.context": `${origin}${r.base}/$metadata#security/auditLog/queries/$entity` });
        else if (tenant.variant.wrappedGet) send(200, { value: await queryView(q, now) });
        else send(200, await entity(q, r.base, now));
        return;
      }

      // records: a query that has not succeeded has none to give (yet) — an empty page, not an error
      const topText = url.searchParams.get("$top");
      if (topText !== null && tenant.variant.refuseTop) throw GraphErrors.badRequest("The query option $top is not supported on the records of an audit log query.");
      const top = topText === null ? o.pageSize : Number(topText);
      if (!Number.isInteger(top) || top < 1 || top > MAX_TOP) throw GraphErrors.badRequest(`Invalid $top value '${topText}': use an integer from 1 to ${MAX_TOP}.`);
      const skipText = url.searchParams.get("$skiptoken");
      let offset = 0;
      if (skipText !== null) {
        const m = /^([0-9a-f-]{36})\.(\d+)$/.exec(Buffer.from(skipText, "base64url").toString("utf8"));
        if (!m || m[1] !== q.id) throw GraphErrors.badRequest(`The $skiptoken '${skipText}' is not valid for this query.`);
        offset = Number(m[2]);
      }
      const context = `${origin}${r.base}/$metadata#security/auditLog/queries('${q.id}')/records`;
      if (q.status(now) !== "succeeded") {
        send(200, { "@odata.context": context, value: [] });
        return;
      }
      const refs = await q.records(search);
      const page = refs.slice(offset, offset + top).map((ref) => graphRecordOf(tenant.log.record(ref)));
      const body: Record<string, unknown> = { "@odata.context": context, value: page };
      if (offset + top < refs.length) {
        const token = Buffer.from(`${q.id}.${offset + top}`, "utf8").toString("base64url");
        const next = new URL(`${origin}${r.base}/security/auditLog/queries/${q.id}/records`);
        if (topText !== null) next.searchParams.set("$top", String(top));
        next.searchParams.set("$skiptoken", token);
        body["@odata.nextLink"] = next.toString();
      }
      send(200, body);
    } catch (e) {
      const error = e instanceof GraphError ? e : new GraphError(500, "InternalServerError", `The emulator failed: ${(e as Error).message}`);
      sendJson(res, error.status, error.body(clientRequestId), { "Content-Type": ODATA_JSON, ...error.headers });
    }
  };

  const server = createServer({ key: o.tls.keyPem, cert: o.tls.certPem }, (req, res) => {
    void handle(req, res);
  }) as HttpsServer;
  server.keepAliveTimeout = 30_000;
  const listening = await listen(server as unknown as Server, o.host, o.port);
  origin = listening.url.replace(/^http:/, "https:");
  return { url: origin, close: listening.close };
}
