import { ClientSecretCredential } from "@azure/identity";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { mailAccessStream } from "../../kql/sentinel-stream";
import { LogsIngestionClient } from "@azure/monitor-ingestion";
import { KustoConnectionStringBuilder } from "azure-kusto-data";
import { DataFormat, IngestClient, IngestionProperties } from "azure-kusto-ingest";
import { Tables, jsonMappingName } from "../../kql/tables";
import { startEmulatedCloud, type EmulatedCloud } from "../../local/cloud";
import { localCredential, multijson } from "./fixtures";

describe("the emulated cloud, composed in-process", () => {
  let cloud: EmulatedCloud;

  beforeAll(async () => {
    cloud = await startEmulatedCloud({ seed: 4, tenants: 2, users: 5 });
  });

  afterAll(async () => {
    await cloud?.close();
  });

  test("describes every endpoint, the CA and the tenants with their ADX databases", () => {
    const d = cloud.describe() as Record<string, unknown>;
    expect(d).toMatchObject({
      managementApi: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      login: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/),
      adx: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      logsIngestion: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/),
      ca: join(cloud.dataDir, "tls", "ca.pem"),
      storage: { connectionString: expect.stringContaining("AccountName=devstoreaccount1;") },
      sentinel: cloud.sentinel,
      dataDir: cloud.dataDir,
    });
    expect(cloud.tenants).toHaveLength(2);
    for (const t of cloud.tenants) expect(t.database).toBe(`audit_${t.tenantId.replace(/-/g, "").slice(0, 8)}`);
    expect(d.tenants).toEqual(cloud.tenants.map((t) => ({ tenantId: t.tenantId, clientId: t.clientId, clientSecret: t.clientSecret, publisherId: t.publisherId, database: t.database })));
  });

  test("the Management API answers a tenant's client-credentials token", async () => {
    const t = cloud.tenants[1];
    // The login endpoint is HTTPS with the cloud's per-run CA, as Entra is: @azure/identity's own credential reads it.
    const credential = new ClientSecretCredential(t.tenantId, t.clientId, t.clientSecret, {
      authorityHost: cloud.login,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: cloud.caPem },
    });
    expect(cloud.login).toMatch(/^https:/);
    const access_token = (await credential.getToken("https://manage.office.com/.default")).token;
    const list = await fetch(`${cloud.managementApi}/api/v1.0/${t.tenantId}/activity/feed/subscriptions/list?PublisherIdentifier=${t.publisherId}`, {
      headers: { Authorization: `Bearer ${access_token}` },
    });
    expect(list.status).toBe(200);
  });

  test("ADX accepts queued ingestion into each tenant's database, through the cloud's Azurite", async () => {
    const client = new IngestClient(KustoConnectionStringBuilder.withTokenCredential(cloud.adx, localCredential));
    try {
      for (const t of cloud.tenants) {
        await client.ingestFromStream(
          multijson([{ TenantId: t.tenantId, ContentId: `content-of-${t.database}`, Status: "Ingested" }]),
          new IngestionProperties({ database: t.database, table: Tables.ledger, format: DataFormat.MULTIJSON, ingestionMappingReference: jsonMappingName(Tables.ledger) }),
        );
      }
      await cloud.adxStore.idle();
    } finally {
      client.close();
    }
    for (const t of cloud.tenants) {
      expect(cloud.adxStore.rows(t.database, Tables.ledger).map((r) => r.ContentId)).toEqual([`content-of-${t.database}`]);
      expect(existsSync(join(cloud.dataDir, "adx", t.database, `${Tables.ledger}.jsonl`))).toBe(true);
    }
  });

  test("Sentinel's Logs Ingestion endpoint takes rows of the kql/ mail-access stream from a client trusting caPem", async () => {
    expect(cloud.sentinel.streamName).toBe(mailAccessStream().streamName);
    const client = new LogsIngestionClient(cloud.logsIngestion, localCredential, { tlsOptions: { ca: cloud.caPem } });
    const row = { TimeGenerated: "2024-05-01T10:00:00Z", CreationTime: "2024-05-01T10:00:00Z", RecordId: "r-1", MailAccessType: "Bind" };
    await client.upload(cloud.sentinel.dcrImmutableId, cloud.sentinel.streamName, [row]);
    expect(cloud.logsStore.rows(cloud.sentinel.streamName)).toEqual([row]);
  });

  test("close() stops everything and removes the temp data folder it created", async () => {
    const { dataDir, adx } = cloud;
    await cloud.close();
    expect(existsSync(dataDir)).toBe(false);
    await expect(fetch(`${adx}/v1/rest/auth/metadata`)).rejects.toThrow();
    await expect(fetch(`${cloud.storage.queue}?comp=list`)).rejects.toThrow();
  });
});
