import { startManagementApiEmulator, type IncidentTruth, type ManagementApiEmulator, type EmailEventRow } from "../../local/management-api/index";
import { bareIp, creationMs, DAY, fetchWeek, FeedClient, HOUR, operationProperty, TestClock, type AuditRecord } from "./feed-client";

const T0 = Date.UTC(2024, 2, 14, 9, 30, 0);

type Folder = { Path: string; FolderItems?: Array<{ Id?: string; InternetMessageId: string } | null> };

describe("the article's incident on tenant 0", () => {
  const clock = new TestClock(T0);
  let emu: ManagementApiEmulator;
  let incident: IncidentTruth;
  let exchange: AuditRecord[];
  let signIns: AuditRecord[];
  let emailEvents: EmailEventRow[];
  beforeAll(async () => {
    emu = await startManagementApiEmulator({ seed: 2, users: 25, tenants: 2, now: clock.now, initialSubscriptions: "enabled" });
    const client = new FeedClient(emu);
    incident = emu.truth.incident(client.tenant.tenantId);
    emailEvents = emu.truth.emailEvents(client.tenant.tenantId);
    exchange = (await fetchWeek(client, "Audit.Exchange", T0)).map((r) => r.record);
    signIns = (await fetchWeek(client, "Audit.AzureActiveDirectory", T0)).map((r) => r.record);
  });
  afterAll(() => emu.close());

  const victimMail = () => exchange.filter((r) => r.Operation === "MailItemsAccessed" && r.MailboxOwnerUPN === incident.victimUpn);
  const attackerMail = () => exchange.filter((r) => r.Operation === "MailItemsAccessed" && fromAttacker(r));
  const fromAttacker = (r: AuditRecord) => bareIp(String(r.ClientIPAddress)) === incident.attackerIp || incident.attackerSessionIds.includes(String(r.SessionId));
  const inWindow = (r: AuditRecord) => creationMs(r) >= Date.parse(incident.windowStart) && creationMs(r) <= Date.parse(incident.windowEnd);
  const imids = (r: AuditRecord) => ((r.Folders ?? []) as Folder[]).flatMap((f) => (f.FolderItems ?? []).flatMap((i) => (i ? [i.InternetMessageId] : [])));

  test("a phished user, an attacker IP from a documentation range, an access window of about four days inside the week", () => {
    expect(incident.victimUpn).toMatch(/@contoso\.onmicrosoft\.com$/);
    expect(incident.attackerIp).toMatch(/^(203\.0\.113|198\.51\.100)\.\d+$/);
    expect(incident.attackerSessionIds.length).toBeGreaterThanOrEqual(1);
    const start = Date.parse(incident.windowStart);
    const end = Date.parse(incident.windowEnd);
    expect(end - start).toBeGreaterThan(3.5 * DAY);
    expect(end - start).toBeLessThan(4.5 * DAY);
    expect(start).toBeGreaterThan(T0 - 7 * DAY);
    expect(end).toBeLessThan(T0);
  });

  test("the attacker signs in as the victim from the attacker IP at the start of the window", () => {
    const first = signIns.find((r) => r.Operation === "UserLoggedIn" && r.ClientIP === incident.attackerIp && creationMs(r) === Date.parse(incident.windowStart));
    expect(first?.UserId).toBe(incident.victimUpn);
    // the attacker's address appears nowhere but in the attacker's records
    for (const r of signIns.filter((x) => x.ClientIP === incident.attackerIp)) expect(r.UserId).toBe(incident.victimUpn);
  });

  test("Bind reads in the attacker's context are exactly the messages the truth lists, all inside the window", () => {
    const attackerBinds = attackerMail().filter((r) => operationProperty(r, "MailAccessType") === "Bind");
    expect(attackerBinds.length).toBeGreaterThan(5);
    // Microsoft's sample shape (items with only InternetMessageId) among them, so a dedup keyed on Id alone would show
    const idLess = attackerBinds.filter((r) => ((r.Folders ?? []) as Folder[]).every((f) => (f.FolderItems ?? []).every((i) => i !== null && i.Id === undefined)));
    expect(idLess.length).toBeGreaterThan(1);
    expect(idLess.some((r) => imids(r).length > 1)).toBe(true);
    for (const r of attackerBinds) {
      expect(inWindow(r)).toBe(true);
      expect(incident.attackerSessionIds).toContain(r.SessionId);
      expect(r.ClientInfoString).toBe(incident.attackerClientInfoString);
    }
    // an attachment opened (AttachmentAccess, Messages[].MessageItems[]) is a message read too
    const attachments = exchange.filter((r) => r.Operation === "AttachmentAccess" && fromAttacker(r));
    expect(attachments).toHaveLength(1);
    const opened = attachments.flatMap((r) => ((r.Messages ?? []) as Array<{ MessageItems: Array<{ InternetMessageId: string }> }>).flatMap((m) => m.MessageItems.map((i) => i.InternetMessageId)));
    expect(opened.length).toBeGreaterThan(0);
    expect([...new Set([...attackerBinds.flatMap(imids), ...opened])].sort()).toEqual(incident.boundInternetMessageIds);
  });

  test("after the phish: each act the truth's footprint names is a record of the attacker's, in the window", () => {
    const all = [...exchange, ...signIns];
    const byId = new Map(all.map((r) => [String(r.Id), r]));
    const kinds = incident.footprint.map((f) => f.kind);
    for (const kind of ["SignIn", "InboxRule", "MailboxForwarding", "AppConsent", "AttachmentOpened", "SearchRun", "MessageSent"]) expect(kinds).toContain(kind);
    for (const f of incident.footprint) {
      const r = byId.get(f.recordId) ?? null;
      if (f.kind === "FileDownloaded") continue; // Audit.SharePoint, not fetched here
      expect(r).not.toBeNull();
      expect(inWindow(r!)).toBe(true);
      expect(r!.UserId).toBe(incident.victimUpn);
    }
    // forwarding set, then cleared by the attacker: neither holds at the end; the inbox rule and the consent do
    const forwarding = incident.footprint.filter((f) => f.kind === "MailboxForwarding").map((f) => byId.get(f.recordId)!);
    const value = (r: AuditRecord) => ((r.Parameters ?? []) as Array<{ Name: string; Value: string }>).find((p) => p.Name === "ForwardingSmtpAddress")?.Value;
    expect(forwarding.map(value).sort()).toEqual(["", "smtp:ledger.sync@mail.example.net"]);
    expect(incident.footprint.filter((f) => f.stillActive === true).map((f) => f.kind).sort()).toEqual(["AppConsent", "InboxRule"]);
    // the IP switch: the attacker's session read from a second address, which the truth names
    expect(incident.attackerIps).toHaveLength(2);
    const second = exchange.filter((r) => r.Operation === "MailItemsAccessed" && bareIp(String(r.ClientIPAddress)) === incident.attackerIps[1]);
    expect(second.length).toBeGreaterThan(0);
    for (const r of second) expect(incident.attackerSessionIds).toContain(r.SessionId);
  });

  test("one folder is synced from the attacker's session", () => {
    const syncs = victimMail().filter((r) => fromAttacker(r) && operationProperty(r, "MailAccessType") === "Sync");
    expect(syncs).toHaveLength(1);
    const [sync] = syncs;
    const path = (sync.Item as { ParentFolder: { Path: string } } | undefined)?.ParentFolder.Path ?? (sync.Folders as Folder[])[0].Path;
    expect([path]).toEqual(incident.syncedFolders);
    expect(inWindow(sync)).toBe(true);
  });

  test("the victim also reads mail, from their own addresses and sessions, inside the window too: IP and session tell them apart", () => {
    const own = victimMail().filter((r) => !fromAttacker(r));
    expect(own.filter(inWindow).length).toBeGreaterThan(3);
    const ownIps = new Set(own.map((r) => bareIp(String(r.ClientIPAddress))));
    expect(ownIps.has(incident.attackerIp)).toBe(false);
    for (const r of own) expect(incident.attackerSessionIds).not.toContain(r.SessionId);
    // some messages were read by both: only the context separates the attacker's reads
    const ownRead = new Set(own.flatMap(imids));
    expect(incident.boundInternetMessageIds.some((m) => ownRead.has(m))).toBe(true);
    // the only other mailbox the attacker reads in is the delegated one, as the victim (LogonType 2)
    const elsewhere = attackerMail().filter((r) => r.MailboxOwnerUPN !== incident.victimUpn);
    expect(elsewhere.length).toBeGreaterThan(0);
    for (const r of elsewhere) {
      expect(incident.delegatedMailboxes).toContain(r.MailboxOwnerUPN);
      expect(r.UserId).toBe(incident.victimUpn);
      expect(r.LogonType).toBe(2);
    }
  });

  test("the delegated mailbox is throttled inside the window: the truth presumes it exposed for the blind period in the window", () => {
    const [delegated] = incident.delegatedMailboxes;
    const throttle = incident.throttled.find((t) => t.mailboxUpn === delegated)!;
    expect(throttle).toBeDefined();
    const records = exchange.filter((r) => r.MailboxOwnerUPN === delegated && operationProperty(r, "IsThrottled") === "True");
    expect(records.map((r) => creationMs(r))).toEqual([Date.parse(throttle.at)]);
    const exposure = incident.mailboxExposures.find((e) => e.kind === "ThrottledMailbox")!;
    expect(exposure.mailboxUpn).toBe(delegated);
    expect(exposure.from).toBe(new Date(Math.max(Date.parse(throttle.at), Date.parse(incident.windowStart))).toISOString());
    expect(exposure.to).toBe(new Date(Math.min(Date.parse(throttle.at) + DAY, Date.parse(incident.windowEnd))).toISOString());
    // Bind auditing really stopped: no Bind of that mailbox in the 24 h after the throttle
    const blind = exchange.filter((r) => r.MailboxOwnerUPN === delegated && operationProperty(r, "MailAccessType") === "Bind" && operationProperty(r, "IsThrottled") === "False" && creationMs(r) > Date.parse(throttle.at) && creationMs(r) < Date.parse(throttle.at) + DAY);
    expect(blind).toEqual([]);
  });

  test("the attacker's Outlook sync makes the whole victim mailbox presumed exposed as of that sync; the victim's own EWS sync lists its messages", () => {
    const [sync] = victimMail().filter((r) => fromAttacker(r) && operationProperty(r, "MailAccessType") === "Sync");
    expect(incident.mailboxExposures.filter((e) => e.kind === "SyncedMailbox")).toEqual([
      { mailboxUpn: incident.victimUpn, kind: "SyncedMailbox", from: new Date(creationMs(sync)).toISOString(), to: new Date(creationMs(sync)).toISOString() },
    ]);
    const ews = victimMail().filter((r) => !fromAttacker(r) && String(r.ClientInfoString).startsWith("Client=WebServices;Action=Sync"));
    expect(ews).toHaveLength(1);
    expect(inWindow(ews[0])).toBe(true);
    expect(imids(ews[0]).length).toBeGreaterThan(0);
  });

  test("the attacker's Entra sessions are those of the sign-ins from the attacker's IP", () => {
    const fromIp = signIns.filter((r) => r.ClientIP === incident.attackerIp && r.Operation === "UserLoggedIn");
    const sessionOf = (r: AuditRecord) => ((r.DeviceProperties ?? []) as Array<{ Name: string; Value: string }>).find((p) => p.Name === "SessionId")?.Value;
    expect([...new Set(fromIp.map(sessionOf))].sort()).toEqual(incident.attackerAadSessionIds);
    const aad = new Set(attackerMail().map((r) => (r.AppAccessContext as { AADSessionId: string }).AADSessionId));
    expect([...aad].sort()).toEqual(incident.attackerAadSessionIds);
  });

  test("EmailEvents: one row per recipient with every column, joinable to the attacker's reads by InternetMessageId", () => {
    expect(emailEvents.length).toBeGreaterThan(100);
    const columns = [
      "Timestamp", "NetworkMessageId", "InternetMessageId", "Subject", "SenderMailFromAddress", "SenderFromAddress", "SenderDisplayName",
      "SenderObjectId", "SenderMailFromDomain", "SenderFromDomain", "SenderIPv4", "SenderIPv6", "RecipientEmailAddress", "RecipientObjectId",
      "EmailDirection", "DeliveryAction", "DeliveryLocation", "ThreatTypes", "ThreatNames", "DetectionMethods", "ConfidenceLevel",
      "BulkComplaintLevel", "EmailAction", "EmailActionPolicy", "EmailActionPolicyGuid", "AttachmentCount", "UrlCount", "EmailLanguage",
      "Connectors", "OrgLevelAction", "OrgLevelPolicy", "UserLevelAction", "UserLevelPolicy", "ReportId", "AdditionalFields",
      "LatestDeliveryLocation", "LatestDeliveryAction", "EmailClusterId",
    ];
    expect(Object.keys(emailEvents[0]).sort()).toEqual([...columns].sort());
    const byMessage = new Map<string, EmailEventRow[]>();
    for (const row of emailEvents) byMessage.set(row.InternetMessageId, [...(byMessage.get(row.InternetMessageId) ?? []), row]);
    // EmailEvents is emulated for the victim's mailbox: every message the attacker read there joins
    const victimReads = new Set(attackerMail().filter((r) => r.MailboxOwnerUPN === incident.victimUpn).flatMap(imids));
    expect(victimReads.size).toBeGreaterThan(5);
    for (const m of victimReads) expect(byMessage.has(m)).toBe(true);
    const multi = [...byMessage.values()].filter((rows) => rows.length > 1);
    expect(multi.length).toBeGreaterThan(5);
    for (const rows of multi) {
      expect(new Set(rows.map((r) => r.RecipientEmailAddress)).size).toBe(rows.length);
      expect(new Set(rows.map((r) => r.NetworkMessageId)).size).toBe(1);
    }
    expect(emailEvents.some((r) => r.ThreatTypes === "Phish" && r.RecipientEmailAddress === incident.victimUpn)).toBe(true);
    const phish = emailEvents.find((r) => r.ThreatTypes === "Phish")!;
    expect(Date.parse(phish.Timestamp)).toBeLessThan(Date.parse(incident.windowStart));
    expect(Date.parse(phish.Timestamp)).toBeGreaterThan(Date.parse(incident.windowStart) - 12 * HOUR);
  });

  test("other tenants have no incident and no EmailEvents", () => {
    const other = emu.tenants[1].tenantId;
    expect(emu.truth.incident(other)).toEqual({
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
    });
    expect(emu.truth.emailEvents(other)).toEqual([]);
  });
});
