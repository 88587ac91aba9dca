// `onboard` as a use case: resolve the tenant, add it to the config (validated, atomic), deploy, then the tenant's
// onboarding proper (access → plan run → catch-up). --dry-run stops after validation with the ordered plan.
import type { Tenant } from "../../infra/config/load";
import type { TenantDiscoveryOptions } from "../../infra/config/tenant-discovery";
import { CliError } from "../output/cli-error";
import { ExitCode } from "../output/exit-codes";
import { resolveTenant, TenantResolveError, type ResolveTenantOptions } from "../tenants/resolve-tenant";
import { tenantAddition, writeTenantAddition, type TenantCloud } from "../tenants/tenant-addition";
import type { OnboardingApp, TenantAccessView } from "./onboarding-app";
import { onboardDeployedTenant, type OnboardingEvents, type TenantOnboardingResult } from "./tenant-onboarding";
import type { DeploymentOutcome, TenantDeployment } from "./tenant-deployment";

export interface OnboardRequest {
  tenant: string;
  name?: string;
  key?: string;
  cloud?: TenantCloud;
  mssp?: boolean;
  configPath: string;
  dryRun?: boolean;
}

/** What onboarding one tenant and rolling out many both stand on. */
export interface OnboardingSteps {
  /** The deployment a run would make, for the dry-run plan (offline). */
  plannedDeployment: TenantDeployment;
  /** The app and the deployment to make; asked for only after the dry-run point. */
  connect: () => Promise<{ app: OnboardingApp; deployment: TenantDeployment }>;
  advise: (access: TenantAccessView) => string[];
  /** The admin-consent URL of a client tenant, once the app named its client id. */
  consentUrl: (access: TenantAccessView) => string | undefined;
  accessTimeoutMs: number;
  catchUpTimeoutMs: number;
  pollMs: number;
}

export interface OnboardWiring extends OnboardingSteps {
  /** How a domain is resolved (login host and its CA). */
  login: ResolveTenantOptions & TenantDiscoveryOptions;
  events?: OnboardingEvents & { consent?(url: string): void };
}

export interface OnboardOutcome {
  dryRun: boolean;
  tenantId: string;
  domain?: string;
  key: string;
  database: string;
  identity: Tenant["identity"];
  config: { file: string; changed: boolean };
  /** The ordered steps (what a dry run would do; what this run did). */
  plan: string[];
  deployment?: DeploymentOutcome;
  consentUrl?: string;
  onboarding?: TenantOnboardingResult;
}

export async function onboard(request: OnboardRequest, w: OnboardWiring): Promise<OnboardOutcome> {
  w.events?.stage?.("resolve", request.tenant);
  const resolved = await resolveTenant(request.tenant, { ...w.login, cloud: w.login.cloud }).catch((e: unknown) => {
    if (!(e instanceof TenantResolveError)) throw e;
    const exit = e.kind === "invalid-input" ? ExitCode.Usage : e.kind === "unknown-tenant" ? ExitCode.NotFound : ExitCode.Failed;
    throw new CliError(e.kind === "unknown-tenant" ? "UnknownTenant" : "TenantNotResolved", e.message, "Pass the tenant id (a GUID) or a verified domain of the tenant; nothing was changed.", exit);
  });

  w.events?.stage?.("config", request.configPath);
  const addition = await tenantAddition(
    request.configPath,
    { tenantId: resolved.tenantId, domain: resolved.domain, name: request.name, key: request.key, cloud: request.cloud, mssp: request.mssp },
    { discovery: { authorityHost: w.login.authorityHost, caPem: w.login.caPem, timeoutMs: w.login.timeoutMs } },
  );
  const { tenant } = addition;
  const plan = [
    addition.changed ? `add tenant ${tenant.tenantId} (key ${tenant.key}, ${tenant.identity}) to ${addition.file}` : `${addition.file} already lists tenant ${tenant.tenantId} (key ${tenant.key}): unchanged`,
    ...w.plannedDeployment.plan(addition.config, [tenant]),
    ...(tenant.identity === "msspClient" ? [`print the admin-consent URL for tenant ${tenant.tenantId}`] : []),
    `wait until the app reports tenant ${tenant.tenantId} ready (token, roles, subscriptions) — up to ${Math.round(w.accessTimeoutMs / 1000)} s`,
    "ask the app for a plan run (POST /api/operator/plan)",
    `follow /api/health until every content type has caught up — up to ${Math.round(w.catchUpTimeoutMs / 1000)} s`,
  ];
  const outcome: OnboardOutcome = {
    dryRun: Boolean(request.dryRun),
    tenantId: tenant.tenantId,
    ...(resolved.domain ? { domain: resolved.domain } : {}),
    key: tenant.key,
    database: w.plannedDeployment.databaseOf(tenant),
    identity: tenant.identity,
    config: { file: addition.file, changed: addition.changed },
    plan,
  };
  if (request.dryRun) return outcome;

  // an app that cannot be found, a missing terraform or local host: nothing changed yet, the config included
  const { app, deployment } = await w.connect();
  await deployment.check();
  writeTenantAddition(addition);
  w.events?.stage?.("deploy", deployment.where);
  outcome.deployment = await deployment.apply(addition.config, [tenant]);

  let consentShown = false;
  const access = (a: TenantAccessView) => {
    // a client tenant's admin consents through this URL: printed once, when the app gets no token or one without roles
    const url = tenant.identity === "msspClient" && (!a.token.ok || a.missingRoles.length > 0) ? w.consentUrl(a) : undefined;
    if (url && !consentShown) {
      consentShown = true;
      outcome.consentUrl = url;
      w.events?.consent?.(url);
    }
    w.events?.access?.(a);
  };
  try {
    outcome.onboarding = await onboardDeployedTenant(app, tenant.tenantId, {
      accessTimeoutMs: w.accessTimeoutMs,
      catchUpTimeoutMs: w.catchUpTimeoutMs,
      pollMs: w.pollMs,
      advise: w.advise,
      events: { ...w.events, access },
    });
  } catch (e) {
    if (e instanceof CliError && outcome.consentUrl && !e.details.includes(outcome.consentUrl)) e.details.push(`admin-consent URL: ${outcome.consentUrl}`);
    throw e;
  }
  return outcome;
}
