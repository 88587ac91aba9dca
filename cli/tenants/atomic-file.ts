// Replacing a file so a reader (or a crash) sees the old bytes or the new ones, never half of each: write a temp file
// beside it, flush it, then rename over the original (rename is atomic within one directory).
import { closeSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";

export function replaceFileAtomically(path: string, text: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  // keep the original's permissions: a config readable only by its owner stays so
  const mode = statSync(path).mode & 0o777;
  const fd = openSync(temp, "wx", mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, path);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      // already closed before the failing rename
    }
    unlinkSync(temp);
    throw e;
  }
}
