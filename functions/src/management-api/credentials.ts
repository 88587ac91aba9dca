// Which identity reads a tenant's audit feed, chosen by configuration. Order of preference: managed identity (own
// tenant), federated credential trusting the managed identity (MSSP, no secret), certificate, secret (last resort).
import { readFileSync } from "node:fs";
import {
  type AccessToken,
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredential,
} from "@azure/identity";
import { z } from "zod";
import { isKnownAuthorityHost } from "./clouds";
import { ClientErrorCodes, ManagementApiError } from "./errors";
import type { RefreshingGetTokenOptions } from "./token-policy";

/** `authorityCaFile`: a PEM CA the login authority's certificate chains to, beside the system's (a TLS-inspecting proxy, the local emulator). */
export type CredentialConfig =
  | { kind: "managedIdentity"; clientId?: string }
  // MSSP: multi-tenant app whose federated identity credential trusts the Function's managed identity.
  | { kind: "federated"; clientId: string; managedIdentityClientId?: string; assertionAudience?: string; authorityCaFile?: string }
  | { kind: "certificate"; clientId: string; certificatePath: string; authorityCaFile?: string }
  | { kind: "secret"; clientId: string; clientSecret: string; authorityCaFile?: string };

export type CredentialKind = CredentialConfig["kind"];

const guid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be a GUID");

/** zod schema of {@link CredentialConfig}, for configuration loaders. */
export const credentialConfigSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("managedIdentity"), clientId: guid.optional() }),
  z.object({
    kind: z.literal("federated"),
    clientId: guid,
    managedIdentityClientId: guid.optional(),
    assertionAudience: z.string().min(1).optional(),
    authorityCaFile: z.string().min(1).optional(),
  }),
  z.object({ kind: z.literal("certificate"), clientId: guid, certificatePath: z.string().min(1), authorityCaFile: z.string().min(1).optional() }),
  z.object({ kind: z.literal("secret"), clientId: z.string().min(1), clientSecret: z.string().min(1), authorityCaFile: z.string().min(1).optional() }),
]);

/** Audience of the managed-identity token used as the federated assertion (it differs in US Government clouds). */
export function federatedAssertionAudience(authorityHost: string): string {
  const host = new URL(authorityHost).hostname.toLowerCase();
  if (host.endsWith("microsoftonline.us")) return "api://AzureADTokenExchangeUSGov";
  if (host.endsWith("chinacloudapi.cn")) return "api://AzureADTokenExchangeChina";
  return "api://AzureADTokenExchange";
}

/**
 * Builds the TokenCredential for one tenant, always @azure/identity's own: the authority must be https (MSAL refuses
 * anything else), and off the public Entra hosts instance discovery is switched off.
 */
export function createManagementCredential(
  tenantId: string,
  cfg: CredentialConfig,
  endpoints: { authorityHost: string; tokenScope: string },
): TokenCredential {
  if (cfg.kind === "managedIdentity") {
    // The managed identity's token comes from the host (IMDS / App Service), not from the authority.
    return new RenewableCredential(() => (cfg.clientId ? new ManagedIdentityCredential({ clientId: cfg.clientId }) : new ManagedIdentityCredential()));
  }
  const authorityHost = httpsAuthority(endpoints.authorityHost);
  const msalOptions = {
    authorityHost,
    ...(isKnownAuthorityHost(authorityHost) ? {} : { disableInstanceDiscovery: true }),
    ...(cfg.authorityCaFile ? { tlsOptions: { ca: trustedCa(cfg.authorityCaFile) } } : {}),
  };
  switch (cfg.kind) {
    case "secret":
      return new RenewableCredential(() => new ClientSecretCredential(tenantId, cfg.clientId, cfg.clientSecret, msalOptions));
    case "federated": {
      const mi = cfg.managedIdentityClientId
        ? new ManagedIdentityCredential({ clientId: cfg.managedIdentityClientId })
        : new ManagedIdentityCredential();
      const audience = `${cfg.assertionAudience ?? federatedAssertionAudience(authorityHost)}/.default`;
      const getAssertion = async () => {
        const t = await mi.getToken(audience);
        if (!t?.token) throw new Error(`the managed identity returned no token for ${audience}`);
        return t.token;
      };
      return new RenewableCredential(() => new ClientAssertionCredential(tenantId, cfg.clientId, getAssertion, msalOptions));
    }
    case "certificate":
      return new RenewableCredential(
        () => new ClientCertificateCredential(tenantId, cfg.clientId, { certificatePath: cfg.certificatePath }, msalOptions),
      );
    default: {
      const kind = (cfg as { kind?: unknown }).kind;
      throw new ManagementApiError(
        `Unknown credential kind "${String(kind)}": use managedIdentity, federated, certificate or secret.`,
        { code: "InvalidCredentialConfig", status: 0, transient: false },
      );
    }
  }
}

/**
 * An @azure/identity credential that can be made to forget its token. MSAL caches a token until shortly before it
 * expires and offers no eviction, while the API may refuse it earlier (revoked, clock skew): on `forceRefresh` (the
 * token policy's hint after a 401) the credential is rebuilt, so the next token really is a new one.
 */
export class RenewableCredential implements TokenCredential {
  private current: TokenCredential;

  constructor(private readonly build: () => TokenCredential) {
    this.current = build();
  }

  /** The @azure/identity credential currently serving tokens. */
  get identity(): TokenCredential {
    return this.current;
  }

  getToken(scopes: string | string[], options: RefreshingGetTokenOptions = {}): Promise<AccessToken | null> {
    if (options.forceRefresh) this.current = this.build();
    const { forceRefresh: _hint, ...rest } = options;
    return this.current.getToken(scopes, rest);
  }
}

function httpsAuthority(authorityHost: string): string {
  let u: URL | undefined;
  try {
    u = new URL(authorityHost);
  } catch {
    // refused below
  }
  if (u?.protocol !== "https:" || u.username || u.password) {
    throw new ManagementApiError(
      `The login authority (authorityHost) "${authorityHost}" is not allowed: it must be an https URL without credentials ` +
        `(MSAL refuses anything else; the local login emulator is served over https with the emulated cloud's CA).`,
      { code: ClientErrorCodes.InsecureEndpoint, status: 0, transient: false },
    );
  }
  return u.toString().replace(/\/+$/, "");
}

function trustedCa(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new ManagementApiError(
      `The authority CA file (authorityCaFile) "${path}" cannot be read: ${(e as Error).message}. Point it at a PEM certificate, or remove it.`,
      { code: "InvalidCredentialConfig", status: 0, transient: false, cause: e },
    );
  }
}
