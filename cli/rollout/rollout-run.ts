// `rollout` as a use case: the MSSP's client tenants of one config through the onboarding steps — one deployment for
// all of them (terraform holds one lock per stack: clients deploying the platform stack at once would queue or
// clash), then each client's access → plan run → catch-up with bounded parallelism. A failing client is recorded with
// its error and advice; the others go on.
import { loadDeploymentConfig, DeploymentConfigError, type DeploymentConfig, type Tenant } from "../../infra/config/load";
import type { TenantDiscoveryOptions } from "../../infra/config/tenant-discovery";
import { forEachConcurrent } from "../../functions/src/use-cases/concurrency";
import { CliError } from "../output/cli-error";
import { ExitCode } from "../output/exit-codes";
import type { TenantAccessView } from "../onboard/onboarding-app";
import type { DeploymentOutcome } from "../onboard/tenant-deployment";
import { onboardDeployedTenant, type OnboardingEvents } from "../onboard/tenant-onboarding";
import type { OnboardingSteps } from "../onboard/onboard-run";
import { existsSync } from "node:fs";
import { resolveTenant } from "../tenants/resolve-tenant";

export interface RolloutRequest {
  configPath: string;
  /** Keys, tenant ids or domains; default every msspClient tenant of the config. */
  clients?: string[];
  parallel: number;
  dryRun?: boolean;
}

export interface RolloutWiring extends OnboardingSteps {
  discovery: TenantDiscoveryOptions;
  /** Progress per client. */
  events?: (client: Tenant) => OnboardingEvents & { consent?(url: string): void };
}

export interface ClientResult {
  key: string;
  tenantId: string;
  displayName: string;
  ok: boolean;
  enqueued?: number;
  pending?: number;
  failed?: number;
  /** The largest lag over the client's content types, in minutes. */
  lagMinutes?: number | null;
  consentUrl?: string;
  error?: ReturnType<CliError["toJSON"]>;
}

export interface RolloutOutcome {
  ok: boolean;
  dryRun: boolean;
  config: string;
  plan: string[];
  deployment?: DeploymentOutcome;
  clients: ClientResult[];
}

export async function rollout(request: RolloutRequest, w: RolloutWiring): Promise<RolloutOutcome> {
  const config = await load(request.configPath, w.discovery);
  const clients = await select(config, request.clients, w.discovery);
  const plan = [
    ...w.plannedDeployment.plan(config, clients),
    `for each of ${clients.map((c) => c.key).join(", ")} (${request.parallel} at a time): wait until ready (printing the consent URL), plan run, follow health until caught up`,
  ];
  const outcome: RolloutOutcome = { ok: true, dryRun: Boolean(request.dryRun), config: config.file, plan, clients: [] };
  if (request.dryRun) {
    outcome.clients = clients.map((c) => ({ key: c.key, tenantId: c.tenantId, displayName: c.displayName, ok: true }));
    return outcome;
  }

  const { app, deployment } = await w.connect();
  await deployment.check();
  outcome.deployment = await deployment.apply(config, clients);
  const results = new Map<string, ClientResult>();
  await forEachConcurrent(clients, request.parallel, async (client) => {
    const result: ClientResult = { key: client.key, tenantId: client.tenantId, displayName: client.displayName, ok: false };
    results.set(client.key, result);
    const events = w.events?.(client);
    const access = (a: TenantAccessView) => {
      const url = !a.token.ok || a.missingRoles.length ? w.consentUrl(a) : undefined;
      if (url && !result.consentUrl) {
        result.consentUrl = url;
        events?.consent?.(url);
      }
      events?.access?.(a);
    };
    try {
      const done = await onboardDeployedTenant(app, client.tenantId, { ...w, events: { ...events, access } });
      Object.assign(result, {
        ok: true,
        enqueued: done.enqueued,
        pending: done.health.reduce((n, r) => n + r.pending, 0),
        failed: done.health.reduce((n, r) => n + r.failed, 0),
        lagMinutes: done.health.reduce<number | null>((m, r) => (r.lagMinutes === null || m === null ? null : Math.max(m, r.lagMinutes)), 0),
      });
    } catch (e) {
      const error = e instanceof CliError ? e : new CliError("Unexpected", (e as Error)?.message ?? String(e), "This is a bug in m365-audit-lake: report it with the command you ran.", ExitCode.Failed);
      result.error = error.toJSON();
    }
  });
  outcome.clients = clients.map((c) => results.get(c.key)!);
  outcome.ok = outcome.clients.every((c) => c.ok);
  return outcome;
}

async function load(file: string, discovery: TenantDiscoveryOptions): Promise<DeploymentConfig> {
  if (!existsSync(file)) throw new CliError("ConfigNotFound", `The deployment config ${file} does not exist.`, "Pass --config <file>; infra/examples/mssp.yaml shows an MSSP config.", ExitCode.NotFound);
  try {
    return await loadDeploymentConfig(file, { discovery });
  } catch (e) {
    if (!(e instanceof DeploymentConfigError)) throw e;
    throw new CliError(e.code, `${file} is not a valid deployment config.`, "Fix each field listed (the line says how) and run again; infra/examples/mssp.yaml shows every field.", ExitCode.Usage, e.problems);
  }
}

async function select(config: DeploymentConfig, names: string[] | undefined, discovery: TenantDiscoveryOptions): Promise<Tenant[]> {
  if (!names || names.length === 0) {
    const clients = config.tenants.filter((t) => t.identity === "msspClient");
    if (clients.length === 0) {
      throw new CliError("NoClients", `${config.file} lists no MSSP client tenant (identity: msspClient).`, "Add client tenants to the config (m365-audit-lake onboard --mssp adds one), or name tenants with --clients.", ExitCode.Usage);
    }
    return clients;
  }
  // a domain the config lists by id is found through discovery, as onboard --tenant finds it
  const ids = new Map<string, string>();
  for (const n of names) {
    if (config.tenants.some((t) => [t.key, t.tenantId, t.domain].includes(n.trim().toLowerCase())) || !n.includes(".")) continue;
    const found = await resolveTenant(n, { ...discovery, cloud: config.platform.azureCloud }).catch(() => undefined);
    if (found) ids.set(n, found.tenantId);
  }
  const match = (t: Tenant, n: string) => [t.key, t.tenantId, t.domain].includes(n.trim().toLowerCase()) || ids.get(n) === t.tenantId;
  const unknown = names.filter((n) => !config.tenants.some((t) => match(t, n)));
  if (unknown.length) {
    throw new CliError(
      "UnknownClient",
      `${config.file} lists no tenant named ${unknown.map((n) => `'${n}'`).join(", ")}.`,
      `Name clients by key, tenant id or domain: ${config.tenants.map((t) => t.key).join(", ")}.`,
      ExitCode.Usage,
    );
  }
  return config.tenants.filter((t) => names.some((n) => match(t, n)));
}
