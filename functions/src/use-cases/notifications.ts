import { ClientErrorCodes, isContentType } from "../management-api";
import type { ContentIntake } from "./content-intake";
import { contentRef, contentRefSchema, type ContentRef } from "../state/content-ref";
import { pipelineLog, type EngineLog } from "./engine-log";

/** A webhook notification: the Management API POSTs an array of these (content objects plus tenantId, clientId). */
const notificationSchema = contentRefSchema;

export interface NotificationOutcome {
  enqueued: number;
  known: number;
  rejected: number;
}

export interface NotifiedTenant {
  contentTypes: readonly string[];
  /** Why a contentUri is not the tenant's own feed path for contentId (undefined when it is): the tenant's client decides. */
  contentUriProblem(contentId: string, contentUri: string): string | undefined;
}

/**
 * Announced blobs go through the same ledger + queue path as listed ones (so a blob both announced and listed is
 * enqueued once). Items for unknown tenants, unsubscribed content types or a contentUri other than the blob's own
 * feed path are rejected and logged;
 * polling stays the source of truth, so nothing is lost by rejecting.
 */
export async function admitNotifications(
  body: unknown,
  tenants: Map<string, NotifiedTenant>,
  intake: ContentIntake,
  hostLog: EngineLog,
): Promise<NotificationOutcome> {
  const log = pipelineLog(hostLog);
  const items = Array.isArray(body) ? body : [body];
  const outcome: NotificationOutcome = { enqueued: 0, known: 0, rejected: 0 };
  const admitted: ContentRef[] = [];
  for (const item of items) {
    const parsed = notificationSchema.safeParse(item);
    const reject = (why: string, code: string) => {
      outcome.rejected++;
      const claimed = (item ?? {}) as Record<string, unknown>;
      log.warn(`webhook: notification rejected (${why}): ${JSON.stringify(item).slice(0, 500)}`, {
        tenant: typeof claimed.tenantId === "string" ? claimed.tenantId.toLowerCase() : undefined,
        contentType: typeof claimed.contentType === "string" ? claimed.contentType : undefined,
        contentId: typeof claimed.contentId === "string" ? claimed.contentId : undefined,
        stage: "webhook",
        outcome: "rejected",
        code,
      });
    };
    if (!parsed.success) {
      reject(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "), "MalformedNotification");
      continue;
    }
    const n = { ...contentRef(parsed.data), tenantId: parsed.data.tenantId.toLowerCase() };
    const tenant = tenants.get(n.tenantId);
    let problem: string | undefined;
    if (!tenant) reject(`tenant ${n.tenantId} is not in AUDIT_LAKE_TENANTS`, "UnknownTenant");
    else if (!isContentType(n.contentType) || !tenant.contentTypes.includes(n.contentType)) reject(`content type ${n.contentType} is not collected for this tenant`, "ContentTypeNotCollected");
    else if ((problem = tenant.contentUriProblem(n.contentId, n.contentUri))) reject(problem, ClientErrorCodes.ForeignContentUri);
    else if (!admitted.some((a) => a.contentId === n.contentId && a.tenantId === n.tenantId)) admitted.push(n);
    else outcome.known++;
  }
  // One pass through the ledger and the queue for the whole notification (its blobs share messages).
  const enqueued = await intake.admitMany(admitted, "webhook");
  outcome.enqueued += enqueued.size;
  outcome.known += admitted.length - enqueued.size;
  return outcome;
}
