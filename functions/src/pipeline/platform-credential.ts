import { ManagedIdentityCredential, type AccessToken, type TokenCredential } from "@azure/identity";
import { isLoopbackHost } from "../management-api";

/**
 * The Function App's own identity towards Azure Data Explorer and the Logs Ingestion API: its managed identity
 * (user-assigned when AZURE_CLIENT_ID is set). Loopback endpoints are the local emulators, which take any bearer token.
 */
export function platformCredential(env: Record<string, string | undefined> = process.env): { forUrl(url: string): TokenCredential } {
  let managed: TokenCredential | undefined;
  return {
    forUrl(url: string): TokenCredential {
      if (isLoopbackHost(new URL(url).hostname)) return emulatorCredential;
      managed ??= env.AZURE_CLIENT_ID ? new ManagedIdentityCredential({ clientId: env.AZURE_CLIENT_ID }) : new ManagedIdentityCredential();
      return managed;
    },
  };
}

const emulatorCredential: TokenCredential = {
  async getToken(): Promise<AccessToken> {
    return { token: "local-emulator", expiresOnTimestamp: Date.now() + 3600_000 };
  },
};
