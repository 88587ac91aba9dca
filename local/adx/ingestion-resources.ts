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

/** The storage account the emulated ingestion service uses (Azurite's, in the emulated cloud). */
export interface StorageAccount {
  connectionString: string;
  blob: string;  // http://127.0.0.1:P/devstoreaccount1
  queue: string;
  table: string;
  accountName: string;
  accountKey: string;
}

/** Names the real service uses too (real ones carry random suffixes). */
export const RESOURCE_NAMES = {
  aggregationQueue: "readyforaggregation-secured",
  failedQueue: "failedingestions",
  successQueue: "successfulingestions",
  tempContainer: "ingestdata",
  statusTable: "ingestionsstatus",
} as const;

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

  private constructor(readonly account: StorageAccount) {
    const queues = QueueServiceClient.fromConnectionString(account.connectionString);
    this.aggregationQueue = queues.getQueueClient(RESOURCE_NAMES.aggregationQueue);
    this.failedQueue = queues.getQueueClient(RESOURCE_NAMES.failedQueue);
    this.successQueue = queues.getQueueClient(RESOURCE_NAMES.successQueue);
    this.tempContainer = BlobServiceClient.fromConnectionString(account.connectionString).getContainerClient(RESOURCE_NAMES.tempContainer);
    this.statusTable = TableClient.fromConnectionString(account.connectionString, RESOURCE_NAMES.statusTable, { allowInsecureConnection: true });
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

  static async provision(account: StorageAccount): Promise<IngestionResources> {
    const r = new IngestionResources(account);
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
    return [
      ["SecuredReadyForAggregationQueue", `${a.queue}/${RESOURCE_NAMES.aggregationQueue}?${this.sas}`],
      ["FailedIngestionsQueue", `${a.queue}/${RESOURCE_NAMES.failedQueue}?${this.sas}`],
      ["SuccessfulIngestionsQueue", `${a.queue}/${RESOURCE_NAMES.successQueue}?${this.sas}`],
      ["TempStorage", `${a.blob}/${RESOURCE_NAMES.tempContainer}?${this.sas}`],
      ["IngestionsStatusTable", `${a.table}/${RESOURCE_NAMES.statusTable}?${this.sas}`],
    ];
  }

  /** The blob name when `url` points into the temp container of this account, else undefined. */
  tempBlobName(url: string): string | undefined {
    const u = new URL(url);
    const prefix = new URL(`${this.account.blob}/${RESOURCE_NAMES.tempContainer}/`);
    if (u.origin !== prefix.origin || !u.pathname.startsWith(prefix.pathname)) return undefined;
    return decodeURIComponent(u.pathname.slice(prefix.pathname.length));
  }
}
