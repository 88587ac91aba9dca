import { createHash } from "node:crypto";
import type { TokenStore } from "./management-api/tokens";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { mailAccessStream } from "../kql/sentinel-stream";
import { startAdxEmulator, type AdxEmulator, type AdxStore } from "./adx";
import { startAzurite, type Azurite } from "./azurite";
import { startGraphAuditEmulator, type GraphAuditEmulator, type GraphAuditEmulatorOptions } from "./graph-audit";
import { startLogsIngestionEmulator, type LogsIngestionEmulator } from "./logs-ingestion";
import {
  startManagementApiEmulator,
  type EmulatedTenant,
  type GroundTruth,
  type ManagementApiEmulator,
  type ManagementApiEmulatorOptions,
} from "./management-api";
import { createLocalTls } from "./tls";

export interface EmulatedCloudOptions extends ManagementApiEmulatorOptions {
  /** Where ADX rows, Logs Ingestion rows and (then on disk) Azurite data go; default a fresh temp dir. */
  dataDir?: string;
  adxFaults?: { transient?: number; permanent?: number };
  logsIngestion?: { maxRequestBytes?: number; requestsPerMinute?: number };
  /** The Graph audit log query emulator's own options (lifecycle timing, faults, roles); it shares seed, users,
   *  tenants, clock, anchor and tokens with the Management API emulator, so both serve one tenant's log. */
  graph?: Omit<GraphAuditEmulatorOptions, "seed" | "tenants" | "users" | "multiTenantApp" | "now" | "anchor" | "tokens" | "tls">;

  // ---- additions beyond the team contract ----
  /** Azurite in memory or in `<dataDir>/azurite`; default "disk" when dataDir is given, else "memory". */
  storage?: "memory" | "disk";
  /** Keep a temp dataDir on close (it is removed by default; a given dataDir is never removed). */
  keepDataDir?: boolean;
  /** Diagnostics from the emulators; default silent. */
  log?: (line: string) => void;
}

export interface EmulatedCloud {
  managementApi: string;
  login: string;
  adx: string;
  logsIngestion: string;
  /** https://127.0.0.1:P — Graph's audit log query API under {graph}/beta and {graph}/v1.0 (the per-run CA signs it). */
  graph: string;
  ca: string;
  caPem: string;
  storage: { connectionString: string; blob: string; queue: string; table: string };
  tenants: EmulatedTenant[];
  sentinel: { dcrImmutableId: string; streamName: string };
  truth: GroundTruth;
  /** The Graph emulator: its ground truth over the whole retention, its query counters. */
  graphAudit: GraphAuditEmulator;
  adxStore: AdxStore;
  logsStore: { rows(streamName: string): object[] };
  /** The login emulator's tokens: it issues them, every emulated service checks them (operators' included). */
  tokens: TokenStore;
  dataDir: string;
  describe(): object;
  close(): Promise<void>;
}

/** The stream the emulated Sentinel workspace's data collection rule declares: the one kql/ defines. */
export const SENTINEL_STREAM = mailAccessStream().streamName;

/** Starts Azurite, the Management Activity API, Graph audit log query, ADX and Logs Ingestion emulators, wired together. */
export async function startEmulatedCloud(opts: EmulatedCloudOptions = {}): Promise<EmulatedCloud> {
  const ownDataDir = opts.dataDir === undefined;
  const dataDir = resolve(opts.dataDir ?? mkdtempSync(join(tmpdir(), "m365-audit-lake-")));
  mkdirSync(dataDir, { recursive: true });
  const storageMode = opts.storage ?? (ownDataDir ? "memory" : "disk");
  const seed = opts.seed ?? 1;
  const closers: Array<() => Promise<void>> = [];

  const closeAll = async (): Promise<void> => {
    const errors: unknown[] = [];
    // Last started, first stopped: ADX drains from Azurite, so Azurite goes last.
    for (const close of closers.splice(0).reverse()) {
      await close().catch((e) => errors.push(e));
    }
    if (ownDataDir && !opts.keepDataDir) rmSync(dataDir, { recursive: true, force: true });
    if (errors.length > 0) throw errors[0];
  };

  try {
    const tlsReady = createLocalTls(join(dataDir, "tls", "ca.pem"));
    const [tls, azurite, managementApi] = await Promise.all([
      tlsReady,
      startAzurite(storageMode === "disk" ? { location: join(dataDir, "azurite") } : {}).then((a: Azurite) => {
        closers.unshift(() => a.stop());
        return a;
      }),
      // The login endpoint is HTTPS with the per-run CA, so the engine's @azure/identity credentials work against it.
      tlsReady.then((t) => startManagementApiEmulator(managementOptions(opts), { loginTls: t })).then((m: ManagementApiEmulator) => {
        closers.push(() => m.close());
        return m;
      }),
    ]);

    const sentinel = { dcrImmutableId: `dcr-${createHash("sha256").update(`dcr:${seed}`).digest("hex").slice(0, 32)}`, streamName: SENTINEL_STREAM };
    const [adx, logs, graph] = await Promise.all([
      startAdxEmulator({
        databases: managementApi.tenants.map((t) => t.database),
        dataDir,
        storage: azurite,
        faults: opts.adxFaults,
        seed,
        log: opts.log,
      }).then((a: AdxEmulator) => {
        closers.push(() => a.close());
        return a;
      }),
      startLogsIngestionEmulator({
        tls,
        dataDir,
        rules: [{ dcrImmutableId: sentinel.dcrImmutableId, streams: [mailAccessStream()] }],
        maxRequestBytes: opts.logsIngestion?.maxRequestBytes,
        rateLimit: opts.logsIngestion?.requestsPerMinute ? { requests: opts.logsIngestion.requestsPerMinute, perMs: 60_000 } : undefined,
      }).then((l: LogsIngestionEmulator) => {
        closers.push(() => l.close());
        return l;
      }),
      // One tenant, two APIs: the Graph emulator serves the Management API emulator's week (same Ids) and older history.
      startGraphAuditEmulator({
        ...opts.graph,
        seed,
        tenants: managementApi.tenants.length,
        users: opts.users,
        multiTenantApp: opts.multiTenantApp,
        now: opts.now,
        anchor: managementApi.anchor,
        tokens: managementApi.tokens,
        tls,
      }).then((g: GraphAuditEmulator) => {
        closers.push(() => g.close());
        return g;
      }),
    ]);

    const storage = { connectionString: azurite.connectionString, blob: azurite.blob, queue: azurite.queue, table: azurite.table };
    let closing: Promise<void> | undefined;
    const cloud: EmulatedCloud = {
      managementApi: managementApi.managementApi,
      login: managementApi.login,
      adx: adx.url,
      logsIngestion: logs.url,
      graph: graph.url,
      ca: tls.caPath,
      caPem: tls.caPem,
      storage,
      tenants: managementApi.tenants,
      sentinel,
      truth: managementApi.truth,
      graphAudit: graph,
      adxStore: adx.store,
      logsStore: logs.store,
      tokens: managementApi.tokens,
      dataDir,
      describe: () => ({
        managementApi: cloud.managementApi,
        login: cloud.login,
        adx: cloud.adx,
        logsIngestion: cloud.logsIngestion,
        graph: graph.basePaths.map((b) => `${cloud.graph}${b}`),
        ca: cloud.ca,
        storage,
        tenants: cloud.tenants.map((t) => ({ tenantId: t.tenantId, clientId: t.clientId, clientSecret: t.clientSecret, publisherId: t.publisherId, database: t.database })),
        sentinel,
        dataDir,
        adxData: adx.store.dir,
        truth: cloud.tenants.map((t) => `${cloud.managementApi}/_emulator/truth/${t.tenantId}`),
        graphTruth: cloud.tenants.map((t) => `${cloud.graph}/_emulator/truth/${t.tenantId}`),
      }),
      close: () => (closing ??= closeAll()),
    };
    return cloud;
  } catch (e) {
    await closeAll().catch(() => undefined);
    throw e;
  }
}

function managementOptions(opts: EmulatedCloudOptions): ManagementApiEmulatorOptions {
  const { dataDir: _d, adxFaults: _a, logsIngestion: _l, storage: _s, keepDataDir: _k, log: _g, graph: _r, ...rest } = opts;
  // the login issues Graph-audience tokens: the Graph emulator is part of every emulated cloud
  return { graphAudience: true, ...rest };
}
