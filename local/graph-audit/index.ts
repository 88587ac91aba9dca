// Microsoft Graph audit log query API emulator (/security/auditLog/queries) on 127.0.0.1 over HTTPS, serving the
// emulated tenants' audit log back `retentionDays`: the Management API emulator's week (same records, same Ids, for
// the same seed, users and anchor) and the older history before it. See README.md for the facts it follows.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tenantIdentity } from "../management-api/scenario/tenant-identity";
import { TokenStore } from "../management-api/tokens";
import { createLocalTls } from "../tls";
import { GraphTruth } from "./ground-truth";
import { PLAIN_VARIANT, resolveGraphOptions, type GraphAuditEmulatorOptions } from "./options";
import { RequestThrottle } from "./request-throttle";
import { ServiceFaults } from "./service-faults";
import { GRAPH_AUDIENCE, startGraphServer, type GraphTenant } from "./server";
import { TenantAuditLog } from "./tenant-audit-log";
import { ALL_AUDIT_LOGS_ROLE } from "./record-types";

export { GraphEmulatorOptionsError, type GraphAuditEmulatorOptions, type GraphVariant } from "./options";
export type { TruthFilter, TruthRecord } from "./ground-truth";
export { GRAPH_AUDIENCE } from "./server";

export interface GraphAuditEmulator {
  /** https://127.0.0.1:P — the API is at {url}{basePath}/security/auditLog/queries. */
  url: string;
  basePaths: string[];
  /** The CA that signed the server certificate: trust it (core-rest-pipeline tlsOptions.ca). */
  caPem: string;
  tenants: Array<{ tenantId: string; clientId: string; domain: string }>;
  /** The instant the emulated week ends at (as the Management API emulator's anchor). */
  anchor: Date;
  tokens: TokenStore;
  /** A bearer token for the tenant's app with the Graph audience, as the login emulator would issue it. */
  issueToken(tenantIndex: number): { token: string; expiresOnTimestamp: number };
  truth: GraphTruth;
  close(): Promise<void>;
}

export async function startGraphAuditEmulator(opts: GraphAuditEmulatorOptions = {}): Promise<GraphAuditEmulator> {
  const o = resolveGraphOptions(opts);
  const nowMs = () => o.now().getTime();
  // floored to the minute like the Management API emulator's, so both started at one instant share the week
  const anchorMs = Math.floor((opts.anchor ?? o.now()).getTime() / 60_000) * 60_000;
  const tokens = opts.tokens ?? new TokenStore();
  const tls = opts.tls ?? (await createLocalTls(join(mkdtempSync(join(tmpdir(), "graph-audit-")), "ca.pem")));

  const tenants = new Map<string, GraphTenant>();
  const identities = Array.from({ length: o.tenants }, (_, i) => tenantIdentity(o.seed, i, o.multiTenantApp));
  for (const identity of identities) {
    // the consent's Graph roles live with the login's tokens: Graph reads them from the token, as the real one does
    tokens.grant(identity.tenantId, GRAPH_AUDIENCE, opts.grantedRoles?.[identity.index] ?? [ALL_AUDIT_LOGS_ROLE]);
    tenants.set(identity.tenantId, {
      tenantId: identity.tenantId,
      log: new TenantAuditLog({ seed: o.seed, index: identity.index, users: o.users, anchorMs, multiTenantApp: o.multiTenantApp, retentionDays: o.retentionDays }),
      queries: new Map(),
      requests: {},
      variant: { ...PLAIN_VARIANT, ...o.variants[String(identity.index)] },
    });
  }
  const truth = new GraphTruth(tenants, nowMs);
  const throttle = new RequestThrottle({
    seed: o.seed,
    requestsPerWindow: o.requestsPerWindow,
    windowMs: o.requestWindowMs,
    throttleShare: o.throttleShare,
    injectedRetryAfterSeconds: o.injectedRetryAfterSeconds,
    maxQueriesPerDay: o.maxQueriesPerDay,
    maxUnfinishedQueries: o.maxUnfinishedQueries,
  });
  const closing = new AbortController();
  const server = await startGraphServer({
    host: o.host,
    port: o.port,
    tls,
    tenants,
    tokens,
    throttle,
    faults: new ServiceFaults({ seed: o.seed, serverErrorShare: o.serverErrorShare, resetShare: o.resetShare, retryAfterSeconds: o.injectedRetryAfterSeconds }),
    basePaths: o.basePaths,
    pageSize: o.pageSize,
    timing: o.queryTiming,
    failedShare: o.failedShare,
    seed: o.seed,
    nowMs,
    closing: closing.signal,
    truth: (tenantId, url) => truth.view(tenantId, url),
  });

  return {
    url: server.url,
    basePaths: o.basePaths,
    caPem: tls.caPem,
    tenants: identities.map((t) => ({ tenantId: t.tenantId, clientId: t.clientId, domain: t.domain })),
    anchor: new Date(anchorMs),
    tokens,
    issueToken: (tenantIndex) => {
      const t = identities[tenantIndex];
      if (!t) throw new Error(`no emulated tenant ${tenantIndex}: the emulator has ${identities.length}`);
      const { raw, token } = tokens.issue(t.tenantId, t.clientId, GRAPH_AUDIENCE, o.tokenLifetimeSeconds, tokens.granted(t.tenantId, GRAPH_AUDIENCE) ?? []);
      return { token: raw, expiresOnTimestamp: token.expiresAtMs };
    },
    truth,
    close: () => {
      closing.abort();
      return server.close();
    },
  };
}
