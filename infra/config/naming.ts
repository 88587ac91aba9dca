// Resource names derived from the config, in one place: stacks look each other's resources up by these names, so the
// platform and tenant stacks never need each other's state.
import { createHash } from "node:crypto";
import type { PlatformConfig } from "./schema";

/** Six characters that make globally unique names (storage account, site) stable per subscription and prefix. */
function suffix(p: PlatformConfig): string {
  return createHash("sha256").update(`${p.subscriptionId}/${p.prefix}`).digest("hex").slice(0, 6);
}

export interface PlatformNames {
  resourceGroup: string;
  identity: string;
  storageAccount: string;
  deploymentContainer: string;
  servicePlan: string;
  functionApp: string;
  logAnalytics: string;
  appInsights: string;
  /** The ADX cluster (new: ours; existing: read from its id). */
  cluster: string;
  clusterResourceGroup: string;
  /** An existing cluster may live in another subscription than the platform's. */
  clusterSubscriptionId: string;
  dataCollectionEndpoint: string;
  dataCollectionRule: string;
}

export function platformNames(p: PlatformConfig): PlatformNames {
  const s = suffix(p);
  const existing = "existing" in p.adx.cluster ? p.adx.cluster.existing.id.split("/") : undefined;
  return {
    resourceGroup: p.resourceGroup ?? `${p.prefix}-rg`,
    identity: `${p.prefix}-func-id`,
    // ≤ 24 lower-case alphanumerics, globally unique
    storageAccount: `${p.prefix}st${s}`,
    deploymentContainer: "app-package",
    servicePlan: `${p.prefix}-plan`,
    functionApp: `${p.prefix}-func-${s}`,
    logAnalytics: `${p.prefix}-logs`,
    appInsights: `${p.prefix}-appi`,
    // ≤ 22 lower-case alphanumerics, globally unique
    cluster: existing ? existing[8]! : `${p.prefix}adx${s}`,
    clusterResourceGroup: existing ? existing[4]! : (p.resourceGroup ?? `${p.prefix}-rg`),
    clusterSubscriptionId: existing ? existing[2]!.toLowerCase() : p.subscriptionId.toLowerCase(),
    dataCollectionEndpoint: `${p.prefix}-dce`,
    dataCollectionRule: `${p.prefix}-mail-access-dcr`,
  };
}

export const databaseName = (tenantKey: string) => `audit_${tenantKey}`;

/** A new Sentinel workspace per tenant, so the workspace functions named like the ADX tables never collide. */
export const sentinelWorkspaceName = (p: PlatformConfig, tenantKey: string) => `${p.prefix}-${tenantKey}-sentinel`;

export const platformStackName = (p: PlatformConfig) => `${p.prefix}-platform`;
export const tenantStackName = (p: PlatformConfig, tenantKey: string) => `${p.prefix}-tenant-${tenantKey}`;

const KUSTO_DOMAIN = { public: "kusto.windows.net", usgovernment: "kusto.usgovcloudapi.net" } as const;

/** The cluster's query endpoint: known before the cluster exists, so Sentinel functions and settings can name it. */
export function clusterUri(p: PlatformConfig): string {
  if ("existing" in p.adx.cluster) return p.adx.cluster.existing.uri.replace(/\/+$/, "");
  return `https://${platformNames(p).cluster}.${p.location}.${KUSTO_DOMAIN[p.azureCloud]}`;
}

/** The ingestion endpoint the engine's queued client talks to: the query host with `ingest-` in front. */
export function clusterIngestUri(p: PlatformConfig): string {
  return clusterUri(p).replace(/^https:\/\//, "https://ingest-");
}
