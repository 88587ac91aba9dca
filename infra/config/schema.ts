// The deployment config: one YAML file describing the platform (subscription, region, ADX cluster, state) and the
// tenants it collects for. Every field carries the advice printed when it is wrong.
import { z } from "zod";
import { CONTENT_TYPES } from "../../functions/src/management-api/content-types";
import { ADX_SKUS } from "./adx-skus";
import { alertsSchema } from "./alerts-schema";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A verified Entra domain: labels of letters, digits and hyphens, at least one dot.
const DOMAIN = /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

// A resource group name as the providers validate it (go-azure-helpers resourcegroups/validate.go).
const RESOURCE_GROUP = /^[-\w.()]{0,89}[-\w()]$/;

const guid = (what: string) => z.string().regex(GUID, `expected ${what} as a GUID such as 00000000-0000-0000-0000-000000000000`);

const days = (min: number, max: number) => z.number().int("expected a whole number of days").min(min).max(max);

const backendSchema = z.discriminatedUnion("backend", [
  // For trying: state files next to the synthesized stacks.
  z.strictObject({ backend: z.literal("local"), directory: z.string().min(1).optional() }),
  z.strictObject({
    backend: z.literal("azurerm"),
    resourceGroup: z.string().min(1),
    storageAccount: z.string().regex(/^[a-z0-9]{3,24}$/, "expected a storage account name: 3-24 lower-case letters and digits"),
    container: z.string().regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, "expected a blob container name"),
    subscriptionId: guid("the state account's subscription id").optional(),
  }),
]);

const clusterSchema = z.union([
  z.strictObject({
    new: z.strictObject({
      sku: z.enum(ADX_SKUS, { error: "is not an ADX SKU the azurerm provider accepts (e.g. Standard_E2ads_v5, or Dev(No SLA)_Standard_E2a_v4 to try)" }).default("Dev(No SLA)_Standard_E2a_v4"),
      capacity: z.number().int().min(1).max(1000).default(1),
    }),
  }),
  z.strictObject({
    existing: z.strictObject({
      id: z
        .string()
        .regex(
          /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/[^/]+\/providers\/Microsoft\.Kusto\/clusters\/[a-z0-9]{4,22}$/i,
          "expected the cluster's resource id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Kusto/clusters/<name>",
        )
        // The tenant stack writes the name and group into kusto resources, whose validation is stricter than the id's.
        .refine((id) => /\/clusters\/[a-z][a-z0-9]{3,21}$/.test(id), "names a cluster the azurerm provider refuses: a cluster name is 4-22 lower-case letters and digits, starting with a letter")
        .refine((id) => RESOURCE_GROUP.test(id.split("/")[4] ?? ""), "names a resource group the azurerm provider refuses: letters, digits, - _ . ( ), up to 90, not ending in a period"),
      uri: z.url({ protocol: /^https$/, error: "expected the cluster's query URI, e.g. https://mycluster.westeurope.kusto.windows.net" }),
    }),
  }),
]);

const sentinelSchema = z.discriminatedUnion("workspace", [
  z.strictObject({ workspace: z.literal("none") }),
  z.strictObject({
    workspace: z.literal("new"),
    retentionDays: days(30, 730).default(90),
    forwardMailAccess: z.boolean().default(false),
  }),
  z.strictObject({
    workspace: z.literal("existing"),
    workspaceId: z
      .string()
      .regex(
        /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/[^/]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/]+$/i,
        "expected the workspace's resource id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.OperationalInsights/workspaces/<name>",
      ),
    /** The workspace's region, when it differs from the platform's: a data collection rule must sit in its workspace's region. */
    location: z.string().regex(/^[a-z0-9]+$/, "expected an Azure region name such as westeurope").optional(),
    forwardMailAccess: z.boolean().default(false),
  }),
]);

export const tenantSchema = z.strictObject({
  /** The tenant's id, or its primary domain (resolved to the id through Entra's public OpenID discovery). */
  tenant: z.string().refine((t) => GUID.test(t) || DOMAIN.test(t), "expected a tenant id (GUID) or a primary domain such as contoso.onmicrosoft.com"),
  /** Short name used in resource names: the database is audit_<key>. */
  key: z.string().regex(/^[a-z][a-z0-9]{1,15}$/, "expected 2-16 lower-case letters and digits, starting with a letter"),
  displayName: z.string().min(1).max(120),
  cloud: z.enum(["Enterprise", "GCC", "GCCHigh", "DoD"]).default("Enterprise"),
  contentTypes: z
    .array(z.enum(CONTENT_TYPES))
    .min(1)
    .refine((t) => new Set(t).size === t.length, "lists a content type twice")
    .default([...CONTENT_TYPES]),
  /** ownTenant: the Function's managed identity reads the feed. msspClient: the MSSP's multi-tenant app, consented by the client. */
  identity: z.enum(["ownTenant", "msspClient"]),
  analystsGroup: z
    .strictObject({
      objectId: guid("the Entra group's object id"),
      /** The tenant the group lives in; defaults to the platform's tenant (an MSSP's analysts). */
      tenantId: guid("the group's tenant id").optional(),
    })
    .optional(),
  sentinel: sentinelSchema.default({ workspace: "none" }),
  /** Back-fill beyond 7 days through Microsoft Graph's audit log query API: grants AuditLogsQuery.Read.All. */
  backfill: z.boolean().default(false),
}).refine((t) => !t.backfill || (t.cloud !== "GCCHigh" && t.cloud !== "DoD"), {
  path: ["backfill"],
  message: "is not available for GCC High and DoD: Microsoft Graph's audit log query API exists only on the global cloud; set backfill: false",
});

export const platformSchema = z.strictObject({
  /** The Entra tenant that hosts the deployment (the MSSP's own tenant for an MSSP). */
  tenantId: guid("the platform's Entra tenant id"),
  subscriptionId: guid("the Azure subscription id"),
  /** public for Enterprise and GCC tenants; usgovernment for GCC High and DoD (a separate deployment). */
  azureCloud: z.enum(["public", "usgovernment"]).default("public"),
  location: z.string().regex(/^[a-z0-9]+$/, "expected an Azure region name such as westeurope"),
  prefix: z.string().regex(/^[a-z][a-z0-9]{2,11}$/, "expected 3-12 lower-case letters and digits, starting with a letter"),
  resourceGroup: z.string().regex(/^[\w.()-]{1,89}[\w()-]$/, "expected a resource group name").optional(),
  adx: z.strictObject({
    cluster: clusterSchema,
    retentionDays: days(1, 36500).default(365),
    hotCacheDays: days(0, 36500).default(31),
    dedupLookbackDays: days(1, 36500).default(14),
  }),
  functionApp: z
    .strictObject({
      instanceMemoryMb: z.union([z.literal(512), z.literal(2048), z.literal(4096)]).default(2048),
      maximumInstances: z.number().int().min(1).max(1000).default(40),
    })
    .default({ instanceMemoryMb: 2048, maximumInstances: 40 }),
  /** Operators sign in with Entra ID (app roles Operator.All / Operator.Tenant); tenantGroups: group object id → tenant ids. */
  operatorSignIn: z
    .strictObject({ tenantGroups: z.record(guid("an Entra group object id"), z.array(guid("a tenant id"))).default({}) })
    .optional(),
  /** MSSP only: display name of the multi-tenant app registration the clients consent to. */
  msspAppName: z.string().min(1).max(120).refine((n) => n.trim() !== "", "is blank: client admins would see no name on the consent screen").optional(),
  state: backendSchema.default({ backend: "local" }),
});

export const deploymentConfigSchema = z.strictObject({
  platform: platformSchema,
  tenants: z.array(tenantSchema).min(1, "lists no tenant"),
  alerts: alertsSchema.default(alertsSchema.parse({})),
});

export type DeploymentConfigInput = z.input<typeof deploymentConfigSchema>;
export type ParsedDeploymentConfig = z.output<typeof deploymentConfigSchema>;
export type ParsedTenant = z.output<typeof tenantSchema>;
export type PlatformConfig = z.output<typeof platformSchema>;
export type SentinelConfig = ParsedTenant["sentinel"];

export const isGuid = (s: string) => GUID.test(s);
