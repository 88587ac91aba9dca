// What became of one content blob of a queue message: the worker's answer per blob, and the figures it landed with.
import type { IngestedFigures } from "../state/content-ledger";
import type { ContentRef } from "../state/content-ref";

/** The ledger's figures plus what only the worker sees: records repeated within the blob, and its size. */
export type BlobFigures = IngestedFigures & { duplicatesInBlob: number; bytes: number };

export type BlobOutcome =
  | { contentId: string; status: "ingested"; figures: BlobFigures }
  | { contentId: string; status: "skipped"; reason: string }
  | { contentId: string; status: "requeued"; code: string; reason: string }
  | { contentId: string; status: "expired" | "failed"; code: string; reason: string };

/** An outcome that ends the blob's life in this attempt: what the ledger and ingestion_ledger record. */
export type FinalOutcome = Extract<BlobOutcome, { status: "ingested" | "expired" | "failed" }>;

/** Stage names recorded in ingestion_errors. */
export const Stage = { fetch: "fetch", transform: "transform", ingest: "ingest", sentinel: "sentinel" } as const;

/** One blob whose rows are in a part, ready to land: what became of it, and which replay generation its rows are. */
export interface LandingBlob {
  blob: ContentRef;
  attempts: number;
  /** the ledger entry's ADX replay count when the rows were made (ADX failure reports of older generations are moot) */
  generation: number;
  figures?: BlobFigures;
  outcome?: BlobOutcome;
}
