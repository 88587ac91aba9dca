// Re-admits ledger blobs the API still serves (contentExpiration ahead) through the normal intake: failed ones
// (quarantined, e.g. after a fix), or pending ones at risk of expiring unread. Each is moved back to "listed" under its
// ETag first, so a blob is re-admitted once however many requeues race.
import type { TenantConfig } from "../config";
import { contentRef } from "../state/content-ref";
import type { ContentLedger, LedgerEntry, LedgerState } from "../state/content-ledger";
import type { ContentIntake } from "../use-cases/content-intake";
import { atRiskOfExpiry } from "../use-cases/planner";
import type { LedgerReopening } from "./ledger-reopening";

export type RequeueSelect = "failed" | "expiring";

export interface RequeueRequest {
  tenant: TenantConfig;
  select: RequeueSelect;
  /** contentCreated bounds; default the API's 7-day reach up to now. */
  from?: Date;
  to?: Date;
  /** Count what would be requeued, change nothing. */
  dryRun?: boolean;
}

export interface RequeueResult {
  requeued: number;
  skipped: Array<{ reason: string; count: number }>;
  dryRun: boolean;
}

export interface RequeueDeps {
  ledger: Pick<ContentLedger, "entries">;
  reopening: Pick<LedgerReopening, "reopen">;
  intake: Pick<ContentIntake, "readmit">;
  now?: () => Date;
}

const REACH_MS = 7 * 24 * 3600_000;
const STATES: Record<RequeueSelect, readonly LedgerState[]> = { failed: ["failed"], expiring: ["listed", "queued"] };

export async function requeue(deps: RequeueDeps, req: RequeueRequest): Promise<RequeueResult> {
  const now = deps.now?.() ?? new Date();
  const from = req.from ?? new Date(now.getTime() - REACH_MS);
  const to = req.to ?? now;
  const skipped = new Map<string, number>();
  const skip = (reason: string) => skipped.set(reason, (skipped.get(reason) ?? 0) + 1);
  const chosen: LedgerEntry[] = [];
  for (const contentType of req.tenant.contentTypes) {
    for await (const e of deps.ledger.entries(req.tenant.tenantId, contentType, from, to, { states: STATES[req.select] })) {
      const created = Date.parse(e.contentCreated);
      if (created < from.getTime() || created > to.getTime()) continue; // the ledger reads whole hours
      if (req.select === "expiring" && !atRiskOfExpiry(e, now)) continue;
      if (Date.parse(e.contentExpiration) <= now.getTime()) skip("contentExpiration passed: the API no longer serves the blob");
      else chosen.push(e);
    }
  }
  if (req.dryRun) return { requeued: chosen.length, skipped: list(skipped), dryRun: true };

  const reopened: Array<{ ref: ReturnType<typeof contentRef>; etag: string }> = [];
  for (const e of chosen) {
    const etag = await deps.reopening.reopen(e, now);
    if (etag) reopened.push({ ref: contentRef(e), etag });
    else skip("changed while requeueing (another requeue or the worker moved it)");
  }
  await deps.intake.readmit(reopened);
  return { requeued: reopened.length, skipped: list(skipped), dryRun: false };
}

function list(skipped: Map<string, number>): RequeueResult["skipped"] {
  return [...skipped].map(([reason, count]) => ({ reason, count }));
}
