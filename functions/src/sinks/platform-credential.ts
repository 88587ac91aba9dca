import { ManagedIdentityCredential, type TokenCredential } from "@azure/identity";
import { createManagementCredential } from "../management-api";

/**
 * The Function App's own identity towards Azure Data Explorer and the Logs Ingestion API. In Azure: its managed
 * identity (user-assigned when AZURE_CLIENT_ID is set). With AZURE_CLIENT_SECRET set (beside AZURE_TENANT_ID and
 * AZURE_CLIENT_ID, as @azure/identity's EnvironmentCredential reads them): that app registration, through
 * AZURE_AUTHORITY_HOST and a CA from AZURE_AUTHORITY_CA_FILE when the authority's chain is private (a TLS-inspecting
 * proxy, or the local login emulator). Every endpoint gets the same identity: none is special-cased. `env` is the app
 * settings as the composition root read them: the sinks read no process environment of their own.
 */
export function platformCredential(env: Readonly<Record<string, string | undefined>>): { forUrl(url: string): TokenCredential } {
  let credential: TokenCredential | undefined;
  return {
    forUrl(_url: string): TokenCredential {
      credential ??= build(env);
      return credential;
    },
  };
}

function build(env: Readonly<Record<string, string | undefined>>): TokenCredential {
  if (!env.AZURE_CLIENT_SECRET) {
    return env.AZURE_CLIENT_ID ? new ManagedIdentityCredential({ clientId: env.AZURE_CLIENT_ID }) : new ManagedIdentityCredential();
  }
  const missing = ["AZURE_TENANT_ID", "AZURE_CLIENT_ID"].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new Error(
      `AZURE_CLIENT_SECRET is set but ${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} not: set the app ` +
        `registration's tenant and client id too, or remove AZURE_CLIENT_SECRET to use the managed identity.`,
    );
  }
  return createManagementCredential(
    env.AZURE_TENANT_ID!,
    { kind: "secret", clientId: env.AZURE_CLIENT_ID!, clientSecret: env.AZURE_CLIENT_SECRET, authorityCaFile: env.AZURE_AUTHORITY_CA_FILE },
    { authorityHost: env.AZURE_AUTHORITY_HOST ?? "https://login.microsoftonline.com", tokenScope: "" },
  );
}
