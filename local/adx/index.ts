import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { loadCatalog, type Catalog } from "../../kql/catalog";
import { AdxFaults, type AdxFaultRates } from "./faults";
import { AdxIngestion } from "./ingestion";
import { IngestionResources, type StorageAccount } from "./ingestion-resources";
import { QueuedIngestion } from "./queued-ingestion";
import { handleAdxRequest, type AdxRequestContext } from "./server";
import { AdxStore } from "./store";

export { AdxStore, type AdxCounters, type Extent, type SealReason, type TableFigures } from "./store";
export { AdxIngestionError, type AdxErrorCode } from "./errors";
export type { AdxFaultRates } from "./faults";
export type { StorageAccount } from "./ingestion-resources";

export interface AdxEmulatorOptions {
  /** The databases the cluster holds (one per tenant in the emulated cloud); others are rejected. */
  databases: string[];
  /** Rows land in `<dataDir>/adx/<db>/<table>.jsonl` (extents and their tags in `<table>.extents.jsonl`). */
  dataDir: string;
  /** Storage for queued ingestion (Azurite). Without it only streaming ingestion works. */
  storage?: StorageAccount;
  /**
   * Ends the names of the ingestion queues, container and status table (lower-case letters and digits), as real
   * clusters' names end in random suffixes: two emulated clusters can then share one storage account. Default none.
   */
  resourceSuffix?: string;
  /** Tables and JSON mappings; default: kql/tables/*.kql. */
  catalog?: Catalog;
  faults?: AdxFaultRates;
  /** Seeds the fault generator. Default 1. */
  seed?: number;
  host?: string;
  port?: number;
  /** Diagnostics (skipped ingestions, queue errors). Default: silent. */
  log?: (line: string) => void;
}

export interface AdxEmulator {
  /** The cluster's ingestion endpoint, e.g. http://127.0.0.1:P (use it as the ingest URI of azure-kusto-ingest). */
  url: string;
  store: AdxStore;
  /** Changes the injected failure rates from the next ingestion attempt on. */
  setFaults(rates: AdxFaultRates): void;
  close(): Promise<void>;
}

/** Starts the ADX ingestion emulator: streaming ingestion always, queued ingestion when `storage` is given. */
export async function startAdxEmulator(opts: AdxEmulatorOptions): Promise<AdxEmulator> {
  const catalog = opts.catalog ?? loadCatalog();
  const databases = new Set(opts.databases);
  const store = new AdxStore(join(opts.dataDir, "adx"));
  const ingestion = new AdxIngestion(catalog, databases, store);
  const faults = new AdxFaults(opts.faults, opts.seed ?? 1);
  const log = opts.log ?? (() => {});
  const resources = opts.storage ? await IngestionResources.provision(opts.storage, opts.resourceSuffix) : undefined;
  const queued = resources ? new QueuedIngestion(resources, ingestion, store, faults, catalog, log) : undefined;
  const inFlight = { streaming: 0 };
  const ctx: AdxRequestContext = { ingestion, resources, store, faults, databases, catalog, inFlight };

  store.setIdleProbe(async () => {
    for (;;) {
      if (queued) await queued.idle();
      if (inFlight.streaming === 0) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  });

  const server: Server = createServer((req, res) => {
    void handleAdxRequest(req, res, ctx);
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  queued?.start();
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${opts.host ?? "127.0.0.1"}:${port}`,
    store,
    setFaults: (rates) => faults.set(rates),
    close() {
      closing ??= (async () => {
        await queued?.stop();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections(); // the SDK keeps connections alive
        });
      })();
      return closing;
    },
  };
}
