import type { TableClient } from "@azure/data-tables";
import { checkpointKey } from "./entity-keys";
import { asDate, dropUndefined, ensureTable, statusOf } from "./storage-account";
import { ServiceError } from "../service-error";

/** How far the planner has listed one tenant × content type, and when it last swept the whole retention. */
export interface Checkpoint {
  tenantId: string;
  contentType: string;
  /** End of the last listing window whose every blob is in the ledger and on the queue; absent before the first run. */
  listedThrough?: Date;
  lastSweepAt?: Date;
  lastSuccessAt?: Date;
  lastErrorAt?: Date;
  lastError?: string;
  /** ETag of the stored entity; absent when nothing is stored yet. */
  etag?: string;
}

export type AdvanceOutcome = "advanced" | "superseded";

interface CheckpointEntity {
  partitionKey: string;
  rowKey: string;
  tenantId: string;
  contentType: string;
  listedThrough?: Date;
  lastSweepAt?: Date;
  lastSuccessAt?: Date;
  lastErrorAt?: Date;
  lastError?: string;
}

export const CHECKPOINT_TABLE = "AuditLakeCheckpoints";

/** Checkpoints in Azure Table storage, advanced with ETag optimistic concurrency. */
export class CheckpointStore {
  constructor(private readonly table: TableClient) {}

  private ensureTable(): Promise<void> {
    return ensureTable(this.table);
  }

  async read(tenantId: string, contentType: string): Promise<Checkpoint> {
    await this.ensureTable();
    const { partitionKey, rowKey } = checkpointKey(tenantId, contentType);
    try {
      const e = await this.table.getEntity<CheckpointEntity>(partitionKey, rowKey);
      return fromEntity(e, e.etag);
    } catch (err) {
      if (statusOf(err) === 404) return { tenantId, contentType };
      throw err;
    }
  }

  async list(): Promise<Checkpoint[]> {
    await this.ensureTable();
    const out: Checkpoint[] = [];
    for await (const e of this.table.listEntities<CheckpointEntity>()) out.push(fromEntity(e, e.etag));
    return out;
  }

  /**
   * Moves listedThrough forward to `to` if `read` is still current. A racing planner that wrote first makes this
   * write fail with 412 (or 409 on first creation); we then re-read and only write if we would still move forward,
   * so the checkpoint never goes back and is never advanced twice past the same listing.
   */
  async advance(read: Checkpoint, to: Date, opts: { swept?: boolean; at?: Date } = {}): Promise<AdvanceOutcome> {
    await this.ensureTable();
    const at = opts.at ?? new Date();
    let current = read;
    for (let attempt = 0; attempt < 5; attempt++) {
      if (current.listedThrough && current.listedThrough >= to) return "superseded";
      const { partitionKey, rowKey } = checkpointKey(read.tenantId, read.contentType);
      const entity: CheckpointEntity = {
        partitionKey,
        rowKey,
        tenantId: read.tenantId,
        contentType: read.contentType,
        listedThrough: to,
        lastSweepAt: opts.swept ? at : current.lastSweepAt,
        lastSuccessAt: at,
        lastErrorAt: current.lastErrorAt,
        lastError: current.lastError,
      };
      try {
        if (current.etag) await this.table.updateEntity(dropUndefined(entity), "Replace", { etag: current.etag });
        else await this.table.createEntity(dropUndefined(entity));
        return "advanced";
      } catch (err) {
        const status = statusOf(err);
        if (status !== 412 && status !== 409) throw err;
        current = await this.read(read.tenantId, read.contentType);
      }
    }
    throw new CheckpointContentionError(read.tenantId, read.contentType);
  }

  /** Records a failed run without touching listedThrough (merge, so a racing advance is never undone). */
  async recordFailure(tenantId: string, contentType: string, message: string, at = new Date()): Promise<void> {
    await this.ensureTable();
    const { partitionKey, rowKey } = checkpointKey(tenantId, contentType);
    await this.table.upsertEntity({ partitionKey, rowKey, tenantId, contentType, lastErrorAt: at, lastError: message.slice(0, 4000) }, "Merge");
  }
}

function fromEntity(e: CheckpointEntity, etag: string | undefined): Checkpoint {
  return {
    tenantId: e.tenantId,
    contentType: e.contentType,
    listedThrough: asDate(e.listedThrough),
    lastSweepAt: asDate(e.lastSweepAt),
    lastSuccessAt: asDate(e.lastSuccessAt),
    lastErrorAt: asDate(e.lastErrorAt),
    lastError: e.lastError,
    etag,
  };
}

/** Another planner kept moving the checkpoint while this one tried to advance it. */
export class CheckpointContentionError extends ServiceError {
  override readonly name = "CheckpointContentionError";
  constructor(tenantId: string, contentType: string) {
    super(`Checkpoint ${tenantId}/${contentType} kept changing under us; the next run will retry.`, {
      code: "CheckpointContention",
      transient: true,
      advice: "Nothing to do unless it persists; then check that only one Function App plans this tenant.",
    });
  }
}
