// The goal back-fill serves: an incident that began 60 days before onboarding is scoped with the same `investigate`.
// The live feed reaches 7 days back; a back-fill of the weeks around day 60 lands that time's MailItemsAccessed, and
// `investigate --local` over the run's data answers which messages a session from one IP read then.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { investigate } from "../../cli/investigate";
import { Tables } from "../../kql/tables";
import { DAY, runUntilFinished, startBackfillFixture, type BackfillFixture } from "./backfill-fixture";

let f: BackfillFixture;

beforeAll(async () => {
  f = await startBackfillFixture({ seed: 21, tenants: 1, users: 6 });
}, 120_000);
afterAll(async () => {
  await f?.close();
});

test("investigate --local answers for mail accessed 60 days back, from rows only the back-fill landed", async () => {
  const lane = await f.backfillLane(0);
  const engine = lane.engine();
  const now = f.now();
  const from = new Date(now.getTime() - 63 * DAY);
  const to = new Date(now.getTime() - 57 * DAY);
  const started = await engine.backfill.jobs.start({ tenantId: lane.tenantId, from: from.toISOString(), to: to.toISOString() });
  const { job } = await runUntilFinished(f, lane, () => engine, started.id);
  expect(job.state).toBe("succeeded");

  // one session's access on day 60, as a responder would have it from a sign-in alert: the account and its IP
  const mail = await lane.rows(Tables.accessMail);
  const day60 = now.getTime() - 60 * DAY;
  const atDay60 = mail.filter((r) => r.MailAccessType === "Bind" && Math.abs(Date.parse(`${String(r.CreationTime).replace(/Z$/, "")}Z`) - day60) < DAY && r.InternetMessageId);
  expect(atDay60.length).toBeGreaterThan(0);
  const access = atDay60[0];
  const user = String(access.UserId);
  const ip = String(access.ClientIPAddress);
  const windowFrom = new Date(day60 - DAY).toISOString();
  const windowTo = new Date(day60 + DAY).toISOString();

  let out = "";
  let err = "";
  const code = await investigate(
    { user, ip: [ip], session: [], aadSession: [], app: [], clientInfo: [], from: windowFrom, to: windowTo, local: f.cloud.dataDir, database: lane.database, format: "json" },
    (s) => void (out += s),
    (s) => void (err += s),
  );
  expect(err).not.toMatch(/^investigate:/m);
  expect(code).toBe(0);
  const report = JSON.parse(out) as { answer: { messagesRead: number; internetMessageIds: string[] } };

  // what the landed rows say that user read from that IP in the window: every one of them is in the report
  const raw = readFileSync(join(f.cloud.adxStore.dir, lane.database, `${Tables.accessMail}.jsonl`), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const inWindow = (r: Record<string, unknown>) => {
    const t = Date.parse(`${String(r.CreationTime).replace(/Z$/, "")}Z`);
    return t >= Date.parse(windowFrom) && t < Date.parse(windowTo);
  };
  const expected = new Set(raw.filter((r) => r.MailAccessType === "Bind" && r.UserId === user && r.ClientIPAddress === ip && inWindow(r) && r.InternetMessageId).map((r) => String(r.InternetMessageId)));
  expect(report.answer.messagesRead).toBeGreaterThan(0);
  for (const id of expected) expect(report.answer.internetMessageIds).toContain(id);
  expect(report.answer.internetMessageIds).toContain(String(access.InternetMessageId));

  // those rows came from the back-fill: Graph's log holds their records, the Management API's 7 days do not
  const graphIds = new Set(f.cloud.graphAudit.truth.records(lane.tenantId, { from, to, operations: ["MailItemsAccessed"] }).map((r) => r.id));
  expect(graphIds.has(String(access.RecordId))).toBe(true);
  expect(String(access.ContentId)).toMatch(new RegExp(`^backfill:${job.id}:\\d+$`));
  expect(Date.parse(windowTo)).toBeLessThan(now.getTime() - 7 * DAY);
}, 300_000);
