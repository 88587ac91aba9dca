import { gunzipSync } from "node:zlib";
import { gzipRowChunks, type RowChunk } from "../../functions/src/sinks/row-chunks";

async function collect(rows: Record<string, unknown>[], maxChunkBytes: number): Promise<RowChunk[]> {
  const chunks: RowChunk[] = [];
  for await (const c of gzipRowChunks(rows, { maxChunkBytes })) chunks.push(c);
  return chunks;
}

function lines(chunk: RowChunk): unknown[] {
  const text = gunzipSync(chunk.gzip).toString("utf8");
  expect(text.endsWith("\n")).toBe(true);
  return text.slice(0, -1).split("\n").map((l) => JSON.parse(l));
}

const rows = Array.from({ length: 3000 }, (_, i) => ({ Id: `r${i}`, Subject: i % 3 === 0 ? "Überweisung – 請求書 ✓" : "invoice", Pad: "x".repeat(i % 700) }));

describe("gzipRowChunks", () => {
  it("writes every row once, in order, as gzipped newline-delimited JSON", async () => {
    const chunks = await collect(rows, 100 * 1024 * 1024);
    expect(chunks).toHaveLength(1);
    expect(lines(chunks[0])).toEqual(rows);
    expect(chunks[0].rawBytes).toBe(gunzipSync(chunks[0].gzip).length);
  });

  it("cuts chunks whose UTF-8 size stays under the cap, and cuts them the same way every time", async () => {
    const cap = 64 * 1024;
    const first = await collect(rows, cap);
    const again = await collect(rows, cap);
    expect(first.length).toBeGreaterThan(5);
    for (const c of first) {
      expect(c.rawBytes).toBeLessThanOrEqual(cap);
      expect(gunzipSync(c.gzip).length).toBe(c.rawBytes);
    }
    expect(first.flatMap(lines)).toEqual(rows);
    expect(again.map((c) => [c.index, c.rows, c.rawBytes])).toEqual(first.map((c) => [c.index, c.rows, c.rawBytes]));
  });

  it("sends a row larger than the cap alone rather than dropping it, and counts rows over 1 MB", async () => {
    const big = { Id: "big", Record: { text: "y".repeat(1536 * 1024) } };
    const chunks = await collect([{ Id: "a" }, big, { Id: "b" }], 1024 * 1024);
    expect(chunks.map((c) => c.rows)).toEqual([1, 1, 1]);
    expect(chunks.map((c) => c.largeRows)).toEqual([0, 1, 0]);
    expect(chunks.flatMap(lines)).toEqual([{ Id: "a" }, big, { Id: "b" }]);
  });

  it("yields nothing for no rows", async () => {
    expect(await collect([], 1024)).toEqual([]);
  });
});
