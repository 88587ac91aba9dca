import { buildTenantScenario } from "../../local/management-api/scenario/index";
import { CHUNK_MS, DAY_MS, OlderHistory } from "../../local/management-api/scenario/older-history";

const ANCHOR = Date.UTC(2026, 10, 24, 10, 7, 0);
const input = { seed: 8, index: 0, users: 10, anchorMs: ANCHOR, multiTenantApp: false };

describe("the emulated tenant's older history", () => {
  const history = new OlderHistory(input);
  const lastChunk = OlderHistory.chunkStart(history.weekStartMs);

  test("a chunk is the same records every time, whichever chunks were generated before it", () => {
    const again = new OlderHistory(input);
    const before = history.chunk(lastChunk - CHUNK_MS).map((r) => r.json);
    again.chunk(lastChunk - 3 * CHUNK_MS);
    expect(again.chunk(lastChunk - CHUNK_MS).map((r) => r.json)).toEqual(before);
    expect(new OlderHistory({ ...input, seed: 9 }).chunk(lastChunk - CHUNK_MS).map((r) => r.id)).not.toEqual(before.map((r) => JSON.parse(r).Id));
  });

  test("history stops where the week starts, and never shares a record Id with the week", () => {
    const edge = history.chunk(lastChunk);
    expect(edge.length).toBeGreaterThan(0);
    expect(Math.max(...edge.map((r) => r.ms))).toBeLessThan(history.weekStartMs);
    const week = buildTenantScenario(input);
    const weekIds = new Set(Object.values(week.blobs).flatMap((blobs) => blobs.flatMap((b) => b.recordIds)));
    const older = [lastChunk - CHUNK_MS, lastChunk].flatMap((c) => history.chunk(c));
    expect(older.filter((r) => weekIds.has(r.id))).toEqual([]);
    expect(new Set(older.map((r) => r.id)).size).toBe(older.length);
  });

  test("ordinary days keep the week's shape: every content type, the same users, weekdays busier than weekends", () => {
    const records = history.chunk(lastChunk - CHUNK_MS);
    expect(new Set(records.map((r) => r.contentType)).size).toBeGreaterThanOrEqual(4);
    const upns = new Set(history.users.map((u) => u.upn));
    const users = new Set(records.map((r) => JSON.parse(r.json).UserId as string));
    expect([...users].filter((u) => upns.has(u)).length).toBeGreaterThan(5);
    const perDay = new Map<number, number>();
    for (const r of records) {
      const weekday = new Date(r.ms).getUTCDay();
      perDay.set(weekday, (perDay.get(weekday) ?? 0) + 1);
    }
    // Wednesday against Sunday
    expect(perDay.get(3)!).toBeGreaterThan(2 * (perDay.get(0) ?? 0));
  });

  test("a chunk start that is not on the chunk grid is refused", () => {
    expect(() => history.chunk(lastChunk + DAY_MS)).toThrow(/not the start of a history chunk/);
  });
});
