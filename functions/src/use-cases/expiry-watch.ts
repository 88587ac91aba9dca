// The expiry watch: pending content that may expire before a worker reads it. Every such blob is an alert (an
// error-level log line) from the planner, and a figure of the health endpoint.
import { LEDGER_RETENTION_DAYS, PENDING_STATES, type ContentLedger, type LedgerEntry } from "../state/content-ledger";
import type { PipelineLog } from "./engine-log";
import { DAY, HOUR, MINUTE } from "./listing-window";

/** Content not ingested this close to its expiration raises an alert... */
export const EXPIRY_ALERT_MS = 24 * HOUR;
/** ...once it has waited this long (a back-fill enqueues day-old blobs that the workers take within minutes)... */
const EXPIRY_ALERT_GRACE_MS = HOUR;
/** ...or sooner when this little life is left... */
const EXPIRY_ALERT_URGENT_MS = 2 * HOUR;
/** ...but never in the run that listed it: a catch-up lists week-old blobs that the workers land before the next timer
 *  tick (5 min), and that is the engine working, not a page. Still pending one run later, it is an alarm. */
const EXPIRY_ALERT_FIRST_RUN_MS = 4 * MINUTE;

/** A pending blob at risk of expiring unread: the planner's alert and the health endpoint's "expiring" figure. */
export function atRiskOfExpiry(e: Pick<LedgerEntry, "contentExpiration" | "listedAt">, now: Date): boolean {
  const left = Date.parse(e.contentExpiration) - now.getTime();
  if (!(left < EXPIRY_ALERT_MS)) return false;
  const waited = e.listedAt ? now.getTime() - e.listedAt.getTime() : Infinity;
  return waited >= EXPIRY_ALERT_GRACE_MS || (left < EXPIRY_ALERT_URGENT_MS && waited >= EXPIRY_ALERT_FIRST_RUN_MS);
}

/** Pending content within a day of expiring: every such blob is logged at error level (that is the alert). */
export async function alertExpiring(
  ledger: Pick<ContentLedger, "entries">,
  tenantId: string,
  contentType: string,
  now: Date,
  log: PipelineLog,
): Promise<number> {
  const horizon = now.getTime() + EXPIRY_ALERT_MS;
  // contentExpiration = contentCreated + 7 d, so only the hours created more than 6 days ago can be near expiry.
  const from = new Date(now.getTime() - LEDGER_RETENTION_DAYS * DAY);
  const to = new Date(horizon - 7 * DAY);
  let count = 0;
  for await (const e of ledger.entries(tenantId, contentType, from, to, { states: PENDING_STATES })) {
    if (!atRiskOfExpiry(e, now)) continue;
    count++;
    if (count <= 20) {
      const left = Date.parse(e.contentExpiration) - now.getTime();
      log.error(
        `content ${e.contentId} (${tenantId} ${contentType}) is still ${e.state} and ` +
          (left > 0 ? `expires in ${Math.round(left / MINUTE)} min` : `expired at ${e.contentExpiration}`) +
          `${e.lastError ? ` (last error: ${e.lastError})` : ""}: check the worker (queue backlog, poison queue, errors).`,
        { tenant: tenantId, contentType, contentId: e.contentId, stage: "expiry-watch", outcome: left > 0 ? "expiring" : "expiredUnread", state: e.state, minutesLeft: Math.round(left / MINUTE), code: e.lastErrorCode },
      );
    }
  }
  if (count > 20) {
    log.error(`${count} blobs of ${tenantId} ${contentType} are near or past expiry without being ingested (20 listed above).`, {
      tenant: tenantId,
      contentType,
      stage: "expiry-watch",
      outcome: "expiring",
      blobs: count,
    });
  }
  return count;
}
