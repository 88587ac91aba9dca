// Around the clock, every day of the week: what keeps a tenant's audit log writing when nobody is at work — a service
// account whose connector reads an intake mailbox and files reports through a scheduled flow, a nightly admin job,
// a daily report mail that trips a DLP rule. Real tenants are never silent on a weekend; neither is the emulated one.
import { hash32, Random } from "../random";
import { openSession } from "./client-session";
import { dlpRecord } from "./records/dlp";
import { directoryRecord, signInRecord } from "./records/entra";
import { generalRecord } from "./records/general";
import { mailItemsAccessedRecord } from "./records/mail-items-accessed";
import { sharePointRecord } from "./records/sharepoint";
import { createUsers, type EmulatedUser } from "./users";
import { pickBoundItems, type WorkdayContext } from "./workday";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;
/** A connector run every two hours: any window of a few hours holds records of every hourly-published content type. */
const RUN_EVERY_MS = 2 * HOUR;

/** The tenant's automation account: a mailbox and a licence of its own, like the real ones it stands for. */
export function serviceAccount(seed: number, ctx: Pick<WorkdayContext, "tenant">): EmulatedUser {
  const [base] = createUsers(seed, ctx.tenant, 1, "svc-");
  return { ...base, index: -1, displayName: "Automation Service", upn: `svc-automation@${ctx.tenant.domain}`, isAdmin: false, usesOutlookDesktop: false };
}

/** Writes the background into `ctx.log` for every day the log covers; `rng` is the story's own stream. */
export function generateBackground(ctx: WorkdayContext, rng: Random, svc: EmulatedUser): void {
  const { log, tenant: t, users } = ctx;
  const second = (ms: number) => Math.floor(ms / 1000) * 1000;
  for (let run = Math.floor(log.fromMs / RUN_EVERY_MS) * RUN_EVERY_MS; run < log.toMs; run += RUN_EVERY_MS) {
    const start = second(run + rng.int(0, 20) * MINUTE);
    const session = openSession("graph-app", t.officeIp, start, rng);
    log.add("Audit.AzureActiveDirectory", start, signInRecord(t, rng, { id: rng.uuid(), ms: start, user: svc, session }));
    const readAt = start + rng.int(30, 120) * 1000;
    const folders = pickBoundItems(ctx, rng, svc, readAt, rng.int(1, 3), "\\Inbox");
    log.add("Audit.Exchange", readAt, mailItemsAccessedRecord(t, { id: rng.uuid(), ms: readAt, mailbox: svc, actor: svc, session, accessType: "Bind", folders }, rng));
    const filedAt = readAt + rng.int(1, 5) * MINUTE;
    log.add("Audit.SharePoint", filedAt, sharePointRecord(t, rng, { id: rng.uuid(), ms: filedAt, user: svc, session, operation: rng.pick(["FileUploaded", "FileModified"]) }));
    const reportAt = filedAt + rng.int(1, 10) * MINUTE;
    log.add("Audit.General", reportAt, generalRecord(t, rng, { id: rng.uuid(), ms: reportAt, user: svc, session, operation: "ViewReport" }));
  }
  for (let day = Math.floor(log.fromMs / DAY) * DAY; day < log.toMs; day += DAY) {
    const adminJobAt = second(day + 2 * HOUR + rng.int(0, 30) * MINUTE);
    if (users.length > 0) log.add("Audit.AzureActiveDirectory", adminJobAt, directoryRecord(t, rng, { id: rng.uuid(), ms: adminJobAt, actor: svc, target: rng.pick(users), operation: "Update user." }));
    const reportMailAt = second(day + rng.int(0, 23) * HOUR + rng.int(0, 59) * MINUTE);
    log.add("DLP.All", reportMailAt, dlpRecord(t, rng, { id: rng.uuid(), ms: reportMailAt, user: svc, recipient: users.length > 0 ? rng.pick(users) : svc, workload: "Exchange" }));
  }
}

/** The background of one tenant's week (or history chunk), from a stream of its own so no other story shifts. */
export function backgroundStream(seed: number, ...labels: Array<number | string>): Random {
  return new Random(hash32(seed, "background", ...labels));
}
