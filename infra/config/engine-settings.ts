// The Function App's app settings, derived from the deployment config. The names are the ones the engine reads
// (functions/src/config.ts, functions/src/sinks/platform-credential.ts) and the Functions host's identity-based
// storage settings; no connection string and no secret is among them.
import type { DeploymentConfig } from "./load";
import { clusterIngestUri } from "./naming";

export interface EngineSettingsInputs {
  /** The storage account's own service endpoints (primary_*_endpoint): right in every Azure cloud. */
  storageEndpoints: { blob: string; queue: string; table: string };
  identityClientId: string;
  /** The MSSP app's client id, when any tenant is an MSSP client. */
  msspAppClientId?: string;
  sentinel?: { dceUri: string; dcrImmutableId: string; streamName: string };
}

/** The engine's per-tenant entry of AUDIT_LAKE_TENANTS. */
export interface EngineTenantEntry {
  tenantId: string;
  cloud: string;
  credential: { kind: "managedIdentity"; clientId: string } | { kind: "federated"; clientId: string; managedIdentityClientId: string };
  contentTypes: string[];
  database: string;
  publisherId: string;
  backfill?: true;
  /** Only this tenant's mail-access rows go to the Sentinel destination, which is its own workspace. */
  forwardMailAccess?: true;
}

/** Whether a tenant's mail-access rows go to its own Sentinel workspace. */
export const forwardsMailAccess = (t: DeploymentConfig["tenants"][number]) => t.sentinel.workspace !== "none" && t.sentinel.forwardMailAccess;

export function engineTenants(config: DeploymentConfig, inputs: Pick<EngineSettingsInputs, "identityClientId" | "msspAppClientId">): EngineTenantEntry[] {
  return config.tenants.map((t) => ({
    tenantId: t.tenantId,
    cloud: t.cloud,
    credential:
      t.identity === "ownTenant"
        ? { kind: "managedIdentity", clientId: inputs.identityClientId }
        : { kind: "federated", clientId: inputs.msspAppClientId!, managedIdentityClientId: inputs.identityClientId },
    contentTypes: t.contentTypes,
    database: t.database,
    // Microsoft's rule for ISVs and MSSPs: send the publisher's own tenant id, so throttling counts against it.
    publisherId: config.platform.tenantId.toLowerCase(),
    ...(t.backfill ? { backfill: true as const } : {}),
    ...(forwardsMailAccess(t) ? { forwardMailAccess: true as const } : {}),
  }));
}

export function engineSettings(config: DeploymentConfig, inputs: EngineSettingsInputs): Record<string, string> {
  return {
    // Identity-based host storage: the account's service URIs (__accountName is valid in Azure public cloud only, Learn
    // functions-reference), the credential kind and which user-assigned identity.
    AzureWebJobsStorage__blobServiceUri: inputs.storageEndpoints.blob,
    AzureWebJobsStorage__queueServiceUri: inputs.storageEndpoints.queue,
    AzureWebJobsStorage__tableServiceUri: inputs.storageEndpoints.table,
    AzureWebJobsStorage__credential: "managedidentity",
    AzureWebJobsStorage__clientId: inputs.identityClientId,
    AZURE_CLIENT_ID: inputs.identityClientId,
    // APPLICATIONINSIGHTS_CONNECTION_STRING is added by the site template itself (ingestion-app.ts): the provider marks
    // it sensitive, and any value that embeds it would hide every app setting in the plan.
    // Telemetry is accepted with an Entra token only (local auth is off on the component).
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: `Authorization=AAD;ClientId=${inputs.identityClientId}`,
    AUDIT_LAKE_TENANTS: JSON.stringify(engineTenants(config, inputs)),
    ADX_INGEST_URI: clusterIngestUri(config.platform),
    ADX_INGEST_MODE: "queued",
    CONTENT_QUEUE: "audit-content",
    // Keeps the engine's peak memory near 260 MB instead of ~320 MB (see README, Figures).
    languageWorkers__node__arguments: "--max-semi-space-size=4",
    ...(inputs.sentinel
      ? { SENTINEL_DCE_URI: inputs.sentinel.dceUri, SENTINEL_DCR_ID: inputs.sentinel.dcrImmutableId, SENTINEL_STREAM: inputs.sentinel.streamName }
      : {}),
  };
}
