// The app settings of a Function App deployed over the emulated cloud: what `npm run host` and the tests run it on.
import type { EmulatedCloud } from "../cloud";
import { appSettings, type AppSettings } from "../runner/app-settings";

export function emulatedAppSettings(cloud: EmulatedCloud, opts: { tenants?: EmulatedCloud["tenants"]; sentinel?: boolean; backfill?: boolean } = {}): AppSettings {
  const settings = appSettings({
    storageConnectionString: cloud.storage.connectionString,
    managementApiUrl: cloud.managementApi,
    loginUrl: cloud.login,
    loginCaFile: cloud.ca,
    tenants: opts.tenants ?? cloud.tenants,
    adxIngestUri: cloud.adx,
    sentinel: opts.sentinel ? { endpoint: cloud.logsIngestion, ...cloud.sentinel, caFile: cloud.ca } : undefined,
  });
  if (opts.backfill === false) return settings;
  // back-fill on for every tenant, through the emulated cloud's Graph (its per-run CA signs it)
  const tenants = (JSON.parse(settings.AUDIT_LAKE_TENANTS) as Array<Record<string, unknown>>).map((t) => ({ ...t, backfill: true }));
  return { ...settings, AUDIT_LAKE_TENANTS: JSON.stringify(tenants), GRAPH_AUDIT_BASE_URL: `${cloud.graph}/v1.0`, GRAPH_AUDIT_CA_FILE: cloud.ca };
}
