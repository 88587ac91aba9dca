// A tenant given by its primary domain is turned into its id through Entra's public OpenID discovery document, which
// needs no token: its issuer is https://<login host>/<tenant id>/v2.0.

export const AUTHORITY_HOSTS = { public: "https://login.microsoftonline.com", usgovernment: "https://login.microsoftonline.us" } as const;

export type AzureCloud = keyof typeof AUTHORITY_HOSTS;

export interface TenantDiscoveryOptions {
  /** Overrides the login host (a local stand-in of Entra's discovery endpoint). */
  authorityHost?: string;
  timeoutMs?: number;
}

export class TenantDiscoveryError extends Error {
  constructor(
    readonly domain: string,
    readonly reason: string,
  ) {
    super(`cannot resolve the tenant id of ${domain}: ${reason}`);
    this.name = "TenantDiscoveryError";
  }
}

export async function discoverTenantId(domain: string, cloud: AzureCloud, opts: TenantDiscoveryOptions = {}): Promise<string> {
  const host = (opts.authorityHost ?? AUTHORITY_HOSTS[cloud]).replace(/\/+$/, "");
  const url = `${host}/${encodeURIComponent(domain)}/v2.0/.well-known/openid-configuration`;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
  } catch (e) {
    throw new TenantDiscoveryError(domain, `${host} is unreachable (${(e as Error).message})`);
  }
  // Entra answers an unknown domain with 400 and AADSTS90002 ("Tenant not found").
  if (!response.ok) {
    const body = await response.text().catch(() => "");
    const code = /AADSTS\d+/.exec(body)?.[0];
    throw new TenantDiscoveryError(domain, `${host} answered ${response.status}${code ? ` ${code}` : ""} (no tenant has this domain)`);
  }
  const doc = (await response.json().catch(() => ({}))) as { issuer?: unknown };
  const id = typeof doc.issuer === "string" ? /\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\//i.exec(doc.issuer)?.[1] : undefined;
  if (!id) throw new TenantDiscoveryError(domain, `the discovery document's issuer holds no tenant id`);
  return id.toLowerCase();
}
