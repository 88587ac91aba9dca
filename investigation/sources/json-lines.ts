// Reads a JSON-lines file one row at a time, synchronously, so a lake of millions of rows is never held whole and the
// same file can be read again (the scope reads its rows twice).
import { closeSync, openSync, readSync } from "node:fs";

const CHUNK = 4 * 1024 * 1024;

export function* jsonLines(file: string, keep?: (line: string) => boolean): Generator<Record<string, unknown>> {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    const decoder = new TextDecoder("utf-8");
    let rest = "";
    let line = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      // a multi-byte character split across chunks is kept whole by the decoder's stream mode
      const text = rest + decoder.decode(buf.subarray(0, n), { stream: true });
      const lines = text.split("\n");
      rest = lines.pop()!;
      for (const l of lines) {
        line++;
        if (l.trim() !== "" && (!keep || keep(l))) yield parse(l, file, line);
      }
    }
    rest += decoder.decode();
    if (rest.trim() !== "" && (!keep || keep(rest))) yield parse(rest, file, line + 1);
  } finally {
    closeSync(fd);
  }
}

function parse(text: string, file: string, line: number): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`${file}:${line} is not a JSON row; the local lake is damaged: run npm start again to rebuild it.`);
  }
}

/** An iterable that reopens the file each time it is iterated. */
export function rereadable(file: string): Iterable<Record<string, unknown>> {
  return { [Symbol.iterator]: () => jsonLines(file) };
}
