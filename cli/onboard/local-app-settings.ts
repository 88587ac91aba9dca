// What a deployment does to the Function App's settings, done to a local host: the config's tenants become entries of
// AUDIT_LAKE_TENANTS. In Azure the platform stack writes them (infra/config/engine-settings.ts); the emulated cloud has
// no managed identity, so a new entry borrows the credential of one already there — as every MSSP client tenant uses
// the one multi-tenant app, consented per client.
import type { DeploymentConfig, Tenant } from "../../infra/config/load";
import { databaseFor } from "../../local/runner/app-settings";
import { CliError } from "../output/cli-error";
import { ExitCode } from "../output/exit-codes";

type TenantEntry = { tenantId: string; cloud?: string; contentTypes?: string[]; database: string; credential: unknown; [field: string]: unknown };

export interface LocalSettingsChange {
  /** The settings to change (only AUDIT_LAKE_TENANTS); empty when every tenant is already there. */
  settings: Record<string, string>;
  added: string[];
}

/** The AUDIT_LAKE_TENANTS that serves `tenants` of the config as well as what the host serves now. */
export function localTenantSettings(current: Record<string, string | undefined>, config: DeploymentConfig, tenants: Tenant[] = config.tenants): LocalSettingsChange {
  let entries: TenantEntry[];
  try {
    entries = JSON.parse(current.AUDIT_LAKE_TENANTS ?? "") as TenantEntry[];
    if (!Array.isArray(entries) || entries.length === 0) throw new Error("not a non-empty list");
  } catch (e) {
    throw new CliError(
      "LocalHostUnconfigured",
      `The local Functions host's AUDIT_LAKE_TENANTS is unusable (${(e as Error).message}), so there is no app identity to serve the new tenant with.`,
      "Start the local host with at least one tenant (npm run host does), then run onboard again.",
      ExitCode.Prerequisite,
    );
  }
  const template = entries[0];
  const added: string[] = [];
  for (const t of tenants) {
    if (entries.some((e) => e.tenantId.toLowerCase() === t.tenantId)) continue;
    entries.push({
      ...template,
      tenantId: t.tenantId,
      cloud: t.cloud,
      contentTypes: t.contentTypes,
      // the emulated cluster holds one database per emulated tenant, named by its id (the tenant stack's work in Azure)
      database: databaseFor(t.tenantId),
    });
    added.push(t.tenantId);
  }
  return { settings: added.length ? { AUDIT_LAKE_TENANTS: JSON.stringify(entries) } : {}, added };
}
