import { z } from "zod";
import { isContentType } from "../management-api";
import type { ContentIntake } from "./content-intake";
import type { EngineLog } from "./engine-log";

/** A webhook notification: the Management API POSTs an array of these (content objects plus tenantId, clientId). */
const notificationSchema = z.object({
  tenantId: z.string().min(1),
  contentType: z.string().min(1),
  contentId: z.string().min(1),
  contentUri: z.string().min(1),
  contentCreated: z.string().refine((s) => !Number.isNaN(Date.parse(s))),
  contentExpiration: z.string().refine((s) => !Number.isNaN(Date.parse(s))),
});

export interface NotificationOutcome {
  enqueued: number;
  known: number;
  rejected: number;
}

export interface NotifiedTenant {
  contentTypes: readonly string[];
  /** The tenant's client decides which contentUri may ever receive its token. */
  isAllowedUrl(url: string): boolean;
}

/**
 * Announced blobs go through the same ledger + queue path as listed ones (so a blob both announced and listed is
 * enqueued once). Items for unknown tenants, unsubscribed content types or foreign hosts are rejected and logged;
 * polling stays the source of truth, so nothing is lost by rejecting.
 */
export async function admitNotifications(
  body: unknown,
  tenants: Map<string, NotifiedTenant>,
  intake: ContentIntake,
  log: EngineLog,
): Promise<NotificationOutcome> {
  const items = Array.isArray(body) ? body : [body];
  const outcome: NotificationOutcome = { enqueued: 0, known: 0, rejected: 0 };
  for (const item of items) {
    const parsed = notificationSchema.safeParse(item);
    const reject = (why: string) => {
      outcome.rejected++;
      log.warn(`webhook: notification rejected (${why}): ${JSON.stringify(item).slice(0, 500)}`);
    };
    if (!parsed.success) {
      reject(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
      continue;
    }
    const n = { ...parsed.data, tenantId: parsed.data.tenantId.toLowerCase() };
    const tenant = tenants.get(n.tenantId);
    if (!tenant) reject(`tenant ${n.tenantId} is not in AUDIT_LAKE_TENANTS`);
    else if (!isContentType(n.contentType) || !tenant.contentTypes.includes(n.contentType)) reject(`content type ${n.contentType} is not collected for this tenant`);
    else if (!tenant.isAllowedUrl(n.contentUri)) reject(`contentUri is not on the tenant's API host`);
    else if ((await intake.admit(n, "webhook")) === "enqueued") outcome.enqueued++;
    else outcome.known++;
  }
  return outcome;
}
