import { z } from "zod";

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "expected an ISO 8601 date");

/**
 * A content blob as the Management Activity API lists or announces it, plus its tenant: the one shape the listing,
 * the webhook's notifications, the queue messages and the content ledger all carry.
 */
export const contentRefSchema = z.object({
  tenantId: z.string().min(1),
  contentType: z.string().min(1),
  contentId: z.string().min(1),
  contentUri: z.string().min(1),
  contentCreated: isoDate,
  contentExpiration: isoDate,
});

export type ContentRef = z.infer<typeof contentRefSchema>;

/** Only the six fields, whatever else the source object carries (a listing entry, a ledger entry, a notification). */
export function contentRef(source: ContentRef): ContentRef {
  const { tenantId, contentType, contentId, contentUri, contentCreated, contentExpiration } = source;
  return { tenantId, contentType, contentId, contentUri, contentCreated, contentExpiration };
}

/** Tenant, content type and contentId: what names a blob in the ledger, the logs and ADX's ledger table. */
export function blobKey(ref: Pick<ContentRef, "tenantId" | "contentType" | "contentId">): string {
  return `${ref.tenantId.toLowerCase()}|${ref.contentType}|${ref.contentId}`;
}
