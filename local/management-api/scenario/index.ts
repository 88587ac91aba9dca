// One tenant's emulated week: people, their ordinary days, and (tenant 0) the incident and the throttled mailbox,
// cut into content blobs. Same seed, options and anchor → the same records, blobs and contentIds.
import { hash32, Random } from "../random";
import { CONTENT_TYPES, type ContentTypeName, type EmailEventRow, type IncidentTruth } from "../types";
import { ActivityLog } from "./activity-log";
import { layoutBlobs, type EagerBlob } from "./blob-layout";
import { backgroundStream, generateBackground, serviceAccount } from "./background";
import { BulkTraffic } from "./bulk-traffic";
import { emailEventRows } from "./email-events";
import { generateIncident, planIncident } from "./incident";
import { buildMailbox } from "./mailbox";
import { tenantIdentity, type TenantIdentity } from "./tenant-identity";
import { generateThrottledMailbox } from "./throttled-mailbox";
import { createUsers, type EmulatedUser } from "./users";
import { generateWorkdays, type WorkdayContext } from "./workday";

const DAY = 86_400_000;

export interface TenantScenario {
  identity: TenantIdentity;
  users: EmulatedUser[];
  blobs: Record<ContentTypeName, EagerBlob[]>;
  /** Tenant 0 only. */
  incident: IncidentTruth | null;
  emailEvents: EmailEventRow[];
  /** The large tenant's lazily generated records (tenant 0 with largeTenantRecords). */
  bulk: BulkTraffic | null;
}

export interface TenantScenarioInput {
  seed: number;
  index: number;
  users: number;
  /** The end of the emulated week (exclusive). */
  anchorMs: number;
  multiTenantApp: boolean;
  bulkRecords?: number;
}

export function buildTenantScenario(input: TenantScenarioInput): TenantScenario {
  const { seed, index, anchorMs } = input;
  const rng = new Random(hash32(seed, "scenario", index));
  const identity = tenantIdentity(seed, index, input.multiTenantApp);
  const users = createUsers(seed, identity, input.users);
  const log = new ActivityLog(anchorMs - 7 * DAY, anchorMs);
  const ctx: WorkdayContext = { tenant: identity, users, log, mailboxes: new Map() };
  // before the throttled mailbox: its limit counts every record of that mailbox (the background reads only its own)
  generateBackground(ctx, backgroundStream(seed, index), serviceAccount(seed, ctx));

  let incident: IncidentTruth | null = null;
  let emailEvents: EmailEventRow[] = [];
  if (index === 0) {
    const victim = users[rng.int(1, users.length - 1)];
    let throttled = users[rng.int(1, users.length - 1)];
    if (throttled === victim) throttled = users[victim.index === 1 ? 2 : 1];
    const plan = planIncident(ctx, rng.fork("plan"), victim, throttled, anchorMs);
    // a month of mail: the attacker reads old messages too, and the join needs every one of them
    const mailbox = buildMailbox(rng.fork("mailbox"), identity, victim, users, anchorMs - 35 * DAY, anchorMs, 220);
    mailbox.push(plan.phish);
    mailbox.sort((a, b) => a.receivedMs - b.receivedMs);
    ctx.mailboxes.set(victim, mailbox);
    generateWorkdays(ctx, rng.fork("workdays"));
    incident = generateIncident(ctx, rng.fork("incident"), plan);
    incident.throttled = generateThrottledMailbox(ctx, rng.fork("throttled"), throttled, anchorMs);
    incident.mailboxExposures.push(...throttledExposures(incident));
    emailEvents = emailEventRows(mailbox);
  } else {
    generateWorkdays(ctx, rng.fork("workdays"));
  }

  const blobs = {} as Record<ContentTypeName, EagerBlob[]>;
  for (const contentType of CONTENT_TYPES) blobs[contentType] = layoutBlobs(identity, contentType, log.byContentType[contentType], rng.fork(contentType));
  const bulk = input.bulkRecords ? new BulkTraffic(seed, identity, input.bulkRecords, anchorMs) : null;
  return { identity, users, blobs, incident, emailEvents, bulk };
}

/** Step 1 of the truth: throttles of the victim's or a delegated mailbox whose 24 h blind period meets the window,
 *  clipped to the window (what a responder asking about that window must presume exposed). */
function throttledExposures(incident: IncidentTruth): IncidentTruth["mailboxExposures"] {
  const start = Date.parse(incident.windowStart);
  const end = Date.parse(incident.windowEnd);
  const reached = new Set([incident.victimUpn, ...incident.delegatedMailboxes].map((u) => u.toLowerCase()));
  return incident.throttled
    .filter((t) => reached.has(t.mailboxUpn.toLowerCase()) && Date.parse(t.at) <= end && Date.parse(t.at) + DAY >= start)
    .map((t) => ({
      mailboxUpn: t.mailboxUpn,
      kind: "ThrottledMailbox" as const,
      from: new Date(Math.max(Date.parse(t.at), start)).toISOString(),
      to: new Date(Math.min(Date.parse(t.at) + DAY, end)).toISOString(),
    }));
}

/** What non-incident tenants answer: the incident's shape, empty. */
export function emptyIncident(): IncidentTruth {
  return {
    victimUpn: "",
    attackerIp: "",
    attackerSessionIds: [],
    attackerAadSessionIds: [],
    attackerClientInfoString: "",
    windowStart: "",
    windowEnd: "",
    boundInternetMessageIds: [],
    syncedFolders: [],
    delegatedMailboxes: [],
    mailboxExposures: [],
    throttled: [],
    footprint: [],
    attackerIps: [],
  };
}
