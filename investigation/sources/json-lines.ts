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
 * The lines of `file` whose text contains one of `needles`, ignoring ASCII case, in file order. Searches the bytes
 * (Buffer.indexOf) and decodes only the lines that match: on a large lake few lines match, and decoding and cutting up
 * the whole file would cost most of the time. Each line is decoded on its own, so it keeps no chunk alive.
 */
export function* linesContaining(file: string, needles: string[]): Generator<string> {
  const wanted = [...new Set(needles.filter((n) => n !== ""))].map((n) => asciiLower(Buffer.from(n, "utf8")));
  if (wanted.length === 0) return;
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
      const lower = asciiLower(Buffer.from(body));
      const starts = new Set<number>();
      for (const needle of wanted) {
        for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, at + needle.length)) starts.add(lower.lastIndexOf(10, at) + 1);
      }
      for (const start of [...starts].sort((a, b) => a - b)) {
        const stop = body.indexOf(10, start);
        const line = body.toString("utf8", start, stop < 0 ? body.length : stop);
        if (line.trim() !== "") yield line;
      }
      if (n === 0) break;
    }
  } finally {
    closeSync(fd);
  }
}

/** A-Z → a-z in place; other bytes, UTF-8 sequences included, stay as they are (so case is ignored for ASCII only). */
function asciiLower(b: Buffer): Buffer {
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c >= 65 && c <= 90) b[i] = c + 32;
  }
  return b;
}
