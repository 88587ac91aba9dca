// The emulated cloud with three tenants of one MSSP app — 0 the platform's own, 1 a consented client, 2 a client whose
// admin has not consented (AADSTS700016) — and the local Functions host serving tenant 0 only, as a fresh deployment
// does. onboard and rollout add the others to the host's settings, as a deployment adds them in Azure.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../cli/main";
import { CONTENT_TYPES } from "../../functions/src/management-api";
import { Tables } from "../../kql/tables";
import { viewRows } from "../../local/runner/views";
import type { CommandIo } from "../../cli/output/command-io";
import { startEmulatedCloud, type EmulatedCloud } from "../../local/cloud";
import { emulatedAppSettings } from "../../local/host/emulated-app";
import { startLocalFunctionsHost, type LocalFunctionsHost } from "../../local/host/functions-host";

export interface OnboardFixture {
  cloud: EmulatedCloud;
  host: LocalFunctionsHost;
  dir: string;
  tenant(i: 0 | 1 | 2): { tenantId: string; domain: string; clientId: string };
  /** A deployment config listing tenant 0 (ownTenant) and, with `clients`, tenants 1 and 2 as MSSP clients. */
  writeConfig(name: string, clients?: boolean): string;
  /**
   * The CLI as an operator runs it, pointed at this cloud and host; `out` is stdout, `err` stderr. `detached`: as from
   * another process (a host started with npm run host), with no hold on the host's settings.
   */
  cli(args: string[], opts?: { detached?: boolean }): Promise<{ code: number; out: string; err: string; json: any }>;
  /**
   * A tenant's blobs in the lake's ledger view (once each where people read), and the blobs the API offers now. The
   * API's offer grows as blobs become available while a test runs, so "landed" is checked against what was enqueued.
   */
  lake(i: 0 | 1 | 2): Promise<{ landed: string[]; rawLanded: number; available: Set<string> }>;
  /** What a Global Administrator's admin consent does. */
  grantConsent(i: 0 | 1 | 2): Promise<void>;
  close(): Promise<void>;
}

export async function startOnboardFixture(): Promise<OnboardFixture> {
  const dir = mkdtempSync(join(tmpdir(), "cli-onboard-"));
  const cloud = await startEmulatedCloud({ tenants: 3, users: 3, multiTenantApp: true, consent: { 2: "none" } });
  // timers an hour apart: what runs, runs because onboarding asked (plan now), not because a tick happened to fire
  const host = await startLocalFunctionsHost({ settings: emulatedAppSettings(cloud, { tenants: [cloud.tenants[0]] }), timerIntervalMs: 60 * 60_000 }).catch(async (e) => {
    await cloud.close();
    throw e;
  });
  const tenant = (i: 0 | 1 | 2) => cloud.tenants[i];
  const localHost = { read: async () => ({ ...host.settings }), update: async (s: Record<string, string>) => host.updateSettings(s) };
  const app = ["--app-url", host.url, "--function-key", host.functionKey, "--authority-host", cloud.login, "--ca-file", cloud.ca];
  return {
    cloud,
    host,
    dir,
    tenant,
    writeConfig(name, clients = false) {
      const file = join(dir, name);
      const client = (i: 1 | 2, key: string) => `\n  # client ${i}\n  - tenant: ${tenant(i).tenantId}\n    key: ${key}\n    displayName: Client ${i}\n    identity: msspClient\n`;
      writeFileSync(
        file,
        `# An MSSP over the emulated cloud.\nplatform:\n  tenantId: ${tenant(0).tenantId}\n  subscriptionId: 6f1c2a8e-0000-4000-8000-00000000a11c\n  location: westeurope\n  prefix: localmssp\n` +
          `  adx:\n    cluster:\n      new: { sku: Standard_E2ads_v5, capacity: 2 }   # kept as written\n\ntenants:\n  - tenant: ${tenant(0).tenantId}\n    key: home\n    displayName: The MSSP itself\n    identity: ownTenant\n` +
          (clients ? client(1, "clientone") + client(2, "clienttwo") : ""),
      );
      return file;
    },
    async cli(args, opts = {}) {
      const io: CommandIo & { out: string; err: string } = { out: "", err: "", interactive: false, stdout: (t) => void (io.out += t), stderr: (t) => void (io.err += t) };
      const code = await runCli([...args, ...app], { io, ...(opts.detached ? {} : { localHost }) });
      let json: unknown;
      try {
        json = JSON.parse(io.out);
      } catch {
        json = undefined;
      }
      return { code, out: io.out, err: io.err, json };
    },
    async lake(i) {
      await cloud.adxStore.idle();
      const { tenantId } = tenant(i);
      const database = (JSON.parse(host.settings.AUDIT_LAKE_TENANTS) as Array<{ tenantId: string; database: string }>).find((t) => t.tenantId === tenantId)!.database;
      const raw = cloud.adxStore.rows(database, Tables.ledger);
      const available = new Set(CONTENT_TYPES.flatMap((ct) => cloud.truth.availableBlobs(tenantId, ct).map((b) => b.contentId)));
      return { landed: viewRows(Tables.ledger, raw).map((r) => String(r.ContentId)), rawLanded: raw.length, available };
    },
    grantConsent(i) {
      const url = new URL(`${cloud.login}/_emulator/consent/${tenant(i).tenantId}`);
      return new Promise((resolve, reject) => {
        const req = request(url, { method: "POST", ca: readFileSync(cloud.ca, "utf8"), headers: { "content-type": "application/json" } }, (res) => {
          res.resume();
          res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`consent control answered ${res.statusCode}`))));
        });
        req.on("error", reject);
        req.end(JSON.stringify({ consent: "granted" }));
      });
    },
    async close() {
      await host.close();
      await cloud.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
