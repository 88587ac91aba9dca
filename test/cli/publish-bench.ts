// npm run bench:publish — what the CLI adds to a code deployment, measured against the emulated Resource Manager +
// Kudu with no emulated delays: zipping the bundle, and publish end to end (token, site, upload, unpack, poll, index).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zipFunctionsPackage } from "../../cli/deploy/functions-package-zip";
import { publishFunctions } from "../../cli/deploy/publish-functions";
import { bundleFunctions } from "../../functions/bundle";
import { startResourceManagerEmulator } from "../../local/resource-manager";
import { createLocalTls } from "../../local/tls";

const RUNS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "publish-bench-"));
  try {
    const [tls] = await Promise.all([createLocalTls(join(dir, "ca.pem")), bundleFunctions(join(dir, "pkg"))]);
    const zipMs: number[] = [];
    let bytes = 0;
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      bytes = zipFunctionsPackage(join(dir, "pkg")).bytes.length;
      zipMs.push(performance.now() - t);
    }
    const rm = await startResourceManagerEmulator({
      tls,
      dataDir: join(dir, "rm"),
      sites: [{ subscriptionId: "s", resourceGroup: "rg", name: "func", appSettings: { CONTENT_QUEUE: "q" } }],
      timings: { stepMs: 0, indexDelayMs: 0, recordDelayMs: 0 },
    });
    const publishMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      await publishFunctions({
        subscription: "s",
        resourceGroup: "rg",
        site: "func",
        packageDir: join(dir, "pkg"),
        connection: { credential: rm.credential(), endpoint: rm.url, caPem: tls.caPem },
        pollIntervalMs: 20,
        indexPollIntervalMs: 20,
      });
      publishMs.push(performance.now() - t);
    }
    await rm.close();
    console.log(`functions package zip: ${(bytes / 1024).toFixed(0)} KiB, median ${median(zipMs).toFixed(0)} ms over ${RUNS} runs`);
    console.log(`publish end to end against the emulator (no emulated delays): median ${median(publishMs).toFixed(0)} ms, max ${Math.max(...publishMs).toFixed(0)} ms over ${RUNS} runs`);
    console.log(`peak RSS of this process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
