// Which identity reads a tenant's audit feed, chosen by configuration. Order of preference: managed identity (own
// tenant), federated credential trusting the managed identity (MSSP, no secret), certificate, secret (last resort).
import {
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredential,
} from "@azure/identity";
import { z } from "zod";
import { assertSecureEndpoint, isLoopbackHost } from "./api-origin";
import { isKnownAuthorityHost } from "./clouds";
import { ClientErrorCodes, ManagementApiError } from "./errors";
import { LocalClientSecretCredential } from "./local-client-credential";

export type CredentialConfig =
  | { kind: "managedIdentity"; clientId?: string }
  // MSSP: multi-tenant app whose federated identity credential trusts the Function's managed identity.
  | { kind: "federated"; clientId: string; managedIdentityClientId?: string; assertionAudience?: string }
  | { kind: "certificate"; clientId: string; certificatePath: string }
  | { kind: "secret"; clientId: string; clientSecret: string };

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
  }),
  z.object({ kind: z.literal("certificate"), clientId: guid, certificatePath: z.string().min(1) }),
  z.object({ kind: z.literal("secret"), clientId: z.string().min(1), clientSecret: z.string().min(1) }),
]);

/** Audience of the managed-identity token used as the federated assertion (it differs in US Government clouds). */
export function federatedAssertionAudience(authorityHost: string): string {
  const host = new URL(authorityHost).hostname.toLowerCase();
  if (host.endsWith("microsoftonline.us")) return "api://AzureADTokenExchangeUSGov";
  if (host.endsWith("chinacloudapi.cn")) return "api://AzureADTokenExchangeChina";
  return "api://AzureADTokenExchange";
}

/**
 * Builds the TokenCredential for one tenant. A plain-http authority on loopback (the local emulator) is served by a
 * small client-credentials credential because MSAL refuses http; any other http authority is refused.
 */
export function createManagementCredential(
  tenantId: string,
  cfg: CredentialConfig,
  endpoints: { authorityHost: string; tokenScope: string },
): TokenCredential {
  const authority = assertSecureEndpoint(endpoints.authorityHost, "The login authority (authorityHost)");
  const authorityHost = authority.toString().replace(/\/+$/, "");
  const plainHttpLoopback = authority.protocol === "http:" && isLoopbackHost(authority.hostname);
  // Off the public Entra hosts MSAL must not try instance discovery against the public cloud.
  const msalOptions = isKnownAuthorityHost(authorityHost)
    ? { authorityHost }
    : { authorityHost, disableInstanceDiscovery: true };

  switch (cfg.kind) {
    case "managedIdentity":
      // The managed identity's token comes from the host (IMDS / App Service), not from the authority.
      return cfg.clientId ? new ManagedIdentityCredential({ clientId: cfg.clientId }) : new ManagedIdentityCredential();
    case "secret":
      if (plainHttpLoopback) return new LocalClientSecretCredential(tenantId, cfg.clientId, cfg.clientSecret, authorityHost);
      return new ClientSecretCredential(tenantId, cfg.clientId, cfg.clientSecret, msalOptions);
    case "federated": {
      refuseHttpFor(cfg.kind, authorityHost, plainHttpLoopback);
      const mi = cfg.managedIdentityClientId
        ? new ManagedIdentityCredential({ clientId: cfg.managedIdentityClientId })
        : new ManagedIdentityCredential();
      const audience = `${cfg.assertionAudience ?? federatedAssertionAudience(authorityHost)}/.default`;
      const getAssertion = async () => {
        const t = await mi.getToken(audience);
        if (!t?.token) throw new Error(`the managed identity returned no token for ${audience}`);
        return t.token;
      };
      return new ClientAssertionCredential(tenantId, cfg.clientId, getAssertion, msalOptions);
    }
    case "certificate":
      refuseHttpFor(cfg.kind, authorityHost, plainHttpLoopback);
      return new ClientCertificateCredential(tenantId, cfg.clientId, { certificatePath: cfg.certificatePath }, msalOptions);
    default: {
      const kind = (cfg as { kind?: unknown }).kind;
      throw new ManagementApiError(
        `Unknown credential kind "${String(kind)}": use managedIdentity, federated, certificate or secret.`,
        { code: "InvalidCredentialConfig", status: 0, transient: false },
      );
    }
  }
}

function refuseHttpFor(kind: CredentialKind, authorityHost: string, plainHttp: boolean): void {
  if (!plainHttp) return;
  throw new ManagementApiError(
    `Credential kind "${kind}" needs an https authority (MSAL refuses ${authorityHost}); against the local emulator use ` +
      `kind "secret" with the emulated tenant's client id and secret.`,
    { code: ClientErrorCodes.InsecureEndpoint, status: 0, transient: false },
  );
}
