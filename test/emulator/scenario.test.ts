import { startManagementApiEmulator, CONTENT_TYPES, type ManagementApiEmulator } from "../../local/management-api/index";
import { bareIp, creationMs, DAY, fetchWeek, FeedClient, HOUR, operationProperty, TestClock, type AuditRecord, type ContentItem } from "./feed-client";

const T0 = Date.UTC(2024, 2, 14, 9, 30, 0);
const MINUTE = 60_000;

/** Every field the forensics reference names for MailItemsAccessed (Folders / Item depend on the shape). */
const MAIL_ACCESS_FIELDS = [
  "CreationTime", "Id", "Operation", "OrganizationId", "RecordType", "ResultStatus", "UserKey", "UserType", "Version", "Workload",
  "UserId", "AppId", "ClientAppId", "ClientIPAddress", "ClientInfoString", "ClientMachineName", "ClientProcessName",
  "ClientVersion", "ExternalAccess", "InternalLogonType", "LogonType", "LogonUserSid", "LogonUserDisplayName", "MailboxGuid",
  "MailboxOwnerSid", "MailboxOwnerUPN", "OrganizationName", "OriginatingServer", "SessionId", "OperationCount",
  "OperationProperties", "AppAccessContext",
];

describe("the seeded scenario", () => {
  const clock = new TestClock(T0);
  let emu: ManagementApiEmulator;
  let client: FeedClient;
  const records = new Map<string, Array<{ record: AuditRecord; blob: ContentItem }>>();
  beforeAll(async () => {
    emu = await startManagementApiEmulator({ seed: 1, users: 30, now: clock.now, initialSubscriptions: "enabled", requestBudgetPerMinute: 100_000 });
    client = new FeedClient(emu);
    for (const ct of CONTENT_TYPES) records.set(ct, await fetchWeek(client, ct, T0));
  });
  afterAll(() => emu.close());

  const all = () => [...records.values()].flat();
  const mailAccess = () => records.get("Audit.Exchange")!.map((r) => r.record).filter((r) => r.Operation === "MailItemsAccessed");

  test("covers the last 7 days in all five content types, CreationTime without a trailing Z", () => {
    for (const ct of CONTENT_TYPES) expect(records.get(ct)!.length).toBeGreaterThan(10);
    const problems: string[] = [];
    for (const { record } of all()) {
      if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(record.CreationTime)) problems.push(`${record.Id} CreationTime ${record.CreationTime}`);
      if (!(creationMs(record) >= T0 - 7 * DAY - HOUR && creationMs(record) < T0)) problems.push(`${record.Id} outside the week`);
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(record.Id)) problems.push(`${record.Id} is not a GUID`);
      if (record.OrganizationId !== client.tenant.tenantId) problems.push(`${record.Id} OrganizationId`);
    }
    expect(problems).toEqual([]);
  });

  test("each content type carries its own workloads and operations", () => {
    const ops = (ct: string) => new Set(records.get(ct)!.map((r) => r.record.Operation));
    expect([...ops("Audit.Exchange")]).toEqual(expect.arrayContaining(["MailItemsAccessed", "Send", "MailboxLogin", "MoveToDeletedItems", "New-InboxRule"]));
    expect([...ops("Audit.AzureActiveDirectory")]).toEqual(expect.arrayContaining(["UserLoggedIn", "UserLoginFailed"]));
    expect([...ops("Audit.SharePoint")]).toEqual(expect.arrayContaining(["FileAccessed", "FileModified", "FileDownloaded", "FileUploaded"]));
    expect([...ops("Audit.General")]).toEqual(expect.arrayContaining(["TeamsSessionStarted", "ViewReport"]));
    expect([...ops("DLP.All")]).toEqual(["DLPRuleMatch"]);
    for (const { record } of records.get("Audit.AzureActiveDirectory")!) {
      if (String(record.Operation).startsWith("UserLog")) {
        expect(record.RecordType).toBe(15);
        expect(typeof record.ClientIP).toBe("string");
      }
    }
  });

  test("MailItemsAccessed records carry every forensic field, Bind and Sync alike", () => {
    const mia = mailAccess();
    expect(mia.length).toBeGreaterThan(1000);
    // one assertion over all records: a list of what is wrong, empty when all is right
    const problems: string[] = [];
    for (const r of mia) {
      const missing = MAIL_ACCESS_FIELDS.filter((f) => r[f] === undefined);
      if (missing.length) problems.push(`${r.Id} lacks ${missing.join(", ")}`);
      if (r.RecordType !== 50) problems.push(`${r.Id} RecordType ${r.RecordType}`);
      if (!["Bind", "Sync"].includes(operationProperty(r, "MailAccessType") ?? "")) problems.push(`${r.Id} MailAccessType`);
      if (!["True", "False"].includes(operationProperty(r, "IsThrottled") ?? "")) problems.push(`${r.Id} IsThrottled`);
      const ctx = r.AppAccessContext as Record<string, unknown>;
      if (typeof ctx.AADSessionId !== "string" || typeof ctx.UniqueTokenId !== "string" || typeof ctx.IssuedAtTime !== "string") problems.push(`${r.Id} AppAccessContext`);
    }
    expect(problems).toEqual([]);
    // as published records: the address is in ClientIPAddress; ClientIP is mostly absent
    const withClientIp = mia.filter((r) => r.ClientIP !== undefined).length;
    expect(withClientIp).toBeGreaterThan(0);
    expect(withClientIp / mia.length).toBeLessThan(0.2);
  });

  test("Bind records list the opened items, aggregated: OperationCount = number of items, often more than one", () => {
    const binds = mailAccess().filter((r) => operationProperty(r, "MailAccessType") === "Bind" && operationProperty(r, "IsThrottled") === "False");
    let aggregated = 0;
    const problems: string[] = [];
    const shapes = { full: 0, messageIdOnly: 0, nullItem: 0 };
    for (const r of binds) {
      const folders = r.Folders as Array<{ Path: string; FolderItems: Array<{ Id?: string; InternetMessageId: string; SizeInBytes?: number } | null> }>;
      const items = folders.flatMap((f) => f.FolderItems);
      if (folders.some((f) => !f.Path.startsWith("\\"))) problems.push(`${r.Id} folder path`);
      if (folders.every((f) => f.FolderItems.length === 1 && f.FolderItems[0] === null)) {
        // FolderItems:[null]: the record still counts what was opened
        shapes.nullItem++;
        if (!((r.OperationCount as number) >= 1)) problems.push(`${r.Id} OperationCount ${r.OperationCount} with [null] items`);
        continue;
      }
      if (r.OperationCount !== items.length) problems.push(`${r.Id} OperationCount ${r.OperationCount} for ${items.length} items`);
      const present = items.filter((i): i is NonNullable<typeof i> => i !== null);
      if (present.some((i) => !/^<.+@.+>$/.test(i.InternetMessageId))) problems.push(`${r.Id} InternetMessageId`);
      if (present.every((i) => i.Id === undefined && i.SizeInBytes === undefined)) shapes.messageIdOnly++;
      else if (present.every((i) => !!i.Id && (i.SizeInBytes ?? 0) > 0)) shapes.full++;
      else problems.push(`${r.Id} mixes item shapes`);
      if (items.length > 1) aggregated++;
    }
    expect(problems).toEqual([]);
    expect(aggregated).toBeGreaterThan(100);
    // Microsoft's published sample writes items with only InternetMessageId: a realistic share of Binds does too
    const share = shapes.messageIdOnly / binds.length;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.45);
    expect(shapes.nullItem).toBeGreaterThan(0);
    expect(shapes.nullItem / binds.length).toBeLessThan(0.02);
  });

  test("Sync records name one folder, in both shapes: Folders[].Path and Item.ParentFolder.{Name, Path}; only EWS Syncs list items", () => {
    const syncs = mailAccess().filter((r) => operationProperty(r, "MailAccessType") === "Sync");
    const viaFolders = syncs.filter((r) => Array.isArray(r.Folders));
    const viaItem = syncs.filter((r) => r.Item !== undefined);
    expect(viaFolders.length).toBeGreaterThan(10);
    expect(viaItem.length).toBeGreaterThan(10);
    expect(viaFolders.length + viaItem.length).toBe(syncs.length);
    let ews = 0;
    for (const r of viaFolders) {
      const folders = r.Folders as Array<Record<string, unknown>>;
      expect(folders).toHaveLength(1);
      if (String(r.ClientInfoString).startsWith("Client=WebServices;Action=Sync")) {
        ews++;
        const items = folders[0].FolderItems as Array<{ InternetMessageId: string }>;
        expect(items.length).toBeGreaterThan(0);
        for (const i of items) expect(i.InternetMessageId).toMatch(/^<.+@.+>$/);
      } else {
        expect(folders[0].FolderItems).toBeUndefined();
      }
    }
    expect(ews).toBeGreaterThan(0);
    for (const r of viaItem) {
      const parent = (r.Item as { ParentFolder: { Name: string; Path: string } }).ParentFolder;
      expect(parent.Path.endsWith(`\\${parent.Name}`)).toBe(true);
    }
  });

  test("client addresses come bare, with a port, bracketed IPv6 with a port, and bare IPv6, now and then after a space", () => {
    const shapes = new Set<string>();
    for (const r of mailAccess()) {
      const raw = String(r.ClientIPAddress);
      if (raw.startsWith(" ")) shapes.add("leading space");
      const ip = raw.slice(raw.startsWith(" ") ? 1 : 0);
      if (/^\d+\.\d+\.\d+\.\d+$/.test(ip)) shapes.add("v4");
      else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(ip)) shapes.add("v4:port");
      else if (/^\[[0-9a-f:]+\]:\d+$/.test(ip)) shapes.add("[v6]:port");
      else if (/^[0-9a-f:]+$/.test(ip)) shapes.add("v6");
      else throw new Error(`unexpected address shape ${ip}`);
    }
    expect([...shapes].sort()).toEqual(["[v6]:port", "leading space", "v4", "v4:port", "v6"]);
  });

  test("one mailbox reaches the 1,000-records-in-24-h limit: one IsThrottled=True record, then no Binds for 24 h", () => {
    const throttled = mailAccess().filter((r) => operationProperty(r, "IsThrottled") === "True");
    expect(throttled).toHaveLength(1);
    const [t] = throttled;
    const at = creationMs(t);
    expect(emu.truth.incident(client.tenant.tenantId).throttled).toEqual([{ mailboxUpn: t.MailboxOwnerUPN, at: new Date(at).toISOString() }]);
    const mailbox = mailAccess().filter((r) => r.MailboxOwnerUPN === t.MailboxOwnerUPN && r !== t);
    expect(mailbox.filter((r) => creationMs(r) > at - DAY && creationMs(r) <= at).length).toBeGreaterThanOrEqual(1000);
    const bindsAfter = mailbox.filter((r) => operationProperty(r, "MailAccessType") === "Bind" && creationMs(r) >= at && creationMs(r) < at + DAY);
    expect(bindsAfter).toHaveLength(0);
  });

  test("publication latency: mostly 60–90 min after the event, a tail up to 24 h", () => {
    const delays = all().map(({ record, blob }) => Date.parse(blob.contentCreated) - creationMs(record));
    const slot = 60 * MINUTE + 5 * MINUTE; // the slowest publication slot plus its jitter
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(60 * MINUTE);
    expect(delays.filter((d) => d <= 90 * MINUTE + slot).length / delays.length).toBeGreaterThan(0.8);
    expect(delays.filter((d) => d > 4 * HOUR).length).toBeGreaterThan(10);
    expect(Math.max(...delays)).toBeLessThanOrEqual(24 * HOUR + slot);
  });

  test("users work from documentation address ranges only (TEST-NET and 2001:db8::/32)", () => {
    const outside = mailAccess()
      .map((r) => bareIp(String(r.ClientIPAddress)))
      .filter((ip) => !(/^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d+$/.test(ip) || ip.startsWith("2001:db8:")));
    expect(outside).toEqual([]);
  });
});

describe("determinism", () => {
  test("the same seed, options and clock give identical tenants, blobs, contentIds and records; another seed does not", async () => {
    const clock = new TestClock(T0);
    const options = { seed: 77, users: 6, tenants: 2, now: clock.now, initialSubscriptions: "enabled" as const };
    const [a, b, c] = await Promise.all([
      startManagementApiEmulator(options),
      startManagementApiEmulator(options),
      startManagementApiEmulator({ ...options, seed: 78 }),
    ]);
    try {
      expect(b.tenants).toEqual(a.tenants);
      expect(c.tenants[0].tenantId).not.toBe(a.tenants[0].tenantId);
      for (const t of [0, 1]) {
        for (const ct of CONTENT_TYPES) {
          expect(b.truth.availableBlobs(b.tenants[t].tenantId, ct)).toEqual(a.truth.availableBlobs(a.tenants[t].tenantId, ct));
        }
      }
      expect(b.truth.incident(b.tenants[0].tenantId)).toEqual(a.truth.incident(a.tenants[0].tenantId));
      expect(b.truth.emailEvents(b.tenants[0].tenantId)).toEqual(a.truth.emailEvents(a.tenants[0].tenantId));
      const ca = new FeedClient(a);
      const cb = new FeedClient(b);
      const items = (await ca.listAll("Audit.Exchange", new Date(T0 - DAY), new Date(T0))).items;
      const itemsB = (await cb.listAll("Audit.Exchange", new Date(T0 - DAY), new Date(T0))).items;
      expect(itemsB.map((i) => i.contentId)).toEqual(items.map((i) => i.contentId));
      for (const i of items.slice(0, 20)) {
        expect((await cb.get(i.contentUri.replace(a.managementApi, b.managementApi))).text).toBe((await ca.get(i.contentUri)).text);
      }
      const other = new Set(c.truth.availableBlobs(c.tenants[0].tenantId, "Audit.Exchange").map((x) => x.contentId));
      expect(items.some((i) => other.has(i.contentId))).toBe(false);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });
});
