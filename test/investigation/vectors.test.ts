import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Tables } from "../../kql/tables";
import { openLocalLake } from "../../investigation/sources/local-lake";
import { mailAccessScope } from "../../investigation/scope";
import { auditRowsOf, comparable, loadVectors } from "../vectors/vectors";

// The shared vectors through the TypeScript scope; npm run test:kusto runs the same files through MailAccessScope.
const vectors = loadVectors();

test("the vectors cover every case the investigation must get right", () => {
  const names = vectors.map((v) => v.name);
  for (const required of [
    "throttled-just-before-window", "delegated-mailbox-throttled", "sync-in-attacker-context", "sync-outside-attacker-context",
    "ipv4-with-port", "ipv6-full", "ipv6-compressed", "ipv6-upper-case", "ipv6-bracketed-with-port", "ipv4-mapped-ipv6",
    "session-seen-from-attacker-ip", "entra-session", "app-only-access", "folder-items-without-id", "record-repeated-across-blobs",
    "message-read-twice", "non-ascii-folder-paths", "attachment-opened", "session-from-sign-in-at-attacker-ip",
  ])
    expect(names).toContain(required);
  for (const v of vectors) expect(v.why.length).toBeGreaterThan(20);
});

describe.each(vectors.map((v) => [v.name, v] as const))("vector %s", (_name, v) => {
  test(v.why, () => {
    const scope = mailAccessScope(v.rows, {
      ...v.question,
      startMs: Date.parse(v.question.start),
      endMs: Date.parse(v.question.end),
    }, auditRowsOf(v));
    expect(comparable(scope as unknown as Array<Record<string, unknown>>)).toEqual(comparable(v.expected as unknown as Array<Record<string, unknown>>));
  });
});

// The same vectors through the local lake: rows written as a local run writes them, read back with the line filter
// that skips rows before parsing (it must never skip one that matters).
describe.each(vectors.map((v) => [v.name, v] as const))("vector %s from a local run's files", (_name, v) => {
  test(v.why, async () => {
    const dir = mkdtempSync(join(tmpdir(), "vector-lake-"));
    try {
      const db = join(dir, "adx", "tenant0");
      mkdirSync(db, { recursive: true });
      writeFileSync(join(db, `${Tables.accessMail}.jsonl`), v.rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
      if (v.auditRecords) writeFileSync(join(db, `${Tables.unifiedAudit}.jsonl`), auditRowsOf(v).map((r) => JSON.stringify(r)).join("\n") + "\n");
      const scope = await openLocalLake(dir).scope({ ...v.question, startMs: Date.parse(v.question.start), endMs: Date.parse(v.question.end) });
      expect(comparable(scope as unknown as Array<Record<string, unknown>>)).toEqual(comparable(v.expected as unknown as Array<Record<string, unknown>>));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
