// Deployment configs drawn from across what infra/config/schema.ts accepts, from a seed: tenant keys, names, prefixes,
// regions, clouds, MSSP sizes up to 100 clients, forwarding on/off, existing vs new cluster and workspace, the alerts
// block and operator sign-in. A small seeded generator stands in for a property-testing library (none is installed).
import { CONTENT_TYPES } from "../../functions/src/management-api/content-types";
import { ADX_SKUS } from "../../infra/config/adx-skus";
import { WEB_TEST_LOCATIONS } from "../../infra/config/web-test-locations";
import { ALERT_RULES } from "../../kql/alerts";

export type Random = () => number;

/** mulberry32: a tiny, well-known 32-bit PRNG, so every run of a seed draws the same configs. */
export function seeded(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (r: Random, min: number, max: number) => min + Math.floor(r() * (max - min + 1));
const pick = <T>(r: Random, xs: readonly T[]): T => xs[int(r, 0, xs.length - 1)]!;
const chars = (r: Random, alphabet: string, n: number) => Array.from({ length: n }, () => pick(r, [...alphabet])).join("");
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";
const hex = (r: Random, n: number) => chars(r, "0123456789abcdef", n);
export const guid = (r: Random) => `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-8${hex(r, 3)}-${hex(r, 12)}`;

/** Text as people type names: letters of several scripts, digits, punctuation, dashes and ellipses (multi-byte). */
function displayText(r: Random, min: number, max: number): string {
  const pieces = ["Contoso", "Fabrikam", "Ålesund", "Zürich", "東京", "Соколов", "—", "…", " & ", "SOC", "(EU)", "é", "'", "-", "."];
  let s = "";
  const n = int(r, min, max);
  while ([...s].length < n) s += pick(r, pieces);
  return [...s].slice(0, n).join("").trim() || "X";
}

const REGIONS = { public: ["westeurope", "northeurope", "eastus2", "swedencentral", "australiaeast", "uksouth"], usgovernment: ["usgovvirginia", "usgovarizona", "usgovtexas"] } as const;

export interface GeneratedConfig {
  /** The YAML document, as an object. */
  config: Record<string, unknown>;
  /** Why the loader must refuse it (a field path it must name), when the draw crossed a limit the schema sets. */
  refusedAt?: string;
}

/** One draw over the schema's range; `size` bounds the tenant count (MSSPs up to 100 clients). */
export function generateConfig(r: Random, size: number): GeneratedConfig {
  const azureCloud = pick(r, ["public", "usgovernment"] as const);
  const platformTenant = guid(r);
  const subscriptionId = guid(r);
  const prefix = pick(r, [...LOWER]) + chars(r, LOWER + DIGITS, int(r, 2, 11));
  const resourceGroup = r() < 0.4 ? chars(r, LOWER + DIGITS + "-_.()", int(r, 0, 88)) + pick(r, [...(LOWER + DIGITS + "-_()")]) : undefined;
  const existingCluster = r() < 0.35;
  // The id's name and group as the schema's id pattern reads them: any letters and digits, any group text without "/".
  const clusterName = r() < 0.85 ? pick(r, [...LOWER]) + chars(r, LOWER + DIGITS, int(r, 3, 21)) : chars(r, LOWER + LOWER.toUpperCase() + DIGITS, int(r, 4, 22));
  const clusterGroup = r() < 0.85 ? chars(r, LOWER + DIGITS + "-_.()", int(r, 0, 40)) + "x" : chars(r, LOWER + " #é.-", int(r, 1, 30));
  const location = pick(r, REGIONS[azureCloud]);
  const count = int(r, 1, size);
  const clouds = azureCloud === "public" ? (["Enterprise", "GCC"] as const) : (["GCCHigh", "DoD"] as const);
  const keys = new Set<string>();
  while (keys.size < count) keys.add(pick(r, [...LOWER]) + chars(r, LOWER + DIGITS, int(r, 1, 15)));
  let forwarders = 0;
  const ownIndex = r() < 0.5 ? 0 : -1;
  const tenants = [...keys].map((key, i) => {
    const own = i === ownIndex;
    const sentinelKind = pick(r, ["none", "new", "existing"] as const);
    const forward = sentinelKind !== "none" && forwarders === 0 && r() < 0.5;
    if (forward) forwarders++;
    const sentinel =
      sentinelKind === "none"
        ? { workspace: "none" }
        : sentinelKind === "new"
          ? { workspace: "new", retentionDays: int(r, 30, 730), forwardMailAccess: forward }
          : {
              workspace: "existing",
              workspaceId: `/subscriptions/${guid(r)}/resourceGroups/${chars(r, LOWER + "-", 6)}x/providers/Microsoft.OperationalInsights/workspaces/${key}-ws${i}`,
              ...(r() < 0.5 ? { location: pick(r, REGIONS[azureCloud]) } : {}),
              forwardMailAccess: forward,
            };
    const types = CONTENT_TYPES.filter(() => r() < 0.6);
    return {
      tenant: own ? platformTenant : guid(r),
      key,
      displayName: displayText(r, 1, 120),
      cloud: pick(r, clouds),
      ...(types.length && r() < 0.5 ? { contentTypes: types } : {}),
      identity: own ? "ownTenant" : "msspClient",
      ...(r() < 0.7 ? { analystsGroup: { objectId: guid(r), ...(r() < 0.3 ? { tenantId: guid(r) } : {}) } } : {}),
      sentinel,
      ...(azureCloud === "public" && r() < 0.3 ? { backfill: true } : {}),
    };
  });
  const tenantIds = tenants.map((t) => t.tenant);
  const operatorSignIn =
    r() < 0.4 ? { tenantGroups: Object.fromEntries(Array.from({ length: int(r, 0, 3) }, () => [guid(r), tenantIds.filter(() => r() < 0.5)])) } : undefined;
  const config = {
    platform: {
      tenantId: platformTenant,
      subscriptionId,
      azureCloud,
      location,
      prefix,
      ...(resourceGroup ? { resourceGroup } : {}),
      adx: {
        cluster: existingCluster
          ? {
              existing: {
                id: `/subscriptions/${r() < 0.5 ? subscriptionId : guid(r)}/resourceGroups/${clusterGroup}/providers/Microsoft.Kusto/clusters/${clusterName}`,
                uri: `https://${clusterName}.${location}.${azureCloud === "public" ? "kusto.windows.net" : "kusto.usgovcloudapi.net"}`,
              },
            }
          : { new: { sku: pick(r, ADX_SKUS), capacity: int(r, 1, 1000) } },
        retentionDays: int(r, 31, 36500),
        hotCacheDays: int(r, 0, 31),
        dedupLookbackDays: int(r, 1, 30),
      },
      functionApp: { instanceMemoryMb: pick(r, [512, 2048, 4096]), maximumInstances: int(r, 1, 1000) },
      ...(r() < 0.6 ? { msspAppName: r() < 0.05 ? "   " : displayText(r, 1, 120) } : {}),
      ...(operatorSignIn ? { operatorSignIn } : {}),
      state: r() < 0.5 ? { backend: "local" } : { backend: "azurerm", resourceGroup: "tfstate-rg", storageAccount: `${prefix.slice(0, 10)}tfstate`.slice(0, 24), container: "tfstate" },
    },
    tenants,
    ...(r() < 0.8 ? { alerts: generateAlerts(r, azureCloud) } : {}),
  };
  return { config, refusedAt: count > 50 ? "tenants" : undefined };
}

/** The `alerts:` block across infra/config/alerts-schema.ts: receivers, the availability test (locations of the cloud,
 *  now and then one failed location too many, which the loader must refuse), per-rule overrides, the Sentinel rule. */
function generateAlerts(r: Random, cloud: keyof typeof WEB_TEST_LOCATIONS): Record<string, unknown> {
  const cloudLocations = WEB_TEST_LOCATIONS[cloud];
  const locations = r() < 0.5 ? cloudLocations.filter(() => r() < 0.5) : [];
  const available = locations.length || (cloud === "public" ? 5 : 3);
  return {
    email: Array.from({ length: int(r, 0, 3) }, (_, i) => `${chars(r, LOWER, int(r, 1, 12))}${i}@${chars(r, LOWER, int(r, 2, 10))}.example`),
    ...(r() < 0.6
      ? {
          webhook:
            r() < 0.5
              ? { setting: pick(r, [...LOWER]) + chars(r, LOWER + DIGITS + "_", int(r, 0, 30)) }
              : { keyVaultSecret: { vaultId: `/subscriptions/${guid(r)}/resourceGroups/ops/providers/Microsoft.KeyVault/vaults/${pick(r, [...LOWER])}${chars(r, LOWER + DIGITS + "-", int(r, 2, 20))}x`, name: chars(r, LOWER + DIGITS + "-", int(r, 1, 40)) } },
        }
      : {}),
    availability: {
      enabled: r() < 0.85,
      frequencySeconds: pick(r, [300, 600, 900]),
      ...(locations.length ? { locations } : {}),
      failedLocations: r() < 0.05 ? available + 1 : int(r, 1, available),
      severity: int(r, 0, 4),
    },
    rules: Object.fromEntries(
      ALERT_RULES.filter(() => r() < 0.4).map((rule) => [rule.id, { ...(r() < 0.2 ? { enabled: false } : {}), ...(r() < 0.6 ? { threshold: int(r, 1, 10_000) } : {}), ...(r() < 0.5 ? { severity: int(r, 0, 4) } : {}) }]),
    ),
    sentinel: { enabled: r() < 0.8, gapMinutes: int(r, 5, 20_160), severity: pick(r, ["High", "Medium", "Low", "Informational"]) },
  };
}
