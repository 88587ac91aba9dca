// Reads a JSON-lines file one row at a time, synchronously, so a lake of millions of rows is never held whole and the
// same file can be read again (the scope reads its rows twice).
import { closeSync, openSync, readSync } from "node:fs";

const CHUNK = 4 * 1024 * 1024;

/** The rows of `file` (only those whose line passes `keep`, tested before parsing). */
export function* jsonLines(file: string, keep?: (line: string) => boolean): Generator<Record<string, unknown>> {
  let n = 0;
  for (const line of rawLines(file, keep)) yield parse(line, file, ++n);
}

/** The non-empty lines of `file` that pass `keep`, unparsed. */
export function* rawLines(file: string, keep?: (line: string) => boolean): Generator<string> {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    const decoder = new TextDecoder("utf-8");
    let rest = "";
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      // a multi-byte character split across chunks is kept whole by the decoder's stream mode
      const text = rest + decoder.decode(buf.subarray(0, n), { stream: true });
      const lines = text.split("\n");
      rest = lines.pop()!;
      for (const l of lines) if (l.trim() !== "" && (!keep || keep(l))) yield l;
    }
    rest += decoder.decode();
    if (rest.trim() !== "" && (!keep || keep(rest))) yield rest;
  } finally {
    closeSync(fd);
  }
}

export function parse(text: string, file: string, line: number): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`${file}: row ${line} of those read is not JSON; the local lake is damaged: run npm start again to rebuild it.`);
  }
}

/** An iterable that reopens the file each time it is iterated. */
export function rereadable(file: string): Iterable<Record<string, unknown>> {
  return { [Symbol.iterator]: () => jsonLines(file) };
}

/**
 * The lines of `file` whose text contains one of `needles`, ignoring case, in file order. Each chunk is read as latin1
 * (one character per byte, so positions are byte offsets) and searched with one case-insensitive expression of all the
 * needles (written the same way), which the engine runs over the whole chunk far faster than a byte loop or a lower-cased
 * copy; folding may let a line through that differs only in the case of a non-ASCII letter, never hide one. Only
 * matching lines are decoded as UTF-8, each on its own, so none keeps a chunk alive.
 */
export function* linesContaining(file: string, needles: string[]): Generator<string> {
  const wanted = [...new Set(needles.filter((n) => n !== ""))].map((n) => Buffer.from(n, "utf8").toString("latin1"));
  if (wanted.length === 0) return;
  const any = new RegExp(wanted.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "gi");
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let carry: Buffer = Buffer.alloc(0);
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      const data = carry.length ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
      // whole lines only; an unfinished last line waits for the next chunk
      const end = n === 0 ? data.length : data.lastIndexOf(10) + 1;
      const body = data.subarray(0, end);
      carry = Buffer.from(data.subarray(end));
      const text = body.toString("latin1");
      const found: Array<[number, number]> = [];
      any.lastIndex = 0;
      for (let m = any.exec(text); m !== null; m = any.exec(text)) {
        const start = text.lastIndexOf("\n", m.index) + 1;
        const stop = text.indexOf("\n", m.index);
        found.push([start, stop < 0 ? text.length : stop]);
        // one match is enough for a line: go on from the next one
        if (stop < 0) break;
        any.lastIndex = stop + 1;
      }
      for (const [start, stop] of found) {
        const line = body.toString("utf8", start, stop);
        if (line.trim() !== "") yield line;
      }
      if (n === 0) break;
    }
  } finally {
    closeSync(fd);
  }
}
