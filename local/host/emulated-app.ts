// The app settings of a Function App deployed over the emulated cloud: what `npm run host` and the tests run it on.
import type { EmulatedCloud } from "../cloud";
import { appSettings, type AppSettings } from "../runner/app-settings";

export function emulatedAppSettings(cloud: EmulatedCloud, opts: { tenants?: EmulatedCloud["tenants"]; sentinel?: boolean } = {}): AppSettings {
  return appSettings({
    storageConnectionString: cloud.storage.connectionString,
    managementApiUrl: cloud.managementApi,
    loginUrl: cloud.login,
    loginCaFile: cloud.ca,
    tenants: opts.tenants ?? cloud.tenants,
    adxIngestUri: cloud.adx,
    sentinel: opts.sentinel ? { endpoint: cloud.logsIngestion, ...cloud.sentinel, caFile: cloud.ca } : undefined,
  });
}
