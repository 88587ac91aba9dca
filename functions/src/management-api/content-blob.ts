// Content blobs: a JSON array of audit records, fetched from the contentUri a listing returned.
import type { ApiPipeline } from "./http-pipeline";

export interface ContentBlob {
  records: unknown[];
  /** Body size as received, for throughput figures. */
  bytes: number;
}

export async function fetchContentBlob(
  pipeline: ApiPipeline,
  contentUri: string,
  maxBlobBytes: number,
  signal?: AbortSignal,
): Promise<ContentBlob> {
  const res = await pipeline.send({
    operation: "content",
    method: "GET",
    url: contentUri,
    signal,
    maxBodyBytes: maxBlobBytes,
    describeBody: `Content blob ${contentUri.split("?")[0]}`,
    validate: (json) => (Array.isArray(json) ? null : "expected a JSON array of audit records"),
  });
  return { records: res.json as unknown[], bytes: res.bytes };
}
