// The zip central directory, read for what fflate's unzip does not report: each entry's Unix file mode.
export interface ZipEntryMode {
  name: string;
  /** Unix mode bits (e.g. 0o100644), or undefined when the entry was not made on a Unix system. */
  mode: number | undefined;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
const UNIX = 3;

export function zipEntryModes(zip: Uint8Array): ZipEntryMode[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  // the end record sits in the last 22 bytes plus an optional comment of up to 65535 bytes
  let end = -1;
  for (let i = zip.byteLength - 22; i >= Math.max(0, zip.byteLength - 22 - 65535); i--) {
    if (view.getUint32(i, true) === END_OF_CENTRAL_DIRECTORY) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error("no end-of-central-directory record");
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const entries: ZipEntryMode[] = [];
  for (let n = 0; n < count; n++) {
    if (view.getUint32(at, true) !== CENTRAL_DIRECTORY_ENTRY) throw new Error(`central directory entry ${n} is corrupt`);
    const madeBy = view.getUint16(at + 4, true) >> 8;
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const external = view.getUint32(at + 38, true);
    const name = new TextDecoder().decode(zip.subarray(at + 46, at + 46 + nameLength));
    entries.push({ name, mode: madeBy === UNIX ? external >>> 16 : undefined });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
