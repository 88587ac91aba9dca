// What Kudu does with a OneDeploy zip for a Node app: unpack it (keeping Unix modes) and refuse one that is not a
// functions package; then what the Functions host does after a deployment: load it and index the functions.
import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, normalize, resolve, sep } from "node:path";
import { unzipSync } from "fflate";
import { zipEntryModes } from "./zip-entries";

export class PackageRejected extends Error {}

export interface UnpackedPackage {
  files: number;
  /** path → Unix mode as extracted (undefined when the zip carried none) */
  modes: Record<string, number | undefined>;
}

/** Unpacks `zip` into `dir` (emptied first); throws PackageRejected with the reason a real deployment would log. */
export function unpackFunctionsPackage(zip: Uint8Array, dir: string): UnpackedPackage {
  let files: Record<string, Uint8Array>;
  let modes: ReturnType<typeof zipEntryModes>;
  try {
    files = unzipSync(zip);
    modes = zipEntryModes(zip);
  } catch (e) {
    throw new PackageRejected(`The package is not a valid zip archive (${(e as Error).message}).`);
  }
  if (!("host.json" in files)) {
    throw new PackageRejected("host.json was not found at the root of the package: zip the contents of the app folder, not the folder itself.");
  }
  try {
    const host = JSON.parse(new TextDecoder().decode(files["host.json"])) as { version?: string };
    if (host.version !== "2.0") throw new Error(`"version" is ${JSON.stringify(host.version)}, expected "2.0"`);
  } catch (e) {
    throw new PackageRejected(`host.json is not a valid Functions host configuration: ${(e as Error).message}.`);
  }
  const root = resolve(dir) + sep;
  for (const name of Object.keys(files)) {
    if (!normalize(join(root, name)).startsWith(root)) throw new PackageRejected(`The entry '${name}' would be extracted outside the app folder.`);
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const modeOf = new Map(modes.map((m) => [m.name, m.mode]));
  const extracted: UnpackedPackage["modes"] = {};
  for (const [name, bytes] of Object.entries(files)) {
    const target = normalize(join(root, name));
    if (name.endsWith("/")) {
      mkdirSync(target, { recursive: true });
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes);
    const mode = modeOf.get(name);
    if (mode !== undefined) chmodSync(target, mode & 0o7777);
    extracted[name] = mode;
  }
  return { files: Object.keys(extracted).length, modes: extracted };
}

export interface IndexedFunction {
  name: string;
  bindings: Array<Record<string, unknown> & { name: string; type: string; direction: string }>;
}

export type IndexOutcome = { ok: true; functions: IndexedFunction[] } | { ok: false; error: string };

/** Loads the unpacked app as the Node worker would (package.json "main") and lists what it registers. */
export function indexFunctions(dir: string, appSettings: Record<string, string>): Promise<IndexOutcome> {
  let main = "index.js";
  try {
    main = (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { main?: string }).main ?? main;
  } catch {
    return Promise.resolve({ ok: false, error: "package.json is missing or not JSON: the Node worker cannot find the app's entry point." });
  }
  const entry = join(dir, main);
  if (!existsSync(entry)) return Promise.resolve({ ok: false, error: `package.json "main" is '${main}', which the package does not contain.` });
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(__dirname, "worker-stand-in.cjs"), entry],
      { cwd: dir, env: { PATH: process.env.PATH ?? "", ...appSettings }, timeout: 30_000, maxBuffer: 4 << 20 },
      (error, stdout, stderr) => {
        if (error) {
          resolve({ ok: false, error: `Worker failed to load the app: ${(stderr || error.message).trim().split("\n").slice(0, 6).join("\n")}` });
          return;
        }
        const registered = JSON.parse(stdout) as Array<{ name: string; bindings: Record<string, Record<string, unknown>> }>;
        resolve({
          ok: true,
          // The host keeps routes and names starting with "admin" for its own API: such a function is in error, not listed.
          functions: registered.filter((f) => !reservedByHost(f)).map((f) => ({
            name: f.name,
            bindings: Object.entries(f.bindings).map(([name, b]) => ({ name, ...b }) as IndexedFunction["bindings"][number]),
          })),
        });
      },
    );
  });
}

function reservedByHost(f: { name: string; bindings: Record<string, Record<string, unknown>> }): boolean {
  const http = Object.values(f.bindings).find((b) => b.type === "httpTrigger");
  return Boolean(http) && (/^admin/i.test(f.name) || /^\/?admin/i.test(String(http!.route ?? f.name)));
}
