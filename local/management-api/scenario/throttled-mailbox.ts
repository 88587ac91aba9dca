// One mailbox crosses Exchange's MailItemsAccessed limit: a mail-archiving connector opens message after message until
// the 1,000th record within 24 h; Exchange then writes one IsThrottled=True record and stops auditing Binds for 24 h.
import type { Random } from "../random";
import { logged, type LoggedRecord } from "./activity-log";
import { openSession } from "./client-session";
import { mailItemsAccessedRecord } from "./records/mail-items-accessed";
import type { EmulatedUser } from "./users";
import { pickBoundItems, type WorkdayContext } from "./workday";

const DAY = 86_400_000;
export const MAIL_ACCESS_THROTTLE_LIMIT = 1000;

const isMailAccess = (r: LoggedRecord, upn: string) => r.mailAccess?.mailboxUpn === upn;

/** Must run after every other story wrote its Exchange records: the limit counts all of the mailbox's records. */
export function generateThrottledMailbox(ctx: WorkdayContext, rng: Random, mailbox: EmulatedUser, anchorMs: number): Array<{ mailboxUpn: string; at: string }> {
  const { log, tenant: t } = ctx;
  const burstStart = Math.floor((anchorMs - rng.int(3, 4) * DAY - rng.int(0, 6) * 3_600_000) / 1000) * 1000;
  const session = openSession("archiver", t.officeIp, burstStart, rng, `ARCHIVE-${rng.hex(4).toUpperCase()}`);

  const burst: LoggedRecord[] = [];
  let ms = burstStart;
  for (let i = 0; i < MAIL_ACCESS_THROTTLE_LIMIT; i++) {
    const folders = pickBoundItems(ctx, rng, mailbox, ms, rng.int(1, 3));
    burst.push(logged(ms, mailItemsAccessedRecord(t, { id: rng.uuid(), ms, mailbox, actor: mailbox, session, accessType: "Bind", folders }, rng)));
    ms += rng.int(18, 30) * 1000;
  }

  // the limit is reached at the 1,000th record counted over any 24 h, the mailbox's own reads included
  const all = [...log.byContentType["Audit.Exchange"].filter((r) => isMailAccess(r, mailbox.upn)), ...burst].sort((a, b) => a.ms - b.ms);
  let reachedAt = -1;
  for (let i = 0, lo = 0; i < all.length; i++) {
    while (all[lo].ms <= all[i].ms - DAY) lo++;
    if (i - lo + 1 >= MAIL_ACCESS_THROTTLE_LIMIT) {
      reachedAt = all[i].ms;
      break;
    }
  }
  const throttledAt = reachedAt + 1000;
  for (const r of burst) if (r.ms <= reachedAt) log.byContentType["Audit.Exchange"].push(r);
  // Bind auditing pauses for 24 h; Sync records keep coming
  log.remove("Audit.Exchange", (r) => isMailAccess(r, mailbox.upn) && r.mailAccess!.accessType === "Bind" && r.ms >= throttledAt && r.ms < throttledAt + DAY);
  log.add("Audit.Exchange", throttledAt, mailItemsAccessedRecord(t, { id: rng.uuid(), ms: throttledAt, mailbox, actor: mailbox, session, accessType: "Bind", throttled: true }, rng));
  return [{ mailboxUpn: mailbox.upn, at: new Date(throttledAt).toISOString() }];
}
