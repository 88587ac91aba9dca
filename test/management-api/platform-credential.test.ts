import { ClientSecretCredential, ManagedIdentityCredential, type TokenCredential } from "@azure/identity";
import type { RenewableCredential } from "../../functions/src/management-api/credentials";
import { platformCredential } from "../../functions/src/sinks/platform-credential";

const identity = (c: TokenCredential) => ((c as RenewableCredential).identity ?? c);

describe("the app's own identity towards ADX and Logs Ingestion", () => {
  it("is the managed identity unless an app registration's secret is configured, whatever the endpoint", () => {
    const own = platformCredential({});
    expect(own.forUrl("http://127.0.0.1:8080")).toBeInstanceOf(ManagedIdentityCredential);
    expect(own.forUrl("https://ingest-x.kusto.windows.net")).toBe(own.forUrl("http://127.0.0.1:8080"));
  });

  it("is the configured app registration when AZURE_CLIENT_SECRET is set, through the configured authority", () => {
    const env = {
      AZURE_TENANT_ID: "11111111-2222-3333-4444-555555555555",
      AZURE_CLIENT_ID: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
      AZURE_CLIENT_SECRET: "s",
      AZURE_AUTHORITY_HOST: "https://login.proxy.example",
    };
    expect(identity(platformCredential(env).forUrl("http://127.0.0.1:8080"))).toBeInstanceOf(ClientSecretCredential);
  });

  it("says which setting is missing when a secret comes without its tenant or client id", () => {
    expect(() => platformCredential({ AZURE_CLIENT_SECRET: "s" }).forUrl("https://x")).toThrow(/AZURE_TENANT_ID and AZURE_CLIENT_ID are not/);
  });
});
