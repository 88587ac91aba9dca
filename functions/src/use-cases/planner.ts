import type { TenantConfig } from "../config";
import type { ContentBlobRef, ManagementActivityClient } from "../management-api/client";
import { describeUrl } from "../management-api/api-origin";
import type { ContentType } from "../management-api/content-types";
import { ClientErrorCodes } from "../management-api/errors";
import type { CheckpointStore } from "../state/checkpoints";
import { failureCode, failureReason, ServiceError } from "../service-error";
import { forEachConcurrent } from "./concurrency";
import type { ContentIntake } from "./content-intake";
import { LEDGER_RETENTION_DAYS, type ContentLedger, type LedgerEntry } from "../state/content-ledger";
import { contentRef, type ContentRef } from "../state/content-ref";
import { pipelineLog, type EngineLog, type PipelineLog } from "./engine-log";
import { alertExpiring } from "./expiry-watch";
import { DAY, HOUR, MINUTE, listingWindow, type ListingSettings, type ListingWindow } from "./listing-window";

// Where pending content near expiry is found and alerted on; re-exported for code that imported it from here.
export { atRiskOfExpiry, EXPIRY_ALERT_MS } from "./expiry-watch";

/** A claim older than this without its queue message is taken to be from a planner that died mid-way. */
export const STALE_CLAIM_MS = 10 * MINUTE;
// Tenants planned at once, content types at once per tenant, ledger/queue writes at once per content type. The
// Management API budget (2,000 requests/min per tenant) is spent almost entirely by workers; listing is sequential per
// content type, so one tenant's planner issues at most 2 API requests at a time.
const TENANT_CONCURRENCY = 4;
const CONTENT_TYPE_CONCURRENCY = 2;
/** Listed blobs are admitted in groups of this many: a few queue messages and one ledger transaction per partition each. */
const INTAKE_GROUP = 100;

export type ContentSource = Pick<ManagementActivityClient, "ensureSubscription" | "listContent">;

export interface PlannedTenant {
  config: TenantConfig;
  source: ContentSource;
}

/** Steps a run reports as it goes; a test throws from one to simulate a crash at exactly that point. */
export type PlannerStep =
  | { step: "listed"; tenantId: string; contentType: string; window: ListingWindow; blobs: number }
  | { step: "enqueued"; tenantId: string; contentType: string; contentId: string }
  | { step: "checkpointed"; tenantId: string; contentType: string; listedThrough: Date; outcome: string };

export interface PlannerDeps {
  tenants: PlannedTenant[];
  checkpoints: CheckpointStore;
  ledger: ContentLedger;
  intake: ContentIntake;
  listing: ListingSettings;
  webhook?: { address?: string; authId?: string };
  now?: () => Date;
  onStep?: (s: PlannerStep) => void | Promise<void>;
}

export interface PlanResult {
  tenantId: string;
  contentType: string;
  window?: { start: string; end: string; sweep: boolean; firstRun: boolean };
  listed: number;
  enqueued: number;
  reenqueued: number;
  known: number;
  expiring: number;
  purged: number;
  checkpoint?: "advanced" | "superseded";
  error?: { code: string; message: string };
}

export class PlanError extends ServiceError {
  override readonly name = "PlanError";
  constructor(readonly failures: PlanResult[]) {
    super(
      `Planning failed for ${failures.length} tenant × content type pair(s); their checkpoints were not advanced and the next run retries:\n` +
        failures.map((f) => `  - ${f.tenantId} ${f.contentType}: [${f.error!.code}] ${f.error!.message}`).join("\n"),
      { code: "PlanFailed", transient: true, advice: "The next run retries each pair; act on the codes above if they persist (the health endpoint shows the last error)." },
    );
  }
}

/**
 * The planner: for every tenant × content type, list [checkpoint − overlap, now), admit every blob the ledger does not
 * hold yet (ledger entry, then queue message), and only then advance the checkpoint.
 */
export class Planner {
  private readonly subscribed = new Set<string>();
  private readonly now: () => Date;

  constructor(private readonly deps: PlannerDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Plans every tenant × content type; one failing pair never stops the others. Failures are in the results. */
  async run(log: EngineLog): Promise<PlanResult[]> {
    const plog = pipelineLog(log);
    const results: PlanResult[] = [];
    await forEachConcurrent(this.deps.tenants, TENANT_CONCURRENCY, async (tenant) => {
      await forEachConcurrent(tenant.config.contentTypes, CONTENT_TYPE_CONCURRENCY, async (contentType) => {
        results.push(await this.planOne(tenant, contentType, plog));
      });
    });
    return results;
  }

  async planOne(tenant: PlannedTenant, contentType: ContentType, hostLog: EngineLog | PipelineLog): Promise<PlanResult> {
    const log = pipelineLog(hostLog);
    const tenantId = tenant.config.tenantId;
    const result: PlanResult = { tenantId, contentType, listed: 0, enqueued: 0, reenqueued: 0, known: 0, expiring: 0, purged: 0 };
    try {
      await this.plan(tenant, contentType, result, log);
    } catch (err) {
      result.error = { code: failureCode(err), message: failureReason(err) };
      log.error(`plan ${tenantId} ${contentType}: [${result.error.code}] ${result.error.message}`, {
        tenant: tenantId,
        contentType,
        stage: "plan",
        outcome: "failed",
        code: result.error.code,
      });
      await this.deps.checkpoints.recordFailure(tenantId, contentType, `[${result.error.code}] ${result.error.message}`).catch(() => undefined);
    }
    return result;
  }

  private async plan(tenant: PlannedTenant, contentType: ContentType, result: PlanResult, log: PipelineLog): Promise<void> {
    const { checkpoints, ledger, intake, onStep } = this.deps;
    const tenantId = tenant.config.tenantId;
    const now = this.now();
    const cp = await checkpoints.read(tenantId, contentType);
    const window = listingWindow(cp, now, this.deps.listing);
    result.window = { start: window.start.toISOString(), end: window.end.toISOString(), sweep: window.sweep, firstRun: window.firstRun };
    if (window.lostMs > 0) {
      const lostFrom = new Date(window.start.getTime() - window.lostMs).toISOString();
      log.error(
        `plan ${tenantId} ${contentType}: the planner fell ${Math.round(window.lostMs / HOUR)} h behind the 7-day retention; ` +
          `content created between ${lostFrom} and ${window.start.toISOString()} ` +
          `has expired and cannot be collected. Check why planning stopped (health endpoint, errors above).`,
        { tenant: tenantId, contentType, stage: "listing", outcome: "coverageLost", lostFrom, lostTo: window.start.toISOString(), lostMs: window.lostMs },
      );
    }

    await this.ensureSubscription(tenant, contentType);

    // What the ledger already holds for the hours being re-listed: skipped without a single write.
    const known = new Map<string, KnownEntry>();
    for await (const e of ledger.brief(tenantId, contentType, window.start, window.end)) known.set(e.contentId, e);

    const seen = new Set<string>();
    const misplaced: Array<{ ref: ContentRef; claimed: string }> = [];
    let fresh: ContentRef[] = [];
    let stale: Array<{ ref: ContentRef; etag: string; listedAt?: Date }> = [];
    const admit = async () => {
      const [toAdmit, toReadmit] = [fresh, stale];
      fresh = [];
      stale = [];
      if (toReadmit.length) {
        await intake.readmit(toReadmit);
        result.reenqueued += toReadmit.length;
        for (const s of toReadmit) {
          log.warn(`plan ${tenantId} ${contentType}: re-enqueued ${s.ref.contentId}, claimed at ${s.listedAt?.toISOString()} but never queued`, {
            tenant: tenantId,
            contentType,
            contentId: s.ref.contentId,
            stage: "intake",
            outcome: "reenqueued",
            claimedAt: s.listedAt?.toISOString(),
          });
        }
      }
      const enqueued = await intake.admitMany(toAdmit, "listing");
      result.enqueued += enqueued.size;
      result.known += toAdmit.length - enqueued.size;
      for (const ref of [...toReadmit.map((s) => s.ref), ...toAdmit.filter((r) => enqueued.has(r.contentId))]) {
        await onStep?.({ step: "enqueued", tenantId, contentType, contentId: ref.contentId });
      }
    };
    for await (const blob of tenant.source.listContent(contentType, window.start, window.end)) {
      // Pages can overlap and windows touch: one blob is considered once per run.
      if (seen.has(blob.contentId)) continue;
      seen.add(blob.contentId);
      result.listed++;
      const ref = toRef(tenantId, blob);
      const entry = known.get(blob.contentId);
      // The listing is the truth about a blob's contentUri: a claim that announced another one is corrected.
      if (entry && entry.contentUri !== ref.contentUri) misplaced.push({ ref, claimed: entry.contentUri });
      if (entry && !(entry.state === "listed" && isStale(entry, now))) {
        result.known++;
        continue;
      }
      if (entry?.etag) stale.push({ ref, etag: entry.etag, listedAt: entry.listedAt });
      else fresh.push(ref);
      if (fresh.length + stale.length >= INTAKE_GROUP) await admit();
    }
    await admit();
    if (misplaced.length) {
      await ledger.adoptListedUris(misplaced.map((m) => m.ref));
      for (const m of misplaced) {
        log.warn(`plan ${tenantId} ${contentType}: ledger entry ${m.ref.contentId} held contentUri ${describeUrl(m.claimed)}; the listing's replaces it`, {
          tenant: tenantId,
          contentType,
          contentId: m.ref.contentId,
          stage: "intake",
          outcome: "contentUriCorrected",
          code: ClientErrorCodes.ForeignContentUri,
        });
      }
    }
    await onStep?.({ step: "listed", tenantId, contentType, window, blobs: result.listed });

    // Checkpoint only after enqueue: a crash before this line must replay the window, not skip it.
    result.checkpoint = await checkpoints.advance(cp, window.end, { swept: window.sweep, at: now });
    await onStep?.({ step: "checkpointed", tenantId, contentType, listedThrough: window.end, outcome: result.checkpoint });

    result.expiring = await alertExpiring(ledger, tenantId, contentType, now, log);
    result.purged = await ledger.purge(tenantId, contentType, new Date(now.getTime() - LEDGER_RETENTION_DAYS * DAY));
    const msg =
      `plan ${tenantId} ${contentType}: listed ${result.listed} blob(s) in [${result.window.start}, ${result.window.end})` +
      `${window.sweep ? " (deep sweep)" : ""}, enqueued ${result.enqueued}, re-enqueued ${result.reenqueued}, already known ${result.known}` +
      `${result.purged ? `, purged ${result.purged} ledger entries` : ""}; checkpoint ${result.checkpoint}`;
    log.info(msg, {
      tenant: tenantId,
      contentType,
      stage: "plan",
      outcome: "planned",
      windowStart: result.window.start,
      windowEnd: result.window.end,
      sweep: window.sweep,
      listed: result.listed,
      enqueued: result.enqueued,
      reenqueued: result.reenqueued,
      known: result.known,
      purged: result.purged,
      checkpoint: result.checkpoint,
    });
  }

  private async ensureSubscription(tenant: PlannedTenant, contentType: ContentType): Promise<void> {
    const key = `${tenant.config.tenantId}|${contentType}`;
    // Once per process: listing itself restarts a subscription found disabled (AF20022/AF20023).
    if (this.subscribed.has(key)) return;
    const webhook = this.deps.webhook?.address ? { address: this.deps.webhook.address, authId: this.deps.webhook.authId } : undefined;
    await tenant.source.ensureSubscription(contentType, webhook ? { webhook } : undefined);
    this.subscribed.add(key);
  }
}

type KnownEntry = Pick<LedgerEntry, "contentId" | "state" | "listedAt" | "etag" | "contentUri">;

function isStale(e: KnownEntry, now: Date): boolean {
  return !e.listedAt || now.getTime() - e.listedAt.getTime() > STALE_CLAIM_MS;
}

function toRef(tenantId: string, b: ContentBlobRef): ContentRef {
  return contentRef({ ...b, tenantId });
}
