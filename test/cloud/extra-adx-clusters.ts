// Further ADX emulators for an emulated cloud's tenants, on the cloud's Azurite (own ingestion queues by suffix), so a
// test can break one cluster on purpose without touching the others.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAdxEmulator, type AdxEmulator } from "../../local/adx";
import { DEV_ACCOUNT_KEY, DEV_ACCOUNT_NAME } from "../../local/azurite";
import type { EmulatedCloud } from "../../local/cloud";

export interface ExtraAdxClusters {
  start(name: string, o?: Partial<Parameters<typeof startAdxEmulator>[0]>): Promise<AdxEmulator>;
  /** Closes every cluster started and removes their data. */
  close(): Promise<void>;
}

export function extraAdxClusters(cloud: () => EmulatedCloud, prefix: string): ExtraAdxClusters {
  const clusters: AdxEmulator[] = [];
  let dir: string | undefined;
  return {
    async start(name, o = {}) {
      dir ??= mkdtempSync(join(tmpdir(), prefix));
      const c = await startAdxEmulator({
        databases: cloud().tenants.map((t) => t.database),
        dataDir: join(dir, name),
        storage: { ...cloud().storage, accountName: DEV_ACCOUNT_NAME, accountKey: DEV_ACCOUNT_KEY },
        resourceSuffix: name,
        ...o,
      });
      clusters.push(c);
      return c;
    },
    async close() {
      for (const c of clusters.splice(0)) await c.close().catch(() => undefined);
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
