// Option defaults and validation: a wrong option fails at startup with what is wrong and what to pass instead.
import { z } from "zod";
import { TENANT_CONSENT, type ManagementApiEmulatorOptions } from "./types";

const int = (min: number) => z.number().int().min(min);
const share = z.number().min(0).max(1);

const schema = z.object({
  seed: z.number().int().default(1),
  tenants: int(1).max(1000).default(1),
  users: int(3).max(100_000).default(50),
  pageSize: int(1).max(10_000).default(50),
  now: z.custom<() => Date>((v) => typeof v === "function", "now must be a function returning a Date").default(() => () => new Date()),
  requestBudgetPerMinute: int(1).max(10_000_000).default(2000),
  throttleAs403Share: share.default(0.5),
  largeTenantRecords: int(0).optional(),
  subscriptionStartThrottleMs: int(0).default(15 * 60_000),
  host: z.string().default("127.0.0.1"),
  requestBudgetWindowMs: int(1).default(60_000),
  tokenLifetimeSeconds: int(1).default(3599),
  auditLoggingDisabledTenants: z.array(int(0)).default([]),
  multiTenantApp: z.boolean().default(false),
  initialSubscriptions: z.enum(["none", "enabled"]).default("none"),
  webhookIntervalMs: int(10).default(1000),
  webhookAttempts: int(1).max(20).default(3),
  webhookRetryDelayMs: int(0).default(200),
  webhookFailuresBeforeDisable: int(1).default(3),
  consent: z.record(z.string().regex(/^\d+$/, "consent keys are tenant indexes"), z.enum(TENANT_CONSENT)).default({}),
  graphAudience: z.boolean().default(false),
  port: int(0).max(65535).default(0),
  loginPort: int(0).max(65535).default(0),
});

export type ResolvedOptions = z.output<typeof schema>;

export class EmulatorOptionsError extends Error {
  readonly code = "EmulatorOptionsInvalid";
}

export function resolveOptions(opts: ManagementApiEmulatorOptions): ResolvedOptions {
  const { faults: _faults, ...rest } = opts;
  const parsed = schema.safeParse(rest);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "options"}: ${i.message}`).join("; ");
    throw new EmulatorOptionsError(`Management API emulator options are invalid (${problems}). Fix these options and start again.`);
  }
  const o = parsed.data;
  if (o.host !== "127.0.0.1") {
    throw new EmulatorOptionsError(`host "${o.host}" is not allowed: the emulator only listens on 127.0.0.1. Leave host unset.`);
  }
  const unknown = Object.keys(o.consent).filter((k) => Number(k) >= o.tenants);
  if (unknown.length > 0) {
    throw new EmulatorOptionsError(`consent names tenant index ${unknown.join(", ")} but only ${o.tenants} tenant(s) exist. Use indexes 0..${o.tenants - 1}.`);
  }
  return o;
}
