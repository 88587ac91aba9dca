// The emulated Azure Resource Manager (the Microsoft.Web/sites resources) and each site's Kudu, over HTTPS with the
// per-run CA: what `publish` and `deploy` talk to. See README.md for the routes and the errors.
import type { TokenCredential } from "@azure/core-auth";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ArmError, missingApiVersion, noRoute, resourceGroupNotFound, siteNotFound, subscriptionNotFound } from "./arm-errors";
import { flexSiteConfigRefusal } from "./flex-site-config";
import { listenHttps, readBytes, send } from "./https-exchange";
import { OperatorTokens, RESOURCE_MANAGER_AUDIENCES_BY_CLOUD, type EmulatedCloudName } from "./operator-credential";
import { EmulatedSite, type EmulatedSiteOptions, type SiteTimings } from "./site";

export { DeployStatus } from "./deployment";
export { EmulatedSite, type EmulatedSiteOptions } from "./site";

export interface ResourceManagerEmulatorOptions {
  /** The server certificate from local/tls.ts: clients send bearer tokens over HTTPS only. */
  tls: { certPem: string; keyPem: string };
  /** Where each site's wwwroot is unpacked. */
  dataDir: string;
  sites: EmulatedSiteOptions[];
  /** The tenant that holds the subscriptions (tokens from credential() are issued there by default). */
  tenantId?: string;
  /** Which Azure cloud's Resource Manager it stands in for: the token audiences it accepts (default public). */
  cloud?: EmulatedCloudName;
  timings?: Partial<SiteTimings>;
}

export interface ResourceManagerEmulator {
  /** The Resource Manager endpoint, e.g. https://127.0.0.1:P (stands in for https://management.azure.com). */
  url: string;
  /** The operator's signed-in session: tokens the emulated Resource Manager and Kudu accept (another `tenantId`: refused). */
  credential(tenantId?: string): TokenCredential;
  site(name: string): EmulatedSite;
  /** Requests Resource Manager answered, by "METHOD status". */
  requests: string[];
  close(): Promise<void>;
}

const SITE_PATH = /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/microsoft\.web\/sites\/([^/]+)(\/functions|\/host\/default\/listkeys)?\/?$/i;

export async function startResourceManagerEmulator(opts: ResourceManagerEmulatorOptions): Promise<ResourceManagerEmulator> {
  const tokens = new OperatorTokens(opts.tenantId ?? "72f988bf-0000-4000-8000-000000000001", RESOURCE_MANAGER_AUDIENCES_BY_CLOUD[opts.cloud ?? "public"]);
  const timings: SiteTimings = { stepMs: 150, indexDelayMs: 300, recordDelayMs: 200, maxPackageBytes: 256 << 20, ...opts.timings };
  const sites = await Promise.all(opts.sites.map((s) => EmulatedSite.start(s, tokens, timings, opts.dataDir, opts.tls)));
  const requests: string[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Only a site PUT has a body worth reading.
    const body = req.method === "PUT" ? readBytes(req, 4 << 20).catch(() => Buffer.alloc(0)) : (req.resume(), Promise.resolve(Buffer.alloc(0)));
    const url = new URL(req.url ?? "/", "https://127.0.0.1");
    let status = 200;
    try {
      if (!url.searchParams.get("api-version")) throw missingApiVersion();
      tokens.authorize(req.headers.authorization);
      const m = SITE_PATH.exec(url.pathname);
      const listKeys = m?.[4]?.toLowerCase() === "/host/default/listkeys";
      const put = req.method === "PUT" && m && !m[4];
      if (!m || (!put && req.method !== (listKeys ? "POST" : "GET"))) throw noRoute(req.method ?? "?", url.pathname);
      const [subscription, group, name] = [m[1], m[2], m[3]].map(decodeURIComponent);
      const inSubscription = sites.filter((s) => s.options.subscriptionId.toLowerCase() === subscription.toLowerCase());
      if (inSubscription.length === 0) throw subscriptionNotFound(subscription);
      const inGroup = inSubscription.filter((s) => s.options.resourceGroup.toLowerCase() === group.toLowerCase());
      if (inGroup.length === 0) throw resourceGroupNotFound(group);
      const site = inGroup.find((s) => s.options.name.toLowerCase() === name.toLowerCase());
      if (!site) throw siteNotFound(name, group);
      if (put) {
        // A site written as the infra app's template writes it: Flex refuses some siteConfig properties (51021).
        const text = (await body).toString("utf8");
        let resource: { properties?: { functionAppConfig?: unknown; siteConfig?: Record<string, unknown> } };
        try {
          resource = JSON.parse(text || "{}");
        } catch {
          throw new ArmError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized.");
        }
        const refusal = flexSiteConfigRefusal(resource.properties);
        if (refusal) throw refusal;
        site.applySiteConfig(resource.properties?.siteConfig);
      }
      send(res, 200, listKeys ? site.hostKeys() : m[4] ? site.functionList() : site.resource());
    } catch (e) {
      const err = e instanceof ArmError ? e : new ArmError(500, "InternalServerError", (e as Error).message);
      status = err.status;
      send(res, err.status, err.body, err.headers);
    } finally {
      requests.push(`${req.method} ${url.pathname} ${status}`);
    }
  }

  const arm = await listenHttps(opts.tls, handle);
  return {
    url: `https://127.0.0.1:${arm.port}`,
    credential: (tenantId) => tokens.credential(tenantId),
    site(name) {
      const site = sites.find((s) => s.options.name === name);
      if (!site) throw new Error(`no emulated site '${name}'`);
      return site;
    },
    requests,
    async close() {
      await Promise.all([arm.close(), ...sites.map((s) => s.close())]);
    },
  };
}
