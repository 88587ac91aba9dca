import { BlobClient } from "@azure/storage-blob";
import { AdxIngestionError } from "./errors";
import type { IngestionResources } from "./ingestion-resources";

/**
 * Reads a blob an ingestion refers to: from the emulator's temp container with its own key, or any local blob URL
 * with the SAS it carries. The emulator never reaches beyond the loopback interface.
 */
export async function downloadBlob(blobPath: string, resources: IngestionResources | undefined): Promise<Buffer> {
  const where = blobPath.split("?")[0];
  let url: URL;
  try {
    url = new URL(blobPath);
  } catch {
    throw new AdxIngestionError("Download_SourceNotFound", `'${where}' is not a blob URL.`);
  }
  const tempBlob = resources?.tempBlobName(blobPath);
  if (!tempBlob && url.hostname !== "127.0.0.1" && url.hostname !== "localhost") {
    throw new AdxIngestionError("Download_Forbidden", `The ADX emulator reads blobs only from local storage (127.0.0.1); '${url.origin}' is not local.`);
  }
  const client = tempBlob && resources ? resources.tempContainer.getBlobClient(tempBlob) : new BlobClient(blobPath);
  try {
    return await client.downloadToBuffer();
  } catch (e) {
    const status = (e as { statusCode?: number }).statusCode;
    if (status === 404) throw new AdxIngestionError("Download_SourceNotFound", `Blob ${where} does not exist.`);
    if (status === 403) throw new AdxIngestionError("Download_Forbidden", `Blob ${where} cannot be read with the SAS given.`);
    throw new AdxIngestionError("ServiceUnavailable", `Downloading ${where} failed: ${(e as Error).message}`, false);
  }
}
