// The composition root: the one place that reads the app settings and builds the engine. Handlers, the local host and
// the bench reach the engine only through the use cases exposed here.
import { adminUseCases, type AdminUseCases } from "./admin/admin-use-cases";
import { loadConfig, settingsFingerprint, type EngineConfig } from "./config";
import type { BackfillJob } from "./backfill/backfill-job";
import type { ContentMessage } from "./state/content-queue";
import { createEngine, type Engine } from "./use-cases/engine";
import type { EngineLog } from "./use-cases/engine-log";
import { healthReport, type HealthReport } from "./use-cases/health";
import { admitNotifications, type NotificationOutcome } from "./use-cases/notifications";
import type { PlanResult } from "./use-cases/planner";
import type { AdxFailureSettlementResult } from "./use-cases/adx-failure-settlement";
import type { BlobOutcome } from "./use-cases/worker";

/** What the Function App does, one use case per trigger. */
export interface AuditLake {
  /** The settings it was built from. */
  readonly settings: Readonly<EngineConfig>;
  /** List new content for every tenant × content type and enqueue it. */
  plan(log: EngineLog): Promise<PlanResult[]>;
  /** Land the blobs of one queue message. */
  ingest(message: ContentMessage, dequeueCount: number, log: EngineLog): Promise<BlobOutcome[]>;
  /** Admit the blobs a Management API notification announces. */
  admitNotifications(body: unknown, log: EngineLog): Promise<NotificationOutcome>;
  /** Act on ADX's reports of queued ingestions that failed after the worker was done. */
  settleAdxFailures(log: EngineLog): Promise<AdxFailureSettlementResult>;
  /** Lag, pending / failed / expiring blobs per tenant × content type. */
  health(): Promise<HealthReport>;
  /** Records a back-fill job beyond 7 days (checked: BackfillRequestError 400/404 naming the field); run by runBackfills. */
  startBackfill(request: unknown): Promise<BackfillJob>;
  /** Back-fill jobs, oldest first, of one tenant or all. */
  backfills(tenantId?: string): Promise<BackfillJob[]>;
  /** One back-fill job (BackfillRequestError 404 when unknown). */
  backfill(id: string): Promise<BackfillJob>;
  /** Advance every unfinished back-fill job as far as one timer run allows. */
  runBackfills(log: EngineLog): Promise<BackfillJob[]>;
  /** The admin API's use cases: tenant access, a plan run now, requeue. */
  readonly admin: AdminUseCases;
  close(): Promise<void>;
}

/** The use cases over an engine built elsewhere (tests build theirs with their own clock and observers). */
export function auditLake(engine: Engine): AuditLake {
  const notified = new Map(
    [...engine.tenants].map(([id, t]) => [id, { contentTypes: t.config.contentTypes, contentUriProblem: (id: string, uri: string) => t.client.contentUriProblem(id, uri) }]),
  );
  return {
    settings: engine.config,
    plan: (log) => engine.planner.run(log),
    ingest: (message, dequeueCount, log) => engine.worker.ingest(message, dequeueCount, log),
    admitNotifications: (body, log) => admitNotifications(body, notified, engine.intake, log),
    settleAdxFailures: (log) => engine.adxFailures.run(log),
    health: () => healthReport({ tenants: engine.config.tenants, checkpoints: engine.checkpoints, ledger: engine.ledger, backfills: engine.backfill.jobs }),
    startBackfill: (request) => engine.backfill.jobs.start(request),
    backfills: (tenantId) => engine.backfill.jobs.list(tenantId),
    backfill: (id) => engine.backfill.jobs.get(id),
    runBackfills: (log) => engine.backfill.runner.run(log),
    admin: adminUseCases(engine),
    close: () => engine.close(),
  };
}

// One lake per process and settings: handlers share clients, token caches and table clients across invocations.
// Keyed on the raw settings, so an unchanged process pays neither validation nor a rebuild per invocation.
let current: { fingerprint: string; lake: AuditLake } | undefined;

/** The lake for the current app settings; rebuilt (and the old one closed) when the settings change. */
export function getAuditLake(env: Record<string, string | undefined> = process.env): AuditLake {
  const fingerprint = settingsFingerprint(env);
  if (current?.fingerprint === fingerprint) return current.lake;
  const config = loadConfig(env);
  const previous = current?.lake;
  current = { fingerprint, lake: auditLake(createEngine(config, { appSettings: env })) };
  void previous?.close().catch(() => undefined);
  return current.lake;
}

/** Closes the shared lake (the local host calls this when a job ends). */
export async function closeAuditLake(): Promise<void> {
  const lake = current?.lake;
  current = undefined;
  await lake?.close();
}
