// Reads the deployment config file, validates it, resolves tenant domains and applies the rules across fields.
// Every problem is reported as `<file>: <field>: <what is wrong>. <what to do>`, all of them in one error.
import { readFileSync } from "node:fs";
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { scriptParameters, type ScriptParameters } from "../../kql/scripts";
import { databaseName } from "./naming";
import type { AlertsConfig } from "./alerts-schema";
import { DEFAULT_WEB_TEST_LOCATIONS, WEB_TEST_LOCATIONS } from "./web-test-locations";
import { deploymentConfigSchema, isGuid, type ParsedDeploymentConfig, type ParsedTenant, type PlatformConfig } from "./schema";
import { discoverTenantId, TenantDiscoveryError, type TenantDiscoveryOptions } from "./tenant-discovery";

/** ADX runs at most 50 script resources per cluster; the deployment uses one per tenant database. */
export const MAX_KUSTO_SCRIPTS_PER_CLUSTER = 50;

export interface Tenant extends ParsedTenant {
  tenantId: string;
  /** The primary domain when the config named the tenant by it. */
  domain?: string;
  database: string;
}

export interface DeploymentConfig {
  file: string;
  platform: PlatformConfig;
  tenants: Tenant[];
  kqlParameters: ScriptParameters;
  alerts: AlertsConfig;
}

export class DeploymentConfigError extends Error {
  readonly code = "InvalidDeploymentConfig";
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file} is not a valid deployment config:\n  - ${problems.join("\n  - ")}`);
    this.name = "DeploymentConfigError";
  }
}

/** The fix printed after a problem, by the field's path with list indexes removed. */
const FIXES: Array<[RegExp, string]> = [
  [/^platform\.tenantId$/, "Set platform.tenantId to the deploying Entra tenant's id (Entra admin center → Overview → Tenant ID)."],
  [/^platform\.subscriptionId$/, "Set platform.subscriptionId to the id of the subscription to deploy into (az account show --query id)."],
  [/^platform\.location$/, "Set platform.location to a region name as `az account list-locations -o table` prints it, e.g. westeurope."],
  [/^platform\.prefix$/, "Choose a short prefix such as auditlake: it starts every resource name."],
  [/^platform\.adx\.cluster\.existing\.id$/, "Copy the cluster's id from the portal (cluster → Properties → Resource ID) or `az kusto cluster show --query id`."],
  [/^platform\.adx\.cluster/, "Give either adx.cluster.new (sku, capacity) or adx.cluster.existing (id, uri) — see infra/examples/."],
  [/^platform\.msspAppName$/, "Set msspAppName to the name client admins see on the consent screen, e.g. Fabrikam SOC audit collector."],
  [/^platform\.adx\./, "Retention, hot cache and dedup lookback are days; hot cache and lookback must not exceed retention."],
  [/^platform\.functionApp\./, "instanceMemoryMb is 512, 2048 or 4096; maximumInstances 1-1000."],
  [
    /^alerts\.availability\.(locations|failedLocations)/,
    `List population tags of the platform's cloud — public: ${WEB_TEST_LOCATIONS.public.join(", ")}; usgovernment: ${WEB_TEST_LOCATIONS.usgovernment.join(", ")} — and no more failedLocations than locations (the defaults are ${DEFAULT_WEB_TEST_LOCATIONS.public.length} public, ${DEFAULT_WEB_TEST_LOCATIONS.usgovernment.length} usgovernment).`,
  ],
  [/^platform\.state/, "Use state: {backend: local} to try, or {backend: azurerm, resourceGroup, storageAccount, container} for shared state."],
  [/^platform\.azureCloud$/, "Use public (Enterprise and GCC tenants) or usgovernment (GCC High and DoD tenants)."],
  [/^platform/, "See infra/examples/single-tenant.yaml for every platform field."],
  [/^tenants\.tenant$/, "Give the tenant's id (GUID) or its primary domain (e.g. contoso.onmicrosoft.com)."],
  [/^tenants\.key$/, "Choose a short key such as contoso: the tenant's database is audit_<key>."],
  [/^tenants\.identity$/, "Use ownTenant for the tenant the platform is deployed in, msspClient for an MSSP's client tenants."],
  [/^tenants\.analystsGroup/, "Give the object id of the Entra group whose members may read this tenant's database."],
  [/^tenants\.sentinel/, "Use sentinel: {workspace: none}, {workspace: new} or {workspace: existing, workspaceId: <resource id>}."],
  [/^tenants\.contentTypes/, "List content types among Audit.AzureActiveDirectory, Audit.Exchange, Audit.SharePoint, Audit.General, DLP.All."],
  [/^tenants/, "See infra/examples/mssp.yaml for every tenant field."],
];

function fixFor(path: string): string {
  const general = path.replace(/\[\d+\]/g, "");
  return FIXES.find(([re]) => re.test(general))?.[1] ?? "";
}

function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i ? "." : ""}${String(p)}`)).join("") || "(file)";
}

const problem = (path: string, message: string, fix = fixFor(path)) => `${path}: ${message}.${fix ? ` ${fix}` : ""}`;

export interface LoadOptions {
  /** How a tenant given by domain is resolved (the discovery endpoint can be a local stand-in). */
  discovery?: TenantDiscoveryOptions;
}

export async function loadDeploymentConfig(file: string, opts: LoadOptions = {}): Promise<DeploymentConfig> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new DeploymentConfigError(file, [`cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Pass --config <path of a YAML file>; infra/examples/ holds two.`]);
  }
  return parseDeploymentConfig(text, file, opts);
}

export async function parseDeploymentConfig(text: string, file: string, opts: LoadOptions = {}): Promise<DeploymentConfig> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter: lines });
  if (doc.errors.length) {
    throw new DeploymentConfigError(file, doc.errors.map((e) => `line ${lines.linePos(e.pos[0]).line}: not valid YAML (${e.message.split("\n")[0]}). Fix the YAML syntax.`));
  }
  const parsed = deploymentConfigSchema.safeParse(doc.toJS());
  if (!parsed.success) throw new DeploymentConfigError(file, parsed.error.issues.map(describeIssue));
  const config = parsed.data;
  const problems = crossFieldProblems(config);
  const kqlParameters = kqlParametersOf(config, problems);
  const tenants = await resolveTenants(config, opts, problems);
  problems.push(...ownTenantProblems(config.platform, tenants));
  if (problems.length) throw new DeploymentConfigError(file, problems);
  return { file, platform: config.platform, tenants, kqlParameters, alerts: config.alerts };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  let message = issue.message;
  if (issue.code === "unrecognized_keys") message = `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}`;
  if (issue.code === "invalid_type" && /received undefined/.test(message)) message = "is required";
  if (issue.code === "invalid_union") message = "matches none of the accepted shapes";
  return problem(fieldPath(issue.path), message);
}

/** The availability test runs only from its cloud's locations, and can only alert if enough of them can fail. */
function availabilityProblems(cloud: PlatformConfig["azureCloud"], availability: AlertsConfig["availability"]): string[] {
  if (!availability.enabled) return [];
  const ofCloud = WEB_TEST_LOCATIONS[cloud] as readonly string[];
  const foreign = (availability.locations ?? []).filter((l) => !ofCloud.includes(l));
  if (foreign.length) return [problem("alerts.availability.locations", `${foreign.join(", ")} ${foreign.length > 1 ? "are not locations" : "is not a location"} of the ${cloud} cloud`)];
  const count = (availability.locations ?? DEFAULT_WEB_TEST_LOCATIONS[cloud]).length;
  if (availability.failedLocations > count) return [problem("alerts.availability.failedLocations", `is ${availability.failedLocations}, but the test runs from ${count} locations: it could never alert`)];
  return [];
}

function crossFieldProblems({ platform, tenants, alerts }: ParsedDeploymentConfig): string[] {
  const problems: string[] = [];
  problems.push(...availabilityProblems(platform.azureCloud, alerts.availability));
  const duplicates = (values: string[]) => values.filter((v, i) => values.indexOf(v) !== i);
  for (const key of new Set(duplicates(tenants.map((t) => t.key)))) problems.push(problem("tenants.key", `'${key}' is used by more than one tenant`, "Give every tenant its own key."));
  for (const t of new Set(duplicates(tenants.map((t) => t.tenant.toLowerCase())))) problems.push(problem("tenants.tenant", `${t} is listed twice`, "List each tenant once."));

  tenants.forEach((t, i) => {
    const gov = t.cloud === "GCCHigh" || t.cloud === "DoD";
    if (gov !== (platform.azureCloud === "usgovernment")) {
      problems.push(
        problem(
          `tenants[${i}].cloud`,
          `a ${t.cloud} tenant cannot be served from the ${platform.azureCloud} Azure cloud`,
          gov
            ? "GCC High and DoD tenants need their own deployment in Azure Government: put them in a config with platform.azureCloud: usgovernment."
            : "Enterprise and GCC tenants are served from Azure public cloud: put them in a config with platform.azureCloud: public.",
        ),
      );
    }
  });

  const own = tenants.filter((t) => t.identity === "ownTenant");
  if (own.length > 1) problems.push(problem("tenants.identity", "more than one tenant is ownTenant", "Only the platform's own tenant is ownTenant; other tenants are msspClient."));

  // A group granted Viewer on two clients' databases would let one client's analysts read another's audit log.
  const groups = tenants.filter((t) => t.analystsGroup).map((t) => t.analystsGroup!.objectId.toLowerCase());
  for (const g of new Set(duplicates(groups)))
    problems.push(problem("tenants.analystsGroup.objectId", `group ${g} is the analysts group of more than one tenant`, "Give every tenant its own analysts group, so no group reaches another client's database."));

  // The engine has one Logs Ingestion destination (SENTINEL_DCE_URI/DCR_ID/STREAM) for all tenants.
  const forwarding = tenants.filter((t) => t.sentinel.workspace !== "none" && t.sentinel.forwardMailAccess);
  if (forwarding.length > 1)
    problems.push(
      problem(
        "tenants.sentinel.forwardMailAccess",
        `${forwarding.length} tenants (${forwarding.map((t) => t.key).join(", ")}) forward mail access to Sentinel, the Function App has one Logs Ingestion destination`,
        "Turn forwardMailAccess on for one tenant per deployment; the others reach the lake through the workspace functions.",
      ),
    );

  // Workspace functions are named like the ADX tables: two tenants in one workspace would overwrite each other's.
  const workspaces = tenants.flatMap((t) => (t.sentinel.workspace === "existing" ? [t.sentinel.workspaceId.toLowerCase()] : []));
  for (const w of new Set(duplicates(workspaces)))
    problems.push(problem("tenants.sentinel.workspaceId", `workspace ${w} is used by more than one tenant`, "Give every tenant its own Sentinel workspace (or workspace: new)."));

  if (tenants.length > MAX_KUSTO_SCRIPTS_PER_CLUSTER) {
    problems.push(
      problem(
        "tenants",
        `${tenants.length} tenants need ${tenants.length} Kusto script resources on one cluster, ADX allows at most ${MAX_KUSTO_SCRIPTS_PER_CLUSTER} per cluster`,
        `Split the tenants over several configs, each with its own cluster (at most ${MAX_KUSTO_SCRIPTS_PER_CLUSTER} tenants each), or run the KQL deployment script (kql/scripts.ts deploymentScript) yourself with .execute database script.`,
      ),
    );
  }
  return problems;
}

function kqlParametersOf({ platform }: ParsedDeploymentConfig, problems: string[]): ScriptParameters {
  const { retentionDays, hotCacheDays, dedupLookbackDays } = platform.adx;
  if (hotCacheDays > retentionDays) problems.push(problem("platform.adx.hotCacheDays", `${hotCacheDays} exceeds retentionDays (${retentionDays})`));
  if (dedupLookbackDays > retentionDays) problems.push(problem("platform.adx.dedupLookbackDays", `${dedupLookbackDays} exceeds retentionDays (${retentionDays})`));
  if (hotCacheDays > retentionDays || dedupLookbackDays > retentionDays) return { retentionDays, hotCacheDays: 0, dedupLookbackDays: 1 };
  return scriptParameters({ retentionDays, hotCacheDays, dedupLookbackDays });
}

async function resolveTenants({ platform, tenants }: ParsedDeploymentConfig, opts: LoadOptions, problems: string[]): Promise<Tenant[]> {
  return Promise.all(
    tenants.map(async (t, i) => {
      const base = { ...t, database: databaseName(t.key) };
      if (isGuid(t.tenant)) return { ...base, tenantId: t.tenant.toLowerCase() };
      try {
        return { ...base, domain: t.tenant.toLowerCase(), tenantId: await discoverTenantId(t.tenant, platform.azureCloud, opts.discovery) };
      } catch (e) {
        const reason = e instanceof TenantDiscoveryError ? e.reason : (e as Error).message;
        problems.push(problem(`tenants[${i}].tenant`, `cannot resolve ${t.tenant} to a tenant id: ${reason}`, "Check the domain, or give the tenant id (GUID) instead, which needs no lookup."));
        return { ...base, domain: t.tenant.toLowerCase(), tenantId: "00000000-0000-0000-0000-000000000000" };
      }
    }),
  );
}

// A managed identity can hold the Management API app role only in its own tenant.
function ownTenantProblems(platform: PlatformConfig, tenants: Tenant[]): string[] {
  return tenants.flatMap((t, i) =>
    t.identity === "ownTenant" && t.tenantId !== platform.tenantId.toLowerCase() && t.tenantId !== "00000000-0000-0000-0000-000000000000"
      ? [problem(`tenants[${i}].identity`, `ownTenant but the tenant (${t.tenantId}) is not platform.tenantId (${platform.tenantId})`, "A managed identity reads only its own tenant's feed: make this tenant msspClient, or deploy the platform in it.")]
      : [],
  );
}
