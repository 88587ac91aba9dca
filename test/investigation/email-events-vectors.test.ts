import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Tables } from "../../kql/tables";
import { breachScope } from "../../investigation/breach-scope";
import { openLocalLake } from "../../investigation/sources/local-lake";
import { byMessageId, loadEmailEventsVectors } from "../vectors/vectors";

// test/vectors/email-events/ through the report a local run gives (EmailEvents.jsonl beside the landed rows);
// npm run test:kusto runs the same files through MailAccessWithEmailEvents.
const vectors = loadEmailEventsVectors();

test("the EmailEvents vectors include the id spellings Microsoft publishes", () => {
  expect(vectors.map((v) => v.name)).toContain("message-id-spellings");
});

describe.each(vectors.map((v) => [v.name, v] as const))("EmailEvents vector %s", (_name, v) => {
  test(v.why, async () => {
    const dir = mkdtempSync(join(tmpdir(), "email-events-vector-"));
    try {
      const db = join(dir, "adx", "tenant0");
      mkdirSync(db, { recursive: true });
      writeFileSync(join(db, `${Tables.accessMail}.jsonl`), v.rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
      writeFileSync(join(db, "EmailEvents.jsonl"), v.emailEvents.map((r) => JSON.stringify(r)).join("\n") + "\n");
      const q = v.question;
      const report = await breachScope(openLocalLake(dir), { ...q, startMs: Date.parse(q.start), endMs: Date.parse(q.end) });
      const found = report.messages.map((m) => ({
        InternetMessageId: m.internetMessageId, InEmailEvents: m.inEmailEvents === true, Subject: m.subject ?? "",
        RecipientCount: m.recipients ? m.recipients.split("; ").length : 0,
      }));
      expect(found.sort(byMessageId)).toEqual([...v.expected].sort(byMessageId));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
