import { readFileSync } from "node:fs";
import { ConfigError, loadConfig, MAX_DEQUEUE_COUNT_SETTING } from "../../functions/src/config";
import { closeAuditLake, getAuditLake } from "../../functions/src/composition-root";
import { HOST_JSON_PATH, readQueueHostSettings } from "../../local/runner/host-json";

const tenant = { tenantId: "9b6f5f3e-1c1a-4f0e-9a57-0d3f1b2c4d5e", credential: { kind: "managedIdentity" }, database: "audit_9b6f5f3e" };
const base = {
  AzureWebJobsStorage: "UseDevelopmentStorage=true",
  AUDIT_LAKE_TENANTS: JSON.stringify([tenant]),
  ADX_INGEST_URI: "https://ingest-lake.westeurope.kusto.windows.net",
};

function problems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).code).toBe("InvalidConfiguration");
    return (e as ConfigError).problems;
  }
  throw new Error("expected the settings to be refused");
}

describe("app settings", () => {
  test("streaming ingestion is refused with the reason and the alternative (it was removed: queued ingestion batches)", () => {
    const found = problems({ ...base, ADX_INGEST_MODE: "streaming" });
    expect(found).toEqual([expect.stringMatching(/ADX_INGEST_MODE.*streaming ingestion was removed.*queued/)]);
  });

  test("a minimal configuration gets safe defaults for everything else", () => {
    const c = loadConfig(base);
    expect(c.tenants).toEqual([
      expect.objectContaining({
        tenantId: tenant.tenantId,
        cloud: "Enterprise",
        contentTypes: ["Audit.AzureActiveDirectory", "Audit.Exchange", "Audit.SharePoint", "Audit.General", "DLP.All"],
        database: "audit_9b6f5f3e",
      }),
    ]);
    expect(c.adx).toEqual({ ingestUri: base.ADX_INGEST_URI, mode: "queued" });
    expect(c.contentQueue).toBe("audit-content");
    expect(c.listing).toEqual({ overlapMinutes: 60, sweepIntervalMinutes: 360, sweepHours: 168 });
    expect(c.maxBlobBytes).toBe(64 * 1024 * 1024);
    expect(c.maxDequeueCount).toBe(JSON.parse(readFileSync(HOST_JSON_PATH, "utf8")).extensions.queues.maxDequeueCount);
    expect(c.sentinel).toBeUndefined();
    expect(c.storage).toEqual({ kind: "connectionString", connectionString: "UseDevelopmentStorage=true" });
  });

  test("one app serves many tenants, each with its own cloud, identity, content types and database", () => {
    const tenants = [
      tenant,
      {
        tenantId: "0f0e0d0c-0b0a-4909-8807-060504030201",
        cloud: "GCCHigh",
        credential: { kind: "federated", clientId: "11111111-2222-4333-8444-555555555555" },
        contentTypes: ["Audit.Exchange"],
        database: "audit_client2",
      },
    ];
    const c = loadConfig({ ...base, AUDIT_LAKE_TENANTS: JSON.stringify(tenants) });
    expect(c.tenants.map((t) => [t.cloud, t.credential.kind, t.contentTypes, t.database])).toEqual([
      ["Enterprise", "managedIdentity", expect.any(Array), "audit_9b6f5f3e"],
      ["GCCHigh", "federated", ["Audit.Exchange"], "audit_client2"],
    ]);
  });

  test("storage through the managed identity: Azure public cloud's endpoints from the account name alone", () => {
    const c = loadConfig({ ...base, AzureWebJobsStorage: undefined, AzureWebJobsStorage__accountName: "auditlakefn" });
    expect(c.storage).toEqual({ kind: "managedIdentity", queueServiceUri: "https://auditlakefn.queue.core.windows.net", tableServiceUri: "https://auditlakefn.table.core.windows.net", clientId: undefined });
  });

  test("storage in a sovereign cloud: the account's own service URIs, not *.core.windows.net", () => {
    const gov = { AzureWebJobsStorage__queueServiceUri: "https://auditlakefn.queue.core.usgovcloudapi.net/", AzureWebJobsStorage__tableServiceUri: "https://auditlakefn.table.core.usgovcloudapi.net/" };
    const c = loadConfig({ ...base, AzureWebJobsStorage: undefined, ...gov });
    expect(c.storage).toEqual({ kind: "managedIdentity", queueServiceUri: "https://auditlakefn.queue.core.usgovcloudapi.net", tableServiceUri: "https://auditlakefn.table.core.usgovcloudapi.net", clientId: undefined });
  });

  test("missing settings are each named with what to set", () => {
    const p = problems({});
    expect(p.join("\n")).toMatch(/AzureWebJobsStorage: is not set\. Set AzureWebJobsStorage to the storage account's connection string/);
    expect(p.join("\n")).toMatch(/AUDIT_LAKE_TENANTS: .*Set AUDIT_LAKE_TENANTS to a JSON array/);
    expect(p.join("\n")).toMatch(/ADX_INGEST_URI: .*Set ADX_INGEST_URI to the cluster's ingestion URI/);
  });

  test("a broken tenant entry is pointed at by index and field", () => {
    const bad = [{ ...tenant, tenantId: "contoso.onmicrosoft.com", credential: { kind: "password" }, database: "bad/name" }];
    const p = problems({ ...base, AUDIT_LAKE_TENANTS: JSON.stringify(bad) }).join("\n");
    expect(p).toMatch(/AUDIT_LAKE_TENANTS at \[0\]\.tenantId: expected a GUID/);
    expect(p).toMatch(/AUDIT_LAKE_TENANTS at \[0\]\.credential\.kind/);
    expect(p).toMatch(/AUDIT_LAKE_TENANTS at \[0\]\.database: expected an Azure Data Explorer database name/);
  });

  test("AUDIT_LAKE_TENANTS that is not JSON says so", () => {
    expect(problems({ ...base, AUDIT_LAKE_TENANTS: "[{tenantId:" }).join("\n")).toMatch(/AUDIT_LAKE_TENANTS: is not valid JSON/);
  });

  test("a tenant listed twice is refused", () => {
    expect(problems({ ...base, AUDIT_LAKE_TENANTS: JSON.stringify([tenant, tenant]) }).join("\n")).toMatch(/lists a tenantId twice/);
  });

  test("Sentinel forwarding is all or nothing", () => {
    expect(problems({ ...base, SENTINEL_DCE_URI: "https://dce.westeurope-1.ingest.monitor.azure.com" }).join("\n")).toMatch(
      /Sentinel forwarding: is only partly configured\. Set all three of SENTINEL_DCE_URI, SENTINEL_DCR_ID and SENTINEL_STREAM/,
    );
    const c = loadConfig({
      ...base,
      SENTINEL_DCE_URI: "https://dce.westeurope-1.ingest.monitor.azure.com",
      SENTINEL_DCR_ID: "dcr-0123456789abcdef0123456789abcdef",
      SENTINEL_STREAM: "Custom-MailAccess_CL",
    });
    expect(c.sentinel).toEqual(expect.objectContaining({ dcrImmutableId: "dcr-0123456789abcdef0123456789abcdef", streamName: "Custom-MailAccess_CL" }));
  });

  test("numbers out of range name their bounds", () => {
    const p = problems({ ...base, LISTING_OVERLAP_MINUTES: "2", [MAX_DEQUEUE_COUNT_SETTING]: "zero", CONTENT_QUEUE: "Audit_Content" }).join("\n");
    expect(p).toMatch(/LISTING_OVERLAP_MINUTES: .*Set LISTING_OVERLAP_MINUTES to minutes between 5 and 1440/);
    expect(p).toMatch(/AzureFunctionsJobHost__extensions__queues__maxDequeueCount: .*or leave it unset for host.json's extensions.queues.maxDequeueCount \(\d+\)/);
    expect(p).toMatch(/CONTENT_QUEUE: .*lower-case letters/);
  });

  test("a webhook address without its auth id is refused", () => {
    expect(problems({ ...base, WEBHOOK_ADDRESS: "https://lake.azurewebsites.net/api/webhook" }).join("\n")).toMatch(/WEBHOOK_AUTH_ID: is required when WEBHOOK_ADDRESS is set/);
  });
});

test("a malformed AUDIT_LAKE_TENANTS is reported by line, column and field, never by its content (it may hold a client secret)", () => {
  const secret = "S3cr3tV4lue~abcdefghij";
  const texts = [
    `[{"tenantId":"${tenant.tenantId}","credential":{"kind":"secret","clientId":"c","clientSecret":${secret}},"database":"audit_x"}]`,
    `[{"tenantId":"${tenant.tenantId}","credential":{"kind":"secret","clientId":"c","clientSecret":"${secret}" "database":"audit_x"}}]`,
    `[{"tenantId":"${tenant.tenantId}",\n "credential":{"kind":"secret","clientSecret":"${secret}`,
  ];
  const found = texts.map((t) => problems({ ...base, AUDIT_LAKE_TENANTS: t }));
  for (const p of found) {
    expect(p).toHaveLength(1);
    expect(p[0]).not.toContain(secret.slice(0, 6));
    expect(p[0]).not.toMatch(/S3cr|4lue|abcdef/);
  }
  expect(found[0]![0]).toMatch(/^AUDIT_LAKE_TENANTS: is not valid JSON \(line 1, column \d+, in \[0\]\.credential\.clientSecret;/);
  expect(found[1]![0]).toMatch(/line 1, column \d+, in \[0\]\.credential/);
  expect(found[2]![0]).toMatch(/line 2, column \d+, in \[0\]\.credential\.clientSecret/);
});

test("forwarding is a tenant's own property: off by default, and refused without a Sentinel destination", () => {
  expect(loadConfig(base).tenants[0]!.forwardMailAccess).toBe(false);
  const forwarding = { ...base, AUDIT_LAKE_TENANTS: JSON.stringify([{ ...tenant, forwardMailAccess: true }]) };
  expect(problems(forwarding)).toEqual([expect.stringMatching(/^AUDIT_LAKE_TENANTS at \[0\]\.forwardMailAccess: is true but no Sentinel destination is set/)]);
  const sentinel = { SENTINEL_DCE_URI: "https://dce.westeurope-1.ingest.monitor.azure.com", SENTINEL_DCR_ID: "dcr-0123456789abcdef0123456789abcdef", SENTINEL_STREAM: "Custom-M365MailItemsAccessed_CL" };
  expect(loadConfig({ ...forwarding, ...sentinel }).tenants[0]!.forwardMailAccess).toBe(true);
  // One destination is one tenant's workspace: a second forwarding tenant would put its rows there.
  const other = { ...tenant, tenantId: "1b6f5f3e-1c1a-4f0e-9a57-0d3f1b2c4d5e", database: "audit_other" };
  const two = { ...base, ...sentinel, AUDIT_LAKE_TENANTS: JSON.stringify([{ ...tenant, forwardMailAccess: true }, { ...other, forwardMailAccess: true }]) };
  expect(problems(two)).toEqual([expect.stringMatching(/^AUDIT_LAKE_TENANTS: has 2 tenants with forwardMailAccess \(\[0\], \[1\]\).*Keep forwardMailAccess on one tenant/)]);
});

test("a webhook address must be https except on loopback", () => {
  const ok = (address: string) => loadConfig({ ...base, WEBHOOK_ADDRESS: address, WEBHOOK_AUTH_ID: "a-long-secret" }).webhook?.address;
  expect(ok("https://lake.azurewebsites.net/api/webhook")).toBe("https://lake.azurewebsites.net/api/webhook");
  expect(ok("http://127.0.0.1:7071/api/webhook")).toBe("http://127.0.0.1:7071/api/webhook");
  expect(problems({ ...base, WEBHOOK_ADDRESS: "http://lake.example.com/api/webhook", WEBHOOK_AUTH_ID: "a-long-secret" }).join("\n")).toMatch(
    /WEBHOOK_ADDRESS: must be https \(plain http is allowed on loopback only\)/,
  );
});

test("ADX's ingestion URI must be https except on loopback: the app's ADX token never travels in clear text", () => {
  const ingest = (uri: string) => loadConfig({ ...base, ADX_INGEST_URI: uri }).adx.ingestUri;
  expect(ingest("https://ingest-lake.westeurope.kusto.windows.net")).toBe("https://ingest-lake.westeurope.kusto.windows.net");
  expect(ingest("http://127.0.0.1:8080")).toBe("http://127.0.0.1:8080");
  expect(ingest("http://localhost:8080")).toBe("http://localhost:8080");
  for (const uri of ["http://ingest-lake.westeurope.kusto.windows.net", "http://10.0.0.4:8080"]) {
    expect(problems({ ...base, ADX_INGEST_URI: uri }).join("\n")).toMatch(/ADX_INGEST_URI: must be https \(plain http is allowed on loopback only\)/);
  }
});

describe("the shared engine", () => {
  afterEach(() => closeAuditLake());

  test("is built once per settings: unchanged settings reuse it, a changed setting rebuilds it, wrong settings are refused every time", () => {
    const first = getAuditLake({ ...base, UNRELATED_SETTING: "a" });
    expect(getAuditLake({ ...base, UNRELATED_SETTING: "b" })).toBe(first);
    const changed = getAuditLake({ ...base, [MAX_DEQUEUE_COUNT_SETTING]: "7" });
    expect(changed).not.toBe(first);
    expect(changed.settings.maxDequeueCount).toBe(7);
    const wrong = { ...base, [MAX_DEQUEUE_COUNT_SETTING]: "0" };
    expect(() => getAuditLake(wrong)).toThrow(ConfigError);
    expect(() => getAuditLake(wrong)).toThrow(ConfigError);
    expect(getAuditLake({ ...base, [MAX_DEQUEUE_COUNT_SETTING]: "7" })).toBe(changed);
  });
});

describe("the last dequeue", () => {
  test("the worker and the local host read the same one: host.json's, or the host's override app setting", () => {
    const hostJson = JSON.parse(readFileSync(HOST_JSON_PATH, "utf8")).extensions.queues.maxDequeueCount;
    for (const [override, expected] of [[undefined, hostJson], ["7", 7], ["1", 1]] as const) {
      const settings = override === undefined ? {} : { [MAX_DEQUEUE_COUNT_SETTING]: override };
      expect(loadConfig({ ...base, ...settings }).maxDequeueCount).toBe(expected);
      expect(readQueueHostSettings(HOST_JSON_PATH, settings).maxDequeueCount).toBe(expected);
    }
  });

  test("a host override that is no number of attempts is refused by both, naming the setting", () => {
    const wrong = { [MAX_DEQUEUE_COUNT_SETTING]: "zero" };
    expect(() => readQueueHostSettings(HOST_JSON_PATH, wrong)).toThrow(/AzureFunctionsJobHost__extensions__queues__maxDequeueCount is "zero": set it to a whole number/);
    expect(() => loadConfig({ ...base, ...wrong })).toThrow(/AzureFunctionsJobHost__extensions__queues__maxDequeueCount: .*leave it unset for host.json's/);
  });
});
