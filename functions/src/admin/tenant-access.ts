// "Can the app read this tenant's audit feed?", answered by the app with its own identity: the operator's machine
// cannot get a client tenant's token. Token and its roles, each configured subscription, the last plan error; with
// back-fill enabled, the Graph token and its audit-query roles besides (`ready` stays about the live feed).
import type { TokenCredential } from "@azure/identity";
import type { TenantConfig } from "../config";
import { GRAPH_SCOPE } from "../graph-audit";
import { cloudEndpoints, createManagementCredential, type CloudName, type ManagementActivityClient } from "../management-api";
import type { RefreshingGetTokenOptions } from "../management-api/token-policy";
import type { CheckpointStore } from "../state/checkpoints";
import { isServiceError } from "../service-error";
import { forEachConcurrent } from "../use-cases/concurrency";
import { tokenRoles } from "./token-roles";

export type SubscriptionStatus = "enabled" | "disabled" | "none" | "unknown";

type TokenCheck = { ok: true; roles: string[] } | { ok: false; code: string; message: string };

/** Graph's application role that reads every workload's audit log; per workload: AuditLogsQuery-<workload>.Read.All. */
export const AUDIT_QUERY_ROLE = "AuditLogsQuery.Read.All";
const WORKLOAD_QUERY_ROLE = /^AuditLogsQuery-[A-Za-z]+\.Read\.All$/;

/** Back-fill's own access: a Graph token holding an audit-query role (a separate consent from the live feed's). */
export interface BackfillAccess {
  token: TokenCheck;
  /** AuditLogsQuery.Read.All when the token holds no audit-query role at all. */
  missingRoles: string[];
  /** Per-workload roles only: back-fill reads those workloads' records alone. */
  workloadRoles: string[];
  ready: boolean;
}

export interface TenantAccess {
  tenantId: string;
  name?: string;
  cloud: CloudName;
  /** The app (client) id that must be consented in the tenant; null for the app's own managed identity. */
  clientId: string | null;
  token: TokenCheck;
  missingRoles: string[];
  subscriptions: Array<{ contentType: string; status: SubscriptionStatus; error?: { code: string; message: string } }>;
  lastPlanError: { at: string; contentType: string; message: string } | null;
  /** About the live feed only. */
  ready: boolean;
  /** null (or absent, from an older app) when back-fill is not enabled for the tenant. */
  backfill?: BackfillAccess | null;
  advice: string[];
}

export interface TenantAccessReport {
  checkedAt: string;
  tenants: TenantAccess[];
}

export interface TenantAccessDeps {
  tenants: readonly TenantConfig[];
  clients: ReadonlyMap<string, { client: Pick<ManagementActivityClient, "listSubscriptions"> }>;
  checkpoints: Pick<CheckpointStore, "list">;
  now?: () => Date;
}

const CHECK_CONCURRENCY = 8;

export class TenantAccessCheck {
  // One credential per tenant, kept so its token cache is reused; each check still asks for a fresh token.
  private readonly credentials = new Map<string, TokenCredential>();
  private readonly graphCredentials = new Map<string, TokenCredential>();

  constructor(private readonly deps: TenantAccessDeps) {}

  async check(tenants: readonly TenantConfig[] = this.deps.tenants): Promise<TenantAccessReport> {
    const checkpoints = await this.deps.checkpoints.list();
    const checkedAt = (this.deps.now?.() ?? new Date()).toISOString();
    // an MSSP app serves dozens of tenants: a few token requests and listings at a time, answered in config order
    const results = new Map<TenantConfig, TenantAccess>();
    await forEachConcurrent(tenants, CHECK_CONCURRENCY, async (t) => void results.set(t, await this.checkOne(t, checkpoints)));
    return { checkedAt, tenants: tenants.map((t) => results.get(t)!) };
  }

  private async checkOne(t: TenantConfig, checkpoints: Awaited<ReturnType<CheckpointStore["list"]>>): Promise<TenantAccess> {
    const endpoints = cloudEndpoints(t.cloud);
    const advice: string[] = [];
    const [token, backfill] = await Promise.all([this.token(t, endpoints.authorityHost, endpoints.tokenScope, this.credentials), t.backfill ? this.backfillAccess(t, endpoints.authorityHost) : null]);
    const required = ["ActivityFeed.Read", ...(t.contentTypes.includes("DLP.All") ? ["ActivityFeed.ReadDlp"] : [])];
    const missingRoles = token.ok ? required.filter((r) => !token.roles.includes(r)) : [];

    let subscriptions: TenantAccess["subscriptions"];
    if (!token.ok) {
      subscriptions = t.contentTypes.map((contentType) => ({ contentType, status: "unknown", error: { code: token.code, message: "no token: the subscriptions could not be read" } }));
    } else {
      try {
        const listed = await this.deps.clients.get(t.tenantId)!.client.listSubscriptions();
        subscriptions = t.contentTypes.map((contentType) => {
          const found = listed.find((s) => s.contentType.toLowerCase() === contentType.toLowerCase());
          const status = found?.status.toLowerCase();
          if (status === "enabled") return { contentType, status: "enabled" };
          if (found) return { contentType, status: "disabled", error: { code: "AF20023", message: `The ${contentType} subscription is ${found.status}.` } };
          return { contentType, status: "none", error: { code: "AF20022", message: `No ${contentType} subscription exists yet (the planner starts it).` } };
        });
      } catch (error) {
        const { code, message } = describe(error);
        if (isServiceError(error) && error.advice) advice.push(error.advice);
        subscriptions = t.contentTypes.map((contentType) => ({ contentType, status: "unknown", error: { code, message } }));
      }
    }

    const lastPlanError = unresolvedPlanError(t.tenantId, checkpoints);
    const ready = token.ok && missingRoles.length === 0 && subscriptions.every((s) => s.status === "enabled");
    if (!token.ok) advice.push(`The app could not get a token for tenant ${t.tenantId} (${token.code}).`);
    if (missingRoles.length) advice.push(`The app's token lacks ${missingRoles.join(" and ")}: grant the role(s) of Office 365 Management APIs and admin consent.`);
    if (backfill && !backfill.token.ok) advice.push(`Back-fill: the app could not get a Microsoft Graph token for tenant ${t.tenantId} (${backfill.token.code}).`);
    if (backfill?.missingRoles.length) advice.push(`Back-fill: the app's Graph token lacks ${AUDIT_QUERY_ROLE}: grant the Microsoft Graph application role and admin consent again.`);
    return {
      tenantId: t.tenantId,
      cloud: t.cloud,
      clientId: t.credential.kind === "managedIdentity" ? null : t.credential.clientId,
      token,
      missingRoles,
      subscriptions,
      lastPlanError,
      ready,
      backfill,
      advice: [...new Set(advice)],
    };
  }

  private async backfillAccess(t: TenantConfig, authorityHost: string): Promise<BackfillAccess> {
    const token = await this.token(t, authorityHost, GRAPH_SCOPE, this.graphCredentials);
    const roles = token.ok ? token.roles : [];
    const all = roles.includes(AUDIT_QUERY_ROLE);
    const workloadRoles = all ? [] : roles.filter((r) => WORKLOAD_QUERY_ROLE.test(r));
    const missingRoles = token.ok && !all && workloadRoles.length === 0 ? [AUDIT_QUERY_ROLE] : [];
    return { token, missingRoles, workloadRoles, ready: token.ok && missingRoles.length === 0 };
  }

  private async token(t: TenantConfig, authorityHost: string, scope: string, cache: Map<string, TokenCredential>): Promise<TokenCheck> {
    try {
      // inside the try: a credential that cannot even be built (a certificate file missing) is this tenant's answer
      let credential = cache.get(t.tenantId);
      if (!credential) {
        credential = createManagementCredential(t.tenantId, t.credential, { authorityHost: t.loginUrl ?? authorityHost, tokenScope: scope });
        cache.set(t.tenantId, credential);
      }
      // A fresh token: consent or a role granted since the last check must show now, not when the cached one expires.
      const options: RefreshingGetTokenOptions = { forceRefresh: true };
      const access = await credential.getToken(scope, options);
      if (!access?.token) return { ok: false, code: "NoToken", message: "The credential returned no token." };
      return { ok: true, roles: tokenRoles(access.token) };
    } catch (error) {
      return { ok: false, ...describe(error) };
    }
  }
}

/** Entra's errors carry their AADSTS code in the message; the Management API's theirs in `code`. */
function describe(error: unknown): { code: string; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  const aadsts = /AADSTS(\d+)/.exec(message);
  const code = aadsts ? `AADSTS${aadsts[1]}` : isServiceError(error) ? error.code : ((error as { code?: string })?.code ?? (error as Error)?.name ?? "Error");
  // Entra's own sentence, without MSAL's wrapping and the trace and correlation ids around it
  const entra = /AADSTS\d+: (.*?)(?: Trace ID:| - Timestamp:|$)/s.exec(message);
  return { code, message: (entra ? entra[1] : message.split(/\r?\n/)[0]).trim().slice(0, 600) };
}

/** The latest plan error of the tenant not followed by a successful run of the same content type. */
function unresolvedPlanError(tenantId: string, checkpoints: Awaited<ReturnType<CheckpointStore["list"]>>): TenantAccess["lastPlanError"] {
  let latest: TenantAccess["lastPlanError"] = null;
  for (const c of checkpoints) {
    if (c.tenantId.toLowerCase() !== tenantId.toLowerCase() || !c.lastErrorAt || !c.lastError) continue;
    if (c.lastSuccessAt && c.lastSuccessAt >= c.lastErrorAt) continue;
    if (!latest || c.lastErrorAt.toISOString() > latest.at) latest = { at: c.lastErrorAt.toISOString(), contentType: c.contentType, message: c.lastError };
  }
  return latest;
}
