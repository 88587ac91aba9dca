// The functions package (what `npm run bundle` writes to dist/functions/) as the zip OneDeploy takes: paths relative
// to the package root, each entry carrying its Unix file mode so the Linux host can read what it unpacks.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { zipSync, type Zippable } from "fflate";
import { CliError } from "../output/cli-error";
import { ExitCode } from "../output/exit-codes";

export interface FunctionsPackageZip {
  bytes: Uint8Array;
  files: string[];
}

const UNIX = 3;

/** Throws PackageNotBuilt unless `dir` holds a built functions package. */
export function checkFunctionsPackage(dir: string): void {
  const missing = ["host.json", "package.json"].filter((f) => !isFile(join(dir, f)));
  if (missing.length > 0) {
    throw new CliError(
      "PackageNotBuilt",
      `${dir} does not hold a functions package (missing ${missing.join(" and ")}).`,
      "Build it with `npm run bundle` (it writes dist/functions/), or pass --package <folder> pointing at a built package.",
      ExitCode.Prerequisite,
    );
  }
}

export function zipFunctionsPackage(dir: string): FunctionsPackageZip {
  checkFunctionsPackage(dir);
  const entries: Zippable = {};
  const files: string[] = [];
  for (const path of walk(dir)) {
    const name = relative(dir, path).split(sep).join("/");
    const mode = statSync(path).mode;
    // the top 16 bits of the external attributes hold st_mode when the entry is made on Unix
    entries[name] = [readFileSync(path), { os: UNIX, attrs: (mode & 0xffff) * 0x10000 }];
    files.push(name);
  }
  return { bytes: zipSync(entries, { level: 6, mtime: new Date("2020-01-01T00:00:00Z") }), files: files.sort() };
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
