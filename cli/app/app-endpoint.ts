// Which Function App the admin commands talk to, and its function key. Given directly (--app-url/--function-key or
// their environment variables: the local host, or a pipeline that holds the key), or found as in Azure: the site's
// defaultHostName from Resource Manager and its default function key from POST …/host/default/listkeys.
import { Command, Option } from "commander";
import { CliError } from "../output/cli-error";
import { ExitCode } from "../output/exit-codes";
import { defaultAzureAccess, readCaFile, type AzureAccess } from "../deploy/publish-command";
import { readFlexSite, resourceManagerError, siteUrl, type SiteRef } from "../deploy/flex-site";
import { PUBLIC_RESOURCE_MANAGER, ResourceManagerHttp } from "../deploy/resource-manager-pipeline";
import { SiteHosts } from "../deploy/site-hosts";
import type { AppEndpoint } from "./admin-client";

export const APP_URL_ENV = "M365_AUDIT_LAKE_APP_URL";
export const FUNCTION_KEY_ENV = "M365_AUDIT_LAKE_FUNCTION_KEY";
export const APP_SCOPE_ENV = "M365_AUDIT_LAKE_APP_SCOPE";

export interface AppEndpointOptions {
  appUrl?: string;
  functionKey?: string;
  appScope?: string;
  subscription?: string;
  resourceGroup?: string;
  site?: string;
  resourceManager?: string;
  caFile?: string;
}

/** The options every admin command takes to find the app. */
export function withAppOptions(command: Command, access: AzureAccess = defaultAzureAccess): Command {
  return command
    .option("--app-url <url>", `the Function App's URL, e.g. https://<app>.azurewebsites.net or the local host's (env ${APP_URL_ENV})`)
    .option("--function-key <key>", `a function key of the app (env ${FUNCTION_KEY_ENV}); in Azure the CLI reads it with --subscription/--resource-group/--site`)
    .option("--app-scope <scope>", `with operator sign-in on: the app's operator API scope, e.g. api://<app id>/.default; the CLI then signs in as you (az login, or AZURE_* for a pipeline) instead of using a function key (env ${APP_SCOPE_ENV})`)
    .option("--subscription <id>", "Azure: subscription id of the Function App (with --resource-group and --site)")
    .option("--resource-group <name>", "Azure: resource group of the Function App")
    .option("--site <name>", "Azure: the Function App's name")
    .addOption(new Option("--resource-manager <url>", "Resource Manager endpoint (sovereign clouds, or the emulated cloud)").default(access.resourceManager ?? PUBLIC_RESOURCE_MANAGER).hideHelp(access.resourceManager !== undefined))
    .option("--ca-file <pem>", "extra CA certificate to trust (the emulated cloud's per-run CA)");
}

export async function resolveAppEndpoint(o: AppEndpointOptions, env: Record<string, string | undefined> = process.env, access: AzureAccess = defaultAzureAccess): Promise<AppEndpoint> {
  const caPem = o.caFile ? readCaFile(o.caFile) : access.caPem;
  const appUrl = o.appUrl ?? env[APP_URL_ENV];
  const siteFlags = [o.subscription, o.resourceGroup, o.site].filter(Boolean).length;
  const appScope = o.appScope ?? env[APP_SCOPE_ENV];
  if (appUrl && appScope) {
    // the operator's own Entra identity: no host key is read or sent (the key stays for the local host and break-glass)
    const url = checkedUrl(appUrl);
    if (!url.startsWith("https:")) throw usage("--app-scope", `${url} is not https: your Entra token travels only over https (sign-in is for the app in Azure; the local host takes its function key).`);
    return { url, signIn: { credential: access.credential(), scope: appScope }, caPem };
  }
  if (appUrl) {
    const url = checkedUrl(appUrl);
    const functionKey = o.functionKey ?? env[FUNCTION_KEY_ENV];
    if (!functionKey) throw usage("--function-key", `no function key for ${url}: pass --function-key or set ${FUNCTION_KEY_ENV} (locally, npm run host prints it; in Azure, use --subscription/--resource-group/--site instead of --app-url).`);
    return { url, functionKey, caPem };
  }
  if (siteFlags === 0)
    throw usage("--app-url", `say which Function App: --app-url and --function-key (or ${APP_URL_ENV} and ${FUNCTION_KEY_ENV}), or --subscription, --resource-group and --site to find it in Azure.`);
  if (siteFlags < 3) throw usage(!o.subscription ? "--subscription" : !o.resourceGroup ? "--resource-group" : "--site", "--subscription, --resource-group and --site go together: give all three.");
  const ref: SiteRef = { subscription: o.subscription!, resourceGroup: o.resourceGroup!, site: o.site! };
  const http = new ResourceManagerHttp({ credential: access.credential(), endpoint: o.resourceManager ?? access.resourceManager, caPem });
  const site = await readFlexSite(http, ref);
  if (!site.defaultHost) throw new CliError("NoDefaultHost", `Site '${ref.site}' reports no defaultHostName.`, "Check that the Function App is running, or pass --app-url.", ExitCode.Failed);
  // the function key goes to this host: checked before the key is even read
  const appHost = new SiteHosts(http.endpoint).check(site.defaultHost, "app", `Site '${ref.site}' defaultHostName`);
  if (appScope) return { url: `https://${appHost}`, signIn: { credential: access.credential(), scope: appScope }, caPem };
  const keys = await http.send("POST", siteUrl(http, ref, "/host/default/listkeys"));
  if (keys.status !== 200) throw resourceManagerError(keys, ref);
  const functionKey = (JSON.parse(keys.text) as { functionKeys?: { default?: string } }).functionKeys?.default;
  if (!functionKey)
    throw new CliError("NoFunctionKey", `Site '${ref.site}' has no default function key.`, "Create one (az functionapp keys set --key-type functionKeys --key-name default …) or pass --function-key.", ExitCode.NotFound);
  return { url: `https://${appHost}`, functionKey, caPem };
}

function checkedUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usage("--app-url", `"${text}" is not a URL; give https://<app>.azurewebsites.net (or the URL npm run host prints).`);
  }
  // a function key goes over plain http only to this machine
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) throw usage("--app-url", `${text} is not https: the function key would travel in clear text. Use the app's https URL.`);
  return url.origin;
}

function usage(flag: string, message: string): CliError {
  return new CliError("BadOption", `${flag}: ${message}`, `Fix ${flag} and run again; \`--help\` lists the options.`, ExitCode.Usage);
}
