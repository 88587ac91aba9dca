/**
 * Azure Table keys for checkpoints and the content ledger.
 * Table keys refuse / \ # ? and control characters; contentIds carry `$` and may carry anything else the service
 * chooses, so every key part is escaped reversibly: readable for the common case, safe for every character.
 */

// `~` escapes itself; `%` and `'` are escaped too because some clients mangle them in entity URLs.
const UNSAFE = /[\/\\#?%'~\u0000-\u001f\u007f-\u009f]/g;

export function encodeKeyPart(value: string): string {
  return value.replace(UNSAFE, (c) => `~${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

export function decodeKeyPart(key: string): string {
  return key.replace(/~([0-9a-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Checkpoints: one partition per tenant, one row per content type. */
export function checkpointKey(tenantId: string, contentType: string): { partitionKey: string; rowKey: string } {
  return { partitionKey: encodeKeyPart(tenantId), rowKey: encodeKeyPart(contentType) };
}

/**
 * Ledger partitions hold one hour of contentCreated per tenant × content type, so the planner reads only the hours
 * it re-lists, expiry checks read only the oldest hours, and the 8-day purge is a key-range query.
 */
export function ledgerPartitionPrefix(tenantId: string, contentType: string): string {
  return `${encodeKeyPart(tenantId)}|${encodeKeyPart(contentType)}|`;
}

export function ledgerPartitionKey(tenantId: string, contentType: string, contentCreated: Date): string {
  return ledgerPartitionPrefix(tenantId, contentType) + hourBucket(contentCreated);
}

/** `YYYYMMDDHH` in UTC: sorts lexically in time order. */
export function hourBucket(at: Date): string {
  return at.toISOString().slice(0, 13).replace(/[-T]/g, "");
}

export function ledgerRowKey(contentId: string): string {
  return encodeKeyPart(contentId);
}
