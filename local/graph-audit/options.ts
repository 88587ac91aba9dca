// Option defaults and validation for the query API emulator: a wrong option fails at startup saying what to pass.
import { z } from "zod";
import { DEFAULT_QUERY_TIMING } from "./audit-log-query";
import type { TokenStore } from "../management-api/tokens";
import type { LocalTls } from "../tls";

const int = (min: number) => z.number().int().min(min);
const share = z.number().min(0).max(1);

/** Answers Microsoft's documentation allows or prints, beyond the plain ones. */
const variant = z.strictObject({
  /** Get answers the query wrapped as {"value": {…}}, as v1.0's "Get auditLogQuery" example prints it. */
  wrappedGet: z.boolean().default(false),
  /** Get answers a body with neither id nor status: something that is not a query. */
  malformedGet: z.boolean().default(false),
  /** List-records refuses $top with 400: its page promises only "some of the OData query parameters". */
  refuseTop: z.boolean().default(false),
  /** The search reaches this far past both ends of the range, ms: the docs say nothing of filterEndDateTime being
   *  exclusive, so a record at (or near) a boundary may come back from both adjacent queries. */
  rangeSlackMs: int(0).max(86_400_000).default(0),
  /** Every query stays running: "queries take minutes to hours", and nothing says they always end. */
  stuckRunning: z.boolean().default(false),
  /** Every request of the tenant is answered 429 with Retry-After: 0 (a tenant throttled without end). */
  alwaysThrottled: z.boolean().default(false),
});
export type GraphVariant = z.output<typeof variant>;
export const PLAIN_VARIANT: GraphVariant = { wrappedGet: false, malformedGet: false, refuseTop: false, rangeSlackMs: 0, stuckRunning: false, alwaysThrottled: false };

const schema = z.object({
  // seed, tenants, users and multiTenantApp must equal the Management API emulator's for both to serve one tenant
  seed: z.number().int().default(1),
  tenants: int(1).max(1000).default(1),
  users: int(3).max(100_000).default(50),
  multiTenantApp: z.boolean().default(false),
  now: z.custom<() => Date>((v) => typeof v === "function", "now must be a function returning a Date").default(() => () => new Date()),
  anchor: z.date().optional(),
  retentionDays: int(8).max(3650).default(180),
  basePaths: z.array(z.string().regex(/^\/[A-Za-z0-9.]+$/, "a base path looks like /beta or /v1.0")).min(1).default(["/beta", "/v1.0"]),
  pageSize: int(1).max(1000).default(150),
  queryTiming: z.object({ queuedMs: int(0), baseRunMs: int(0), runMsPerDay: int(0) }).default(DEFAULT_QUERY_TIMING),
  failedShare: share.default(0.02),
  requestsPerWindow: int(1).default(600),
  requestWindowMs: int(1).default(10_000),
  throttleShare: share.default(0),
  /** Retry-After of injected 429 and 503 answers, seconds. */
  injectedRetryAfterSeconds: int(0).max(3600).default(2),
  serverErrorShare: share.default(0),
  resetShare: share.default(0),
  maxQueriesPerDay: int(1).default(200),
  maxUnfinishedQueries: int(1).default(50),
  /** Application roles consented per tenant index; tenants not listed get AuditLogsQuery.Read.All. */
  grantedRoles: z.record(z.string(), z.array(z.string())).default({}),
  /** Per tenant index, how the service answers where Microsoft's pages print another shape or say nothing. */
  variants: z.record(z.string(), variant).default({}),
  tokenLifetimeSeconds: int(1).default(3599),
  host: z.string().default("127.0.0.1"),
  port: int(0).max(65535).default(0),
});

export interface GraphAuditEmulatorOptions extends Partial<Omit<z.input<typeof schema>, "grantedRoles" | "variants">> {
  /** Application roles consented per tenant index, e.g. { 0: ["AuditLogsQuery-Exchange.Read.All"] }. */
  grantedRoles?: Record<number, string[]>;
  /** Documented answer shapes per tenant index, e.g. { 1: { wrappedGet: true } }. */
  variants?: Record<number, Partial<GraphVariant>>;
  /** Share the token store of the login emulator that issues Graph tokens (default: a store of its own). */
  tokens?: TokenStore;
  /** The server certificate (default: a fresh local CA and certificate; Graph speaks only HTTPS). */
  tls?: LocalTls;
}

export type ResolvedGraphOptions = z.output<typeof schema>;

export class GraphEmulatorOptionsError extends Error {
  readonly code = "GraphEmulatorOptionsInvalid";
}

export function resolveGraphOptions(opts: GraphAuditEmulatorOptions): ResolvedGraphOptions {
  const { tokens: _tokens, tls: _tls, ...rest } = opts;
  const parsed = schema.safeParse(rest);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "options"}: ${i.message}`).join("; ");
    throw new GraphEmulatorOptionsError(`Graph audit log query emulator options are invalid (${problems}). Fix these options and start again.`);
  }
  if (parsed.data.host !== "127.0.0.1") {
    throw new GraphEmulatorOptionsError(`host "${parsed.data.host}" is not allowed: the emulator only listens on 127.0.0.1. Leave host unset.`);
  }
  return parsed.data;
}
