// The engine side of the Flex Consumption trap: azurerm writes AzureWebJobsStorage with an empty AccountKey next to
// the identity settings. The engine must then use the managed identity, never a keyless connection string.
import { loadConfig } from "../../functions/src/config";
import { effectiveStorageSettings, StorageAccount } from "../../functions/src/state/storage-account";

const TENANTS = JSON.stringify([{ tenantId: "11111111-1111-4111-8111-111111111111", credential: { kind: "managedIdentity" }, database: "audit_contoso" }]);
const CLIENT_ID = "44444444-4444-4444-8444-444444444444";
// What azurerm 4.55 writes on a Flex app that uses identity-based storage.
const FLEX_WRITTEN = "DefaultEndpointsProtocol=https;AccountName=contosoalst1a2b3c;AccountKey=;EndpointSuffix=core.windows.net";

const flexEnv = {
  AzureWebJobsStorage: FLEX_WRITTEN,
  AzureWebJobsStorage__accountName: "contosoalst1a2b3c",
  AzureWebJobsStorage__clientId: CLIENT_ID,
  AUDIT_LAKE_TENANTS: TENANTS,
  ADX_INGEST_URI: "https://ingest-contosoadx.westeurope.kusto.windows.net",
};

describe("a storage connection string without an account key counts as unset", () => {
  test("the Flex-written setting makes the engine reach storage with its managed identity over https", () => {
    const account = new StorageAccount(loadConfig(flexEnv).storage, flexEnv);
    const table = account.table("checkpoints");
    expect([table.url, table.tableName]).toEqual(["https://contosoalst1a2b3c.table.core.windows.net", "checkpoints"]);
    expect(account.queue("audit-content").url).toBe("https://contosoalst1a2b3c.queue.core.windows.net/audit-content");
  });

  test("the identity's client id comes from AzureWebJobsStorage__clientId", () => {
    expect(effectiveStorageSettings({ kind: "connectionString", connectionString: FLEX_WRITTEN }, flexEnv)).toEqual({
      kind: "managedIdentity",
      queueServiceUri: "https://contosoalst1a2b3c.queue.core.windows.net",
      tableServiceUri: "https://contosoalst1a2b3c.table.core.windows.net",
      clientId: CLIENT_ID,
    });
  });

  test("in US Government, the service URIs the template writes win; else the connection string's EndpointSuffix", () => {
    const gov = "DefaultEndpointsProtocol=https;AccountName=agencyst1;AccountKey=;EndpointSuffix=core.usgovcloudapi.net";
    const withUris = { AzureWebJobsStorage__queueServiceUri: "https://agencyst1.queue.core.usgovcloudapi.net/", AzureWebJobsStorage__tableServiceUri: "https://agencyst1.table.core.usgovcloudapi.net/" };
    const account = new StorageAccount(effectiveStorageSettings({ kind: "connectionString", connectionString: gov }, withUris), {});
    expect(account.queue("audit-content").url).toBe("https://agencyst1.queue.core.usgovcloudapi.net/audit-content");
    expect(account.table("checkpoints").url).toBe("https://agencyst1.table.core.usgovcloudapi.net");
    expect(effectiveStorageSettings({ kind: "connectionString", connectionString: gov }, {})).toMatchObject({ queueServiceUri: "https://agencyst1.queue.core.usgovcloudapi.net" });
  });

  test("with no AccountKey part at all, the account name is read from the connection string", () => {
    const keyless = "DefaultEndpointsProtocol=https;AccountName=otheraccount;EndpointSuffix=core.windows.net";
    expect(effectiveStorageSettings({ kind: "connectionString", connectionString: keyless }, {})).toEqual({
      kind: "managedIdentity",
      queueServiceUri: "https://otheraccount.queue.core.windows.net",
      tableServiceUri: "https://otheraccount.table.core.windows.net",
      clientId: undefined,
    });
  });

  test("connection strings that carry a credential are kept as they are", () => {
    for (const connectionString of [
      "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;",
      "BlobEndpoint=https://a.blob.core.windows.net/;QueueEndpoint=https://a.queue.core.windows.net/;SharedAccessSignature=sv=2024-01-01&sig=abc",
      "UseDevelopmentStorage=true",
    ]) {
      expect(effectiveStorageSettings({ kind: "connectionString", connectionString }, flexEnv)).toEqual({ kind: "connectionString", connectionString });
    }
  });

  test("a keyless connection string with no account name anywhere fails with what to set", () => {
    expect(() => effectiveStorageSettings({ kind: "connectionString", connectionString: "DefaultEndpointsProtocol=https;AccountKey=" }, {})).toThrow(
      /without an AccountKey.*set AzureWebJobsStorage__queueServiceUri and __tableServiceUri/,
    );
  });
});
