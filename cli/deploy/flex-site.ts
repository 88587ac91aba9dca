// The function app as Resource Manager describes it: where its Kudu (SCM) site is, and which functions its host indexed.
import { CliError } from "../output/cli-error";
import { ExitCode } from "../output/exit-codes";
import { SiteHosts } from "./site-hosts";
import { serviceError, type HttpAnswer, type ResourceManagerHttp } from "./resource-manager-pipeline";

export const WEB_API_VERSION = "2024-04-01";

export interface SiteRef {
  subscription: string;
  resourceGroup: string;
  site: string;
}

export interface FlexSite {
  id: string;
  /** The SCM host from hostNameSslStates (hostType Repository), checked to be the cloud's: Flex hosts carry a suffix, never derive it from the name. */
  scmHost: string;
  /** As the site names it, unchecked: whoever sends anything there checks it first (SiteHosts). */
  defaultHost: string;
  flexConsumption: boolean;
}

interface SiteResource {
  id: string;
  kind?: string;
  properties?: {
    defaultHostName?: string;
    sku?: string;
    functionAppConfig?: unknown;
    hostNameSslStates?: Array<{ name: string; hostType: string }>;
  };
}

export function siteUrl(http: ResourceManagerHttp, ref: SiteRef, suffix = ""): string {
  const path = `/subscriptions/${enc(ref.subscription)}/resourceGroups/${enc(ref.resourceGroup)}/providers/Microsoft.Web/sites/${enc(ref.site)}${suffix}`;
  return `${http.endpoint}${path}?api-version=${WEB_API_VERSION}`;
}

const enc = encodeURIComponent;

export async function readFlexSite(http: ResourceManagerHttp, ref: SiteRef): Promise<FlexSite> {
  const answer = await http.send("GET", siteUrl(http, ref));
  if (answer.status !== 200) throw resourceManagerError(answer, ref);
  const site = JSON.parse(answer.text) as SiteResource;
  const scm = site.properties?.hostNameSslStates?.find((h) => h.hostType === "Repository");
  if (!scm) {
    throw new CliError(
      "NoScmHost",
      `Site '${ref.site}' lists no SCM (hostType Repository) host in hostNameSslStates, so there is nowhere to publish.`,
      "Check that it is a Function App (kind functionapp) and that its SCM site is enabled; redeploy it with `m365-audit-lake deploy`.",
      ExitCode.Failed,
    );
  }
  return {
    id: site.id,
    // the operator's token goes to this host next: only if it is one of the cloud's Kudu hosts
    scmHost: new SiteHosts(http.endpoint).check(scm.name, "scm", `Site '${ref.site}' hostNameSslStates (Repository)`),
    defaultHost: site.properties?.defaultHostName ?? "",
    flexConsumption: site.properties?.sku === "FlexConsumption" || site.properties?.functionAppConfig !== undefined,
  };
}

export async function listIndexedFunctions(http: ResourceManagerHttp, ref: SiteRef): Promise<string[]> {
  const names: string[] = [];
  const hosts = new SiteHosts(http.endpoint);
  let url: string | null = siteUrl(http, ref, "/functions");
  while (url) {
    const answer = await http.send("GET", url);
    if (answer.status !== 200) throw resourceManagerError(answer, ref);
    const page = JSON.parse(answer.text) as { value: Array<{ properties?: { name?: string }; name: string }>; nextLink?: string | null };
    // the resource name is "<site>/<function>"; properties.name is the function's own
    names.push(...page.value.map((f) => f.properties?.name ?? f.name.split("/").pop()!));
    url = page.nextLink ? hosts.checkResourceManagerLink(page.nextLink, `The functions list of site '${ref.site}' (nextLink)`) : null;
  }
  return names.sort();
}

export function resourceManagerError(answer: HttpAnswer, ref: SiteRef): CliError {
  const { code, message } = serviceError(answer);
  const where = `site '${ref.site}' in resource group '${ref.resourceGroup}' of subscription '${ref.subscription}'`;
  if (answer.status === 401 || answer.status === 403) {
    return new CliError(
      code,
      `Resource Manager refused the request for ${where}: ${message}`,
      "Sign in to the tenant that holds the subscription (`az login --tenant <id>`) with an account that has Website Contributor (or Contributor) on the app, then run again.",
      ExitCode.Auth,
    );
  }
  if (answer.status === 404) {
    return new CliError(
      code,
      `Resource Manager cannot find ${where}: ${message}`,
      "Check --subscription, --resource-group and --site (`az functionapp list -o table` lists them), or create the app first with `m365-audit-lake deploy`.",
      ExitCode.NotFound,
    );
  }
  return new CliError(code, `Resource Manager answered ${answer.status} for ${where}: ${message}`, "Run the command again; if it persists, check the Azure status page for App Service.", ExitCode.Failed);
}
