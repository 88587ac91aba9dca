import { randomBytes } from "node:crypto";
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  BlobServiceClient,
  ContainerClient,
  generateAccountSASQueryParameters,
  StorageSharedKeyCredential,
} from "@azure/storage-blob";
import { QueueClient, QueueServiceClient } from "@azure/storage-queue";
import { TableClient } from "@azure/data-tables";
import type { Azurite } from "../azurite";

/**
 * The storage account the emulated ingestion service uses: Azurite's in the emulated cloud (its well-known account
 * name and key are DEV_ACCOUNT_NAME / DEV_ACCOUNT_KEY in local/azurite.ts).
 */
export type StorageAccount = Pick<Azurite, "connectionString" | "blob" | "queue" | "table" | "accountName" | "accountKey">;

/** Names the real service uses too (real ones carry random suffixes). */
export const RESOURCE_NAMES = {
  aggregationQueue: "readyforaggregation-secured",
  failedQueue: "failedingestions",
  successQueue: "successfulingestions",
  tempContainer: "ingestdata",
  statusTable: "ingestionsstatus",
} as const;

/** The resource names with a suffix, as the real service has them; lets two emulated clusters share one account. */
export function resourceNames(suffix = ""): { -readonly [K in keyof typeof RESOURCE_NAMES]: string } {
  if (suffix && !/^[a-z0-9]{1,20}$/.test(suffix)) {
    throw new RangeError(`ADX emulator resource suffix '${suffix}' must be 1–20 lower-case letters or digits (it ends queue, container and table names).`);
  }
  const dash = suffix ? `-${suffix}` : "";
  return {
    aggregationQueue: RESOURCE_NAMES.aggregationQueue + dash,
    failedQueue: RESOURCE_NAMES.failedQueue + dash,
    successQueue: RESOURCE_NAMES.successQueue + dash,
    tempContainer: RESOURCE_NAMES.tempContainer + dash,
    statusTable: RESOURCE_NAMES.statusTable + suffix, // table names take no dashes
  };
}

/**
 * The queues, container and table behind `.get ingestion resources`, created in the storage account, with the
 * SAS-bearing URLs handed to clients and shared-key clients for the emulator's own use.
 */
export class IngestionResources {
  readonly aggregationQueue: QueueClient;
  readonly failedQueue: QueueClient;
  readonly successQueue: QueueClient;
  readonly tempContainer: ContainerClient;
  readonly statusTable: TableClient;
  /** Stands in for the Kusto identity token: opaque, checked only for presence. */
  readonly authorizationContext = `emulated-kusto-identity-${randomBytes(12).toString("hex")}`;
  private readonly sas: string;

  private constructor(
    readonly account: StorageAccount,
    readonly names: ReturnType<typeof resourceNames>,
  ) {
    const queues = QueueServiceClient.fromConnectionString(account.connectionString);
    this.aggregationQueue = queues.getQueueClient(names.aggregationQueue);
    this.failedQueue = queues.getQueueClient(names.failedQueue);
    this.successQueue = queues.getQueueClient(names.successQueue);
    this.tempContainer = BlobServiceClient.fromConnectionString(account.connectionString).getContainerClient(names.tempContainer);
    this.statusTable = TableClient.fromConnectionString(account.connectionString, names.statusTable, { allowInsecureConnection: true });
    this.sas = generateAccountSASQueryParameters(
      {
        services: AccountSASServices.parse("bqt").toString(),
        resourceTypes: AccountSASResourceTypes.parse("sco").toString(),
        permissions: AccountSASPermissions.parse("rwdlacup"),
        startsOn: new Date(Date.now() - 5 * 60 * 1000),
        expiresOn: new Date(Date.now() + 7 * 24 * 60 * 60 * 1000),
      },
      new StorageSharedKeyCredential(account.accountName, account.accountKey),
    ).toString();
  }

  static async provision(account: StorageAccount, suffix?: string): Promise<IngestionResources> {
    const r = new IngestionResources(account, resourceNames(suffix));
    await Promise.all([
      r.aggregationQueue.createIfNotExists(),
      r.failedQueue.createIfNotExists(),
      r.successQueue.createIfNotExists(),
      r.tempContainer.createIfNotExists(),
      r.statusTable.createTable(), // no-op when it exists
    ]);
    return r;
  }

  /** Rows of `.get ingestion resources`: ResourceTypeName, StorageRoot. */
  resourceRows(): Array<[string, string]> {
    const a = this.account;
    const n = this.names;
    return [
      ["SecuredReadyForAggregationQueue", `${a.queue}/${n.aggregationQueue}?${this.sas}`],
      ["FailedIngestionsQueue", `${a.queue}/${n.failedQueue}?${this.sas}`],
      ["SuccessfulIngestionsQueue", `${a.queue}/${n.successQueue}?${this.sas}`],
      ["TempStorage", `${a.blob}/${n.tempContainer}?${this.sas}`],
      ["IngestionsStatusTable", `${a.table}/${n.statusTable}?${this.sas}`],
    ];
  }

  /** The blob name when `url` points into the temp container of this account, else undefined. */
  tempBlobName(url: string): string | undefined {
    const u = new URL(url);
    const prefix = new URL(`${this.account.blob}/${this.names.tempContainer}/`);
    if (u.origin !== prefix.origin || !u.pathname.startsWith(prefix.pathname)) return undefined;
    return decodeURIComponent(u.pathname.slice(prefix.pathname.length));
  }
}
