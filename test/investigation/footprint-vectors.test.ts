import { attackerFootprint } from "../../investigation/footprint";
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
