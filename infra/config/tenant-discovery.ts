// A tenant given by its primary domain is turned into its id through Entra's public OpenID discovery document, which
// needs no token: its issuer is https://<login host>/<tenant id>/v2.0. Shared by the infra config and the CLI.
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { rootCertificates } from "node:tls";

export const AUTHORITY_HOSTS = { public: "https://login.microsoftonline.com", usgovernment: "https://login.microsoftonline.us" } as const;

export type AzureCloud = keyof typeof AUTHORITY_HOSTS;

export interface TenantDiscoveryOptions {
  /** Overrides the login host (a local stand-in of Entra's discovery endpoint). */
  authorityHost?: string;
  timeoutMs?: number;
  /** PEM of a CA to trust besides the public roots (the emulated login's per-run CA, a TLS-inspecting proxy's). */
  caPem?: string;
}

/** unknown-tenant: the login host answered that no tenant has the name; unreachable: no answer at all. */
export type TenantDiscoveryFailure = "unknown-tenant" | "unreachable" | "bad-document";

export class TenantDiscoveryError extends Error {
  constructor(
    readonly domain: string,
    readonly reason: string,
    readonly kind: TenantDiscoveryFailure = "bad-document",
  ) {
    super(`cannot resolve the tenant id of ${domain}: ${reason}`);
    this.name = "TenantDiscoveryError";
  }
}

function getText(url: string, opts: TenantDiscoveryOptions): Promise<{ status: number; text: string }> {
  const secure = url.startsWith("https:");
  const ca = secure && opts.caPem ? [...rootCertificates, opts.caPem] : undefined;
  return new Promise((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)(url, { method: "GET", ca, timeout: opts.timeoutMs ?? 10_000 }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${opts.timeoutMs ?? 10_000} ms`)));
    req.on("error", reject);
    req.end();
  });
}

export async function discoverTenantId(domain: string, cloud: AzureCloud, opts: TenantDiscoveryOptions = {}): Promise<string> {
  const host = (opts.authorityHost ?? AUTHORITY_HOSTS[cloud]).replace(/\/+$/, "");
  const url = `${host}/${encodeURIComponent(domain)}/v2.0/.well-known/openid-configuration`;
  let response: { status: number; text: string };
  try {
    response = await getText(url, opts);
  } catch (e) {
    throw new TenantDiscoveryError(domain, `${host} is unreachable (${(e as Error).message})`, "unreachable");
  }
  // Entra answers an unknown domain with 400 and AADSTS90002 ("Tenant not found").
  if (response.status < 200 || response.status > 299) {
    const code = /AADSTS\d+/.exec(response.text)?.[0];
    const kind = response.status === 400 || response.status === 404 ? "unknown-tenant" : "bad-document";
    throw new TenantDiscoveryError(domain, `${host} answered ${response.status}${code ? ` ${code}` : ""} (no tenant has this domain)`, kind);
  }
  let doc: { issuer?: unknown } = {};
  try {
    doc = JSON.parse(response.text) as { issuer?: unknown };
  } catch {
    // an unreadable document holds no issuer: reported below
  }
  const id = typeof doc.issuer === "string" ? /\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\//i.exec(doc.issuer)?.[1] : undefined;
  if (!id) throw new TenantDiscoveryError(domain, `the discovery document's issuer holds no tenant id`);
  return id.toLowerCase();
}
