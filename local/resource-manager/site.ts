// One emulated Flex Consumption function app: its Resource Manager resource and its Kudu (SCM) site, which serves
// OneDeploy on a host of its own that nothing derives from the site name (as Flex hosts carry a suffix).
import type { IncomingMessage, ServerResponse } from "node:http";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ArmError } from "./arm-errors";
import { Deployment, DeployStatus } from "./deployment";
import { indexFunctions, PackageRejected, unpackFunctionsPackage, type IndexedFunction, type UnpackedPackage } from "./functions-package";
import { BodyTooLarge, listenHttps, readBytes, send, type HttpsListener } from "./https-exchange";
import type { OperatorTokens } from "./operator-credential";

export interface EmulatedSiteOptions {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location?: string;
  /** App settings the host gives the app when it loads (the Node worker's environment). */
  appSettings?: Record<string, string>;
  /** The app's identity lacks Storage Blob Data Owner on its deployment container: every deployment fails. */
  deploymentStorageForbidden?: boolean;
  /** The next N reads of a deployment's status answer 503 with Retry-After: 1 (the SCM site recycling). */
  statusServiceUnavailable?: number;
  /** Where the app's functions answer (the local Functions host, served over HTTPS) and its default function key. */
  app?: { host: string; functionKey: string };
  /**
   * A tampered site resource (or a spoofed answer): it names these hosts instead of its own, and its functions list
   * a nextLink, so tests can prove a client sends its token and keys to none of them.
   */
  names?: { scmHost?: string; defaultHost?: string; functionsNextLink?: string };
}

export interface SiteTimings {
  /** Between the deployment's steps (received → deploying → done). */
  stepMs: number;
  /** From a successful deployment until the restarted host has indexed the functions. */
  indexDelayMs: number;
  /** From the 202 until /api/deployments/{id} knows the deployment (404 before: the record is written asynchronously). */
  recordDelayMs: number;
  maxPackageBytes: number;
}

export class EmulatedSite {
  readonly deployments: Deployment[] = [];
  /** What the host indexed after the last successful deployment (empty until then, and when the app fails to load). */
  functions: IndexedFunction[] = [];
  /** The host's error from loading the app, when it failed. */
  hostError: string | undefined;
  lastPackage: UnpackedPackage | undefined;
  private listener!: HttpsListener;
  private running: Deployment | undefined;
  private lastSuccessEndTime: string | null = null;

  private constructor(
    readonly options: EmulatedSiteOptions,
    private readonly tokens: OperatorTokens,
    private readonly timings: SiteTimings,
    readonly wwwroot: string,
  ) {}

  static async start(options: EmulatedSiteOptions, tokens: OperatorTokens, timings: SiteTimings, dataDir: string, tls: { certPem: string; keyPem: string }): Promise<EmulatedSite> {
    const site = new EmulatedSite(options, tokens, timings, join(dataDir, "sites", options.name, "wwwroot"));
    site.listener = await listenHttps(tls, (req, res) => site.handle(req, res));
    return site;
  }

  /** The app's own host (functions, admin). Locally a loopback name: see README for why not a *.azurewebsites.net name. */
  get defaultHost(): string {
    return `127.0.0.1:${this.listener.port}`;
  }

  /** The SCM (Kudu) host: only hostNameSslStates says what it is. */
  get scmHost(): string {
    return `localhost:${this.listener.port}`;
  }

  /** The host the app's functions answer on: the local Functions host when one is attached. */
  get appHost(): string {
    return this.options.app?.host ?? this.defaultHost;
  }

  /** `POST …/host/default/listkeys`: the host's keys, as App Service returns them. */
  hostKeys(): Record<string, unknown> {
    return { masterKey: createHash("sha256").update(`master:${this.resourceId}`).digest("base64url"), functionKeys: this.options.app ? { default: this.options.app.functionKey } : {}, systemKeys: {} };
  }

  /** A PUT's siteConfig.appSettings (name/value pairs) become the settings the host loads the app with. */
  applySiteConfig(siteConfig: Record<string, unknown> | undefined): void {
    const settings = siteConfig?.appSettings;
    if (!Array.isArray(settings)) return;
    this.options.appSettings = Object.fromEntries(settings.map((s: { name: string; value: string }) => [s.name, String(s.value)]));
  }

  get resourceId(): string {
    const o = this.options;
    return `/subscriptions/${o.subscriptionId}/resourceGroups/${o.resourceGroup}/providers/Microsoft.Web/sites/${o.name}`;
  }

  resource(): Record<string, unknown> {
    const o = this.options;
    const location = o.location ?? "East US";
    const [appHost, scmHost] = [o.names?.defaultHost ?? this.appHost, o.names?.scmHost ?? this.scmHost];
    const ssl = (name: string, hostType: "Standard" | "Repository") => ({ name, sslState: "Disabled", ipBasedSslState: "NotConfigured", virtualIP: null, thumbprint: null, toUpdate: null, hostType });
    return {
      id: this.resourceId,
      name: o.name,
      type: "Microsoft.Web/sites",
      kind: "functionapp,linux",
      location,
      tags: {},
      properties: {
        name: o.name,
        state: "Running",
        hostNames: [appHost],
        enabledHostNames: [appHost, scmHost],
        defaultHostName: appHost,
        hostNameSslStates: [ssl(appHost, "Standard"), ssl(scmHost, "Repository")],
        serverFarmId: `/subscriptions/${o.subscriptionId}/resourceGroups/${o.resourceGroup}/providers/Microsoft.Web/serverfarms/${o.name}-plan`,
        reserved: true,
        httpsOnly: true,
        sku: "FlexConsumption",
        functionAppConfig: {
          deployment: { storage: { type: "blobContainer", value: `https://${o.name.replace(/[^a-z0-9]/g, "")}.blob.core.windows.net/app-package`, authentication: { type: "SystemAssignedIdentity" } } },
          runtime: { name: "node", version: "22" },
          scaleAndConcurrency: { maximumInstanceCount: 100, instanceMemoryMB: 2048 },
        },
      },
    };
  }

  /** The Resource Manager view of the indexed functions (`GET {site}/functions`). */
  functionList(): Record<string, unknown> {
    return {
      value: this.functions.map((f) => {
        const http = f.bindings.find((b) => b.type === "httpTrigger");
        return {
          id: `${this.resourceId}/functions/${f.name}`,
          name: `${this.options.name}/${f.name}`,
          type: "Microsoft.Web/sites/functions",
          location: this.options.location ?? "East US",
          properties: {
            name: f.name,
            function_app_id: null,
            script_href: `https://${this.scmHost}/api/vfs/site/wwwroot/`,
            config_href: null,
            href: `https://${this.scmHost}/api/functions/${f.name}`,
            config: { bindings: f.bindings },
            invoke_url_template: http ? `https://${this.appHost}/api/${String(http.route ?? f.name)}` : null,
            language: "node",
            isDisabled: false,
          },
        };
      }),
      nextLink: this.options.names?.functionsNextLink ?? null,
    };
  }

  close(): Promise<void> {
    return this.listener.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", `https://${req.headers.host ?? this.scmHost}`);
    // the app's own host does not serve Kudu's API (HTTP-triggered functions live there: a later slice)
    if ((req.headers.host ?? "").toLowerCase() !== this.scmHost) {
      req.resume();
      send(res, 404, { Message: `No route on ${req.headers.host} for ${url.pathname}: Kudu's API is served on the site's SCM host.` });
      return;
    }
    try {
      this.tokens.authorize(req.headers.authorization);
    } catch (e) {
      req.resume();
      const err = e as ArmError;
      send(res, 401, err.message, { "Content-Type": "text/plain; charset=utf-8", ...err.headers });
      return;
    }
    const path = url.pathname.replace(/\/+$/, "").toLowerCase();
    if (req.method === "POST" && path === "/api/publish") return this.publish(req, res, url);
    req.resume();
    const m = /^\/api\/deployments\/([^/]+)(\/log)?$/.exec(path);
    if (req.method === "GET" && m) {
      if ((this.options.statusServiceUnavailable ?? 0) > 0) {
        this.options.statusServiceUnavailable!--;
        return send(res, 503, "Service Unavailable", { "Content-Type": "text/plain; charset=utf-8", "Retry-After": "1" });
      }
      const visible = this.deployments.filter((d) => Date.now() - d.receivedAtMs >= this.timings.recordDelayMs);
      const deployment = m[1] === "latest" ? visible.at(-1) : visible.find((d) => d.id === m[1]);
      if (!deployment) return send(res, 404, `Deployment ${m[1]} not found.`, { "Content-Type": "text/plain; charset=utf-8" });
      return send(res, 200, m[2] ? deployment.log : deployment.toJSON(this.lastSuccessEndTime, deployment === this.activeDeployment()));
    }
    send(res, 404, `No Kudu route for ${req.method} ${url.pathname}.`, { "Content-Type": "text/plain; charset=utf-8" });
  }

  private activeDeployment(): Deployment | undefined {
    return [...this.deployments].reverse().find((d) => d.status === DeployStatus.Success);
  }

  private async publish(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (this.running) {
      req.resume();
      return send(res, 409, "There is a deployment currently in progress. Please try again when it completes.", { "Content-Type": "text/plain; charset=utf-8" });
    }
    const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    if (type !== "application/zip" && type !== "application/octet-stream") {
      req.resume();
      return send(res, 415, `OneDeploy takes the package as the request body with Content-Type application/zip (got '${type}').`, { "Content-Type": "text/plain; charset=utf-8" });
    }
    let zip: Buffer;
    try {
      zip = await readBytes(req, this.timings.maxPackageBytes);
    } catch (e) {
      if (e instanceof BodyTooLarge) return send(res, 413, `The package exceeds ${this.timings.maxPackageBytes} bytes.`, { "Content-Type": "text/plain; charset=utf-8" });
      throw e;
    }
    const remoteBuild = (url.searchParams.get("RemoteBuild") ?? url.searchParams.get("remotebuild") ?? "false").toLowerCase() === "true";
    const deployment = new Deployment(this.options.name, `https://${this.scmHost}`, remoteBuild, url.searchParams.get("Deployer") ?? "OneDeploy");
    this.deployments.push(deployment);
    this.running = deployment;
    deployment.note(`Received ${zip.length} bytes.`);
    void this.deploy(deployment, zip);
    send(res, 202, deployment.id, { Location: `https://${this.scmHost}/api/deployments/${deployment.id}` });
  }

  private async deploy(deployment: Deployment, zip: Buffer): Promise<void> {
    try {
      await sleep(this.timings.stepMs);
      deployment.begin();
      if (this.options.deploymentStorageForbidden) {
        deployment.finish(
          "Failed to upload because Azure Storage responded with Forbidden : Response status code does not indicate success: 403 (This request is not authorized to perform this operation.)",
        );
        return;
      }
      try {
        this.lastPackage = unpackFunctionsPackage(zip, this.wwwroot);
      } catch (e) {
        if (!(e instanceof PackageRejected)) throw e;
        deployment.finish(e.message);
        return;
      }
      deployment.note(`Extracted ${this.lastPackage.files} files.`);
      await sleep(this.timings.stepMs);
      deployment.finish();
      this.lastSuccessEndTime = deployment.endTime;
      this.functions = [];
      void this.restartHost();
    } catch (e) {
      if (!deployment.complete) deployment.finish(`Deployment failed: ${(e as Error).message}`);
    } finally {
      this.running = undefined;
    }
  }

  // Kudu's success says nothing about the host: it restarts, loads the app and only then lists the functions.
  private async restartHost(): Promise<void> {
    await sleep(this.timings.indexDelayMs);
    const outcome = await indexFunctions(this.wwwroot, this.options.appSettings ?? {});
    this.functions = outcome.ok ? outcome.functions : [];
    this.hostError = outcome.ok ? undefined : outcome.error;
  }
}
