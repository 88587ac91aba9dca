import { odata, RestError, TableClient, type TransactionAction } from "@azure/data-tables";
import { ManagedIdentityCredential } from "@azure/identity";
import { QueueClient } from "@azure/storage-queue";
import type { StorageSettings } from "../config";

/**
 * The Function App's own storage account (AzureWebJobsStorage) holds the engine's state tables and the content queue.
 * Same account the host uses for its queue trigger, so the two always agree on where messages live.
 */
export class StorageAccount {
  private readonly credential?: ManagedIdentityCredential;
  private readonly settings: StorageSettings;

  constructor(settings: StorageSettings, env: Readonly<Record<string, string | undefined>>) {
    this.settings = settings = effectiveStorageSettings(settings, env);
    if (settings.kind === "managedIdentity")
      this.credential = settings.clientId ? new ManagedIdentityCredential({ clientId: settings.clientId }) : new ManagedIdentityCredential();
  }

  table(name: string): TableClient {
    const s = this.settings;
    // Azurite speaks plain http on loopback; the Table client refuses it unless told.
    if (s.kind === "connectionString") return TableClient.fromConnectionString(s.connectionString, name, { allowInsecureConnection: true });
    return new TableClient(s.tableServiceUri, name, this.credential!);
  }

  queue(name: string): QueueClient {
    const s = this.settings;
    if (s.kind === "connectionString") return new QueueClient(s.connectionString, name);
    return new QueueClient(`${s.queueServiceUri}/${name}`, this.credential!);
  }
}

/**
 * azurerm's Flex Consumption resource writes AzureWebJobsStorage with an empty AccountKey beside the identity settings
 * (provider issues #29693, #30732, #33211): a connection string that carries no credential counts as unset.
 */
export function effectiveStorageSettings(settings: StorageSettings, env: Readonly<Record<string, string | undefined>>): StorageSettings {
  if (settings.kind !== "connectionString" || carriesCredential(settings.connectionString)) return settings;
  const clientId = env.AzureWebJobsStorage__clientId || undefined;
  const queue = env.AzureWebJobsStorage__queueServiceUri;
  const table = env.AzureWebJobsStorage__tableServiceUri;
  if (queue && table) return { kind: "managedIdentity", queueServiceUri: queue.replace(/\/+$/, ""), tableServiceUri: table.replace(/\/+$/, ""), clientId };
  const accountName = env.AzureWebJobsStorage__accountName || connectionStringPart(settings.connectionString, "AccountName");
  if (!accountName) {
    throw new Error(
      "AzureWebJobsStorage is a connection string without an AccountKey and no identity-based storage setting is set: remove AzureWebJobsStorage and set AzureWebJobsStorage__queueServiceUri and __tableServiceUri (and __clientId) for managed identity.",
    );
  }
  // The connection string names the cloud's suffix (core.usgovcloudapi.net in US Government); public cloud's otherwise.
  const suffix = connectionStringPart(settings.connectionString, "EndpointSuffix") ?? "core.windows.net";
  return { kind: "managedIdentity", queueServiceUri: `https://${accountName}.queue.${suffix}`, tableServiceUri: `https://${accountName}.table.${suffix}`, clientId };
}

function carriesCredential(connectionString: string): boolean {
  if (/^\s*UseDevelopmentStorage=true\s*;?\s*$/i.test(connectionString)) return true;
  return Boolean(connectionStringPart(connectionString, "AccountKey") || connectionStringPart(connectionString, "SharedAccessSignature"));
}

function connectionStringPart(connectionString: string, key: string): string | undefined {
  const part = connectionString.split(";").find((p) => p.trim().toLowerCase().startsWith(`${key.toLowerCase()}=`));
  return part?.slice(part.indexOf("=") + 1).trim() || undefined;
}

const created = new WeakMap<TableClient, Promise<void>>();

/** Creates the table once per client (createTable succeeds when it exists); retried next call if the account was unreachable. */
export function ensureTable(table: TableClient): Promise<void> {
  let ready = created.get(table);
  if (!ready) {
    ready = table.createTable().catch((e) => {
      created.delete(table);
      throw e;
    });
    created.set(table, ready);
  }
  return ready;
}

export function asDate(v: unknown): Date | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  const d = v instanceof Date ? v : new Date(String(v));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function statusOf(err: unknown): number | undefined {
  return err instanceof RestError ? err.statusCode : (err as { statusCode?: number })?.statusCode;
}

export function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Deletes every entity whose PartitionKey is in [from, to). Returns how many. */
export async function deletePartitionRange(table: TableClient, from: string, to: string): Promise<number> {
  await ensureTable(table);
  const filter = odata`PartitionKey ge ${from} and PartitionKey lt ${to}`;
  const byPartition = new Map<string, string[]>();
  for await (const e of table.listEntities({ queryOptions: { filter, select: ["PartitionKey", "RowKey"] } })) {
    const rows = byPartition.get(e.partitionKey!) ?? [];
    rows.push(e.rowKey!);
    byPartition.set(e.partitionKey!, rows);
  }
  let deleted = 0;
  for (const [pk, rows] of byPartition) {
    // A transaction holds at most 100 operations, all in one partition.
    for (let i = 0; i < rows.length; i += 100) {
      const actions: TransactionAction[] = rows.slice(i, i + 100).map((rk) => ["delete", { partitionKey: pk, rowKey: rk }]);
      await table.submitTransaction(actions);
      deleted += actions.length;
    }
  }
  return deleted;
}
