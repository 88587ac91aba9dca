import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Tables } from "../../kql/tables";
import { attackerFootprint, STATE_CHANGE_OPERATIONS } from "../../investigation/footprint";
import { openLocalLake, STATE_CHANGE_NEEDLES } from "../../investigation/sources/local-lake";
import { auditRowsOf, comparableFootprint, loadFootprintVectors } from "../vectors/vectors";

// test/vectors/footprint/ through the TypeScript footprint: published audit records landed by the transform, then
// read as a local run reads them. npm run test:kusto runs the same files through AttackerFootprint.
const vectors = loadFootprintVectors();

test("the footprint vectors cover persistence state and the attacker's sessions", () => {
  expect(vectors.map((v) => v.name)).toEqual(expect.arrayContaining(["persistence-state-at-window-end", "sessions-and-data-reached"]));
  for (const v of vectors) expect(v.why.length).toBeGreaterThan(20);
});

describe.each(vectors.map((v) => [v.name, v] as const))("footprint vector %s", (_name, v) => {
  test(v.why, () => {
    const q = v.question;
    // through JSON, as the local lake's files hold the rows
    const audit = auditRowsOf(v).map((r) => JSON.parse(JSON.stringify(r)) as Record<string, unknown>);
    const found = attackerFootprint(audit, v.rows, { ...q, startMs: Date.parse(q.start), endMs: Date.parse(q.end) });
    expect(comparableFootprint(found as unknown as Array<Record<string, unknown>>)).toEqual(comparableFootprint(v.expected));
  });
});

// The same vectors through a local run's files: the lake reads only the lines that can matter, and must never skip one.
describe.each(vectors.map((v) => [v.name, v] as const))("footprint vector %s from a local run's files", (_name, v) => {
  test.each([["the victim", v.question.user], ["every account", ""]])(`${v.why} (%s)`, async (_who, user) => {
    const dir = mkdtempSync(join(tmpdir(), "footprint-vector-"));
    try {
      const db = join(dir, "adx", "tenant0");
      mkdirSync(db, { recursive: true });
      writeFileSync(join(db, `${Tables.accessMail}.jsonl`), v.rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
      writeFileSync(join(db, `${Tables.unifiedAudit}.jsonl`), auditRowsOf(v).map((r) => JSON.stringify(r)).join("\n") + "\n");
      const q = { ...v.question, user, startMs: Date.parse(v.question.start), endMs: Date.parse(v.question.end) };
      const all = attackerFootprint(auditRowsOf(v).map((r) => JSON.parse(JSON.stringify(r)) as Record<string, unknown>), v.rows, q);
      const found = await openLocalLake(dir).footprint(q);
      expect(comparableFootprint(found as unknown as Array<Record<string, unknown>>)).toEqual(comparableFootprint(all as unknown as Array<Record<string, unknown>>));
      if (user !== "") expect(comparableFootprint(found as unknown as Array<Record<string, unknown>>)).toEqual(comparableFootprint(v.expected));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test("every operation that settles persistence state is among the text the local lake looks for", () => {
  for (const operation of STATE_CHANGE_OPERATIONS) {
    const line = JSON.stringify({ CreationTime: "2024-03-15T10:00:00Z", Id: "x", Operation: operation }).toLowerCase();
    expect({ operation, found: STATE_CHANGE_NEEDLES.some((n) => line.includes(n)) }).toEqual({ operation, found: true });
  }
});
