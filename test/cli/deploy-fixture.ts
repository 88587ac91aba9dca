// The emulated Resource Manager + Kudu for the CLI tests, and functions packages to publish to it: the real bundle,
// and one whose app cannot load.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleFunctions } from "../../functions/bundle";
import { httpRoutes } from "../../functions/src/http-routes";
import { startResourceManagerEmulator, type EmulatedSiteOptions, type ResourceManagerEmulator } from "../../local/resource-manager";
import { createLocalTls, type LocalTls } from "../../local/tls";
import { execFileSync } from "node:child_process";

/** The functions functions/src/app.ts registers (test/engine/bundle.test.ts holds the bundle to them): what Kudu must index. */
export const BUNDLED_FUNCTIONS = ["ingest-content", "plan", "run-backfills", "settle-adx-failures", ...httpRoutes.map((r) => r.name)].sort();

export const SUBSCRIPTION = "6f1c2a8e-0000-4000-8000-00000000a11c";
export const GROUP = "rg-audit-lake";

export interface DeployFixture {
  dir: string;
  tls: LocalTls;
  /** `npm run bundle` output. */
  goodPackage: string;
  /** The real bundle with an app.js that throws when the worker loads it. */
  brokenPackage: string;
  startEmulator(sites: Array<Partial<EmulatedSiteOptions> & { name: string }>, timings?: { stepMs?: number; indexDelayMs?: number; recordDelayMs?: number }): Promise<ResourceManagerEmulator>;
  cleanup(): Promise<void>;
}

export async function deployFixture(): Promise<DeployFixture> {
  const dir = mkdtempSync(join(tmpdir(), "cli-deploy-"));
  const [tls] = await Promise.all([createLocalTls(join(dir, "ca.pem")), bundleFunctions(join(dir, "good"))]);
  const brokenPackage = join(dir, "broken");
  cpSync(join(dir, "good"), brokenPackage, { recursive: true });
  writeFileSync(join(brokenPackage, "app.js"), 'require("a-module-the-bundle-does-not-carry");\n');
  const emulators: ResourceManagerEmulator[] = [];
  return {
    dir,
    tls,
    goodPackage: join(dir, "good"),
    brokenPackage,
    async startEmulator(sites, timings) {
      const emulator = await startResourceManagerEmulator({
        tls,
        dataDir: join(dir, `rm-${emulators.length}`),
        sites: sites.map((s) => ({ subscriptionId: SUBSCRIPTION, resourceGroup: GROUP, appSettings: { CONTENT_QUEUE: "tenant-content" }, ...s })),
        timings: { stepMs: 50, indexDelayMs: 100, recordDelayMs: 100, ...timings },
      });
      emulators.push(emulator);
      return emulator;
    },
    async cleanup() {
      await Promise.all(emulators.map((e) => e.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether a real terraform answers on PATH (the apply tests need one; without it they skip and say so). */
export const terraformOnPath = (() => {
  try {
    execFileSync("terraform", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
