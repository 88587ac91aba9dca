// The Function App's storage account: host state, the engine's tables and content queue, and the deployment container
// Flex Consumption reads the code package from. Entra ID only: shared keys off, so no connection string can exist.
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { StorageContainer } from "@cdktf/provider-azurerm/lib/storage-container";
import { Construct } from "../cdk";
import { ResourceRole } from "./resource-role";

export interface FunctionStorageProps {
  name: string;
  resourceGroupName: string;
  location: string;
  deploymentContainer: string;
  /** The principal that gets the data roles the Functions host and the engine need. */
  principalId: string;
  replication?: "LRS" | "ZRS";
}

/** The data roles identity-based AzureWebJobsStorage needs (blobs for host leases and the package, queues, tables). */
export const STORAGE_DATA_ROLES = ["Storage Blob Data Owner", "Storage Queue Data Contributor", "Storage Table Data Contributor"] as const;

export class FunctionStorage extends Construct {
  readonly account: StorageAccount;
  readonly deploymentContainer: StorageContainer;
  /** The identity's data roles: the site waits for them, so the host never starts without access to its storage. */
  readonly dataRoles: ResourceRole[];

  constructor(scope: Construct, id: string, props: FunctionStorageProps) {
    super(scope, id);
    this.account = new StorageAccount(this, "account", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      accountKind: "StorageV2",
      accountTier: "Standard",
      accountReplicationType: props.replication ?? "LRS",
      httpsTrafficOnlyEnabled: true,
      minTlsVersion: "TLS1_2",
      allowNestedItemsToBePublic: false,
      sharedAccessKeyEnabled: false,
      defaultToOauthAuthentication: true,
      localUserEnabled: false,
      sftpEnabled: false,
      crossTenantReplicationEnabled: false,
      infrastructureEncryptionEnabled: true,
    });
    this.deploymentContainer = new StorageContainer(this, "deployment", {
      name: props.deploymentContainer,
      storageAccountId: this.account.id,
      containerAccessType: "private",
    });
    this.dataRoles = STORAGE_DATA_ROLES.map((role, i) => new ResourceRole(this, `data-role-${i}`, { scope: this.account.id, role, principalId: props.principalId }));
  }

  /** The deployment container's URL, as Flex Consumption's functionAppConfig names it. */
  get deploymentContainerUrl(): string {
    return `${this.account.primaryBlobEndpoint}${this.deploymentContainer.name}`;
  }
}
