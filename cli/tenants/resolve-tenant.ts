// What `--tenant` names, turned into a tenant id: an id passes through; a domain is resolved through the tenant's
// public OpenID discovery document (infra/config/tenant-discovery.ts, shared with the infra config).
import { discoverTenantId, TenantDiscoveryError, type AzureCloud } from "../../infra/config/tenant-discovery";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

export interface ResolveTenantOptions {
  cloud?: AzureCloud;
  /** Default: the cloud's login host (https://login.microsoftonline.com for public). */
  authorityHost?: string;
  /** PEM of an extra CA to trust for the login host (the emulated login's per-run CA). */
  caPem?: string;
  timeoutMs?: number;
}

export type ResolvedTenant = { tenantId: string; domain?: string; via: "id" | "discovery" };

export type TenantResolveFailure = "invalid-input" | "unknown-tenant" | "unreachable" | "bad-document";

export class TenantResolveError extends Error {
  constructor(
    readonly tenant: string,
    readonly kind: TenantResolveFailure,
    message: string,
  ) {
    super(message);
    this.name = "TenantResolveError";
  }
}

export async function resolveTenant(tenant: string, opts: ResolveTenantOptions = {}): Promise<ResolvedTenant> {
  const given = tenant.trim();
  if (GUID.test(given)) return { tenantId: given.toLowerCase(), via: "id" };
  if (!DOMAIN.test(given)) {
    throw new TenantResolveError(tenant, "invalid-input", `--tenant "${tenant}" is neither a tenant id (a GUID) nor a domain: pass the tenant id, or a verified domain such as contoso.onmicrosoft.com.`);
  }
  const domain = given.toLowerCase();
  try {
    const tenantId = await discoverTenantId(domain, opts.cloud ?? "public", { authorityHost: opts.authorityHost, caPem: opts.caPem, timeoutMs: opts.timeoutMs });
    return { tenantId, domain, via: "discovery" };
  } catch (e) {
    if (!(e instanceof TenantDiscoveryError)) throw e;
    const next = {
      "unknown-tenant": "check the spelling and the cloud (--cloud), or pass the tenant id instead.",
      unreachable: "check the network or proxy to the login host, or pass the tenant id instead (no lookup needed).",
      "bad-document": "the login host is not Entra's discovery endpoint: check --authority-host, or pass the tenant id instead.",
    }[e.kind];
    throw new TenantResolveError(tenant, e.kind, `${e.message}; ${next}`);
  }
}
