// npm run bundle: the deployable Functions package in dist/functions/ — one minified app.js, host.json, package.json.
import { build, type Plugin } from "esbuild";
import { copyFileSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = join(__dirname, "..");
export const DEFAULT_OUT = join(root, "dist", "functions");

// zod re-exports all its ~40 message locales (260 KiB minified) through one index; it loads English directly, and we
// never switch locale, so the index becomes an empty module.
const zodEnglishOnly: Plugin = {
  name: "zod-english-only",
  setup(b) {
    b.onResolve({ filter: /^\.\.?\/locales\/index\.c?js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer) ? { path: args.path, namespace: "zod-locales" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "zod-locales" }, () => ({ contents: "module.exports = {};", loader: "js" }));
  },
};

export interface BundleReport {
  appBytes: number;
  /** Bytes of the minified output per npm package (and "(our code)"), largest first. */
  parts: Array<[string, number]>;
}

/** Builds the deployable package into `out`: app.js (everything bundled but the worker-provided core), host.json, package.json. */
export async function bundleFunctions(out = DEFAULT_OUT): Promise<BundleReport> {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const result = await build({
    entryPoints: [join(__dirname, "src", "app.ts")],
    outfile: join(out, "app.js"),
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    minify: true,
    sourcemap: false,
    legalComments: "none",
    metafile: true,
    // Provided by the Functions Node worker at run time; the only module the package must not carry.
    external: ["@azure/functions-core"],
    plugins: [zodEnglishOnly],
    logLevel: "warning",
  });
  copyFileSync(join(__dirname, "host.json"), join(out, "host.json"));
  writeFileSync(
    join(out, "package.json"),
    JSON.stringify({ name: "m365-audit-lake-functions", version: "0.1.0", private: true, main: "app.js", engines: { node: ">=20" } }, null, 2) + "\n",
  );

  const appBytes = statSync(join(out, "app.js")).size;
  const inputs = Object.entries(result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].inputs);
  const byPackage = new Map<string, number>();
  for (const [path, info] of inputs) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    const key = m ? m[1] : "(our code)";
    byPackage.set(key, (byPackage.get(key) ?? 0) + info.bytesInOutput);
  }
  return { appBytes, parts: [...byPackage].sort((a, b) => b[1] - a[1]) };
}

if (require.main === module) {
  bundleFunctions()
    .then(({ appBytes, parts }) => {
      console.log(`dist/functions/app.js  ${(appBytes / 1024).toFixed(0)} KiB (minified, one file)  + host.json, package.json`);
      console.log(`largest parts: ${parts.slice(0, 8).map(([k, v]) => `${k} ${(v / 1024).toFixed(0)} KiB`).join(", ")}`);
    })
    .catch((e) => {
      console.error(`bundle failed: ${(e as Error).message}`);
      process.exit(1);
    });
}
