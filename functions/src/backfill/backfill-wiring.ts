// Back-fill's parts built from the settings: a Graph client per tenant that has back-fill on, its job store, the
// admin use cases and the timer's runner.
import { readFileSync } from "node:fs";
import type { EngineConfig, TenantConfig } from "../config";
import { GRAPH_SCOPE, GraphAuditLogClient } from "../graph-audit";
import { cloudEndpoints, createManagementCredential } from "../management-api";
import type { AdxIngestionSources } from "../state/adx-ingestion-sources";
import type { StorageAccount } from "../state/storage-account";
import { AdxFailedIntervals } from "./adx-failed-interval";
import { MAX_INTERVAL_ATTEMPTS } from "./backfill-job";
import { BackfillJobs } from "./backfill-jobs";
import { BackfillRunner, type BackfillRunnerDeps, type BackfillTenant } from "./backfill-runner";
import { BACKFILL_INTERVALS_TABLE, BACKFILL_JOBS_TABLE, BackfillStore } from "./backfill-store";
import type { PageSink } from "./page-landing";

export interface Backfill {
  store: BackfillStore;
  jobs: BackfillJobs;
  runner: BackfillRunner;
  /** For the ADX failure settlement: a back-fill page ADX failed after accepting it re-opens its interval. */
  adxFailedIntervals: AdxFailedIntervals;
}

export function createBackfill(
  config: EngineConfig,
  account: StorageAccount,
  sink: PageSink,
  sources: AdxIngestionSources,
  opts: { now?: () => Date; onStep?: BackfillRunnerDeps["onStep"]; budgetMs?: number } = {},
): Backfill {
  const store = new BackfillStore(account.table(BACKFILL_JOBS_TABLE), account.table(BACKFILL_INTERVALS_TABLE));
  const ca = config.graphAudit.caFile ? readFileSync(config.graphAudit.caFile, "utf8") : undefined;
  const tenants = new Map<string, BackfillTenant>(config.tenants.map((t) => [t.tenantId, { config: t, graph: t.backfill ? graphClient(t, config, ca) : undefined }]));
  return {
    store,
    jobs: new BackfillJobs(store, config.tenants, opts.now),
    runner: new BackfillRunner({ store, tenants, sink, sources, now: opts.now, onStep: opts.onStep, budgetMs: opts.budgetMs }),
    adxFailedIntervals: new AdxFailedIntervals({ store, sink, sources, maxAttempts: MAX_INTERVAL_ATTEMPTS, now: opts.now ?? (() => new Date()) }),
  };
}

/** The tenant's own app identity, asking for a Graph token: the same consent, one more application role. */
function graphClient(t: TenantConfig, config: EngineConfig, ca: string | undefined): GraphAuditLogClient {
  const credential = createManagementCredential(t.tenantId, t.credential, {
    authorityHost: t.loginUrl ?? cloudEndpoints(t.cloud).authorityHost,
    tokenScope: GRAPH_SCOPE,
  });
  return new GraphAuditLogClient(credential, { baseUrl: config.graphAudit.baseUrl, pageSize: config.graphAudit.pageSize, tls: ca ? { ca } : undefined });
}
