// Where an investigation reads: Azure Data Explorer through the kql/ functions, or the rows a local run left on disk
// through the TypeScript scope. Both answer the same questions; the report records exactly what was asked of which.
import type { FootprintRow } from "./footprint";
import type { ScopeQuestion, ScopeRow } from "./scope";

/** A query the lake ran, with its parameters, exactly as sent (ADX) or as applied to the files (local). */
export interface QueryRecord {
  name: string;
  text: string;
  parameters: Record<string, string>;
}

/** The newest landed blob per content type: how far the lake has caught up. */
export interface Freshness {
  contentType: string;
  lastContentCreated: string;
  lastIngestedAt: string;
  blobs: number;
}

/** EmailEvents collapsed to one row per message (it holds one row per recipient). */
export interface EmailMetadata {
  InternetMessageId: string;
  DeliveredAt: string;
  SenderFromAddress: string;
  SenderDisplayName: string;
  Subject: string;
  Recipients: string[];
}

export interface UserActivity {
  /** MailItemsAccessed rows of the user (as actor or mailbox owner), ever and in the window. */
  mailRows: number;
  mailRowsInWindow: number;
  /** Audit rows of the user of any kind; null when the lake cannot tell. */
  auditRows: number | null;
}

export interface Lake {
  /** "ADX https://… database …" or "local run <dir>, database …". */
  readonly where: string;
  readonly queries: QueryRecord[];
  scope(q: ScopeQuestion): Promise<ScopeRow[]>;
  /** How much of `q.user` the lake holds, ever and in the window (asked before the scope, with the same question). */
  userActivity(q: ScopeQuestion): Promise<UserActivity>;
  /** What else the attacker did (AttackerFootprint); null when the lake holds no audit table to read it from. */
  footprint(q: ScopeQuestion): Promise<FootprintRow[] | null>;
  /** null: EmailEvents is not in this lake. */
  emailMetadata(internetMessageIds: string[]): Promise<EmailMetadata[] | null>;
  freshness(): Promise<Freshness[]>;
  close(): Promise<void>;
}
