// Fault injection: what can go wrong between a collector and the Management Activity API, at configurable rates.
//
// Spec grammar (comma-separated items, applied left to right, so later items override earlier ones):
//   spec   := item ("," item)*
//   item   := "none" | "standard" | kind "=" rate | "slow-ms=" integer
//   kind   := "server-error" | "throttle" | "reset" | "slow" | "truncated"          (per request)
//           | "duplicate-listing" | "late-listing" | "expired"                      (per blob)
//           | "token-expiry"                                                        (per request)
//   rate   := a number in [0, 1] ("0.03"), or a percentage ("3%")
// e.g. "standard,slow=0" or "server-error=0.03,throttle=0.02,reset=0.01,slow=0.01,slow-ms=2000".
//
// Per-request kinds are drawn from a PRNG seeded by the emulator's seed, one draw per API request, so a retry of a
// failed request can succeed. Per-blob kinds are a pure function of (seed, contentId): the same blob always has them.
import { Random, unitHash } from "./random";
import type { FaultSpec } from "./types";

export type RequestFault = "server-error" | "throttle" | "reset" | "slow" | "truncated" | "token-expiry";

export class FaultSpecError extends Error {
  readonly code = "FaultSpecInvalid";
}

const KIND_TO_FIELD = {
  "server-error": "serverError",
  throttle: "throttle",
  reset: "reset",
  slow: "slow",
  truncated: "truncated",
  "duplicate-listing": "duplicateListing",
  "late-listing": "lateListing",
  expired: "expired",
  "token-expiry": "tokenExpiry",
} as const satisfies Record<string, keyof FaultSpec>;

export const DEFAULT_SLOW_MS = 35_000;

export const NO_FAULTS: Required<FaultSpec> = {
  serverError: 0,
  throttle: 0,
  reset: 0,
  slow: 0,
  truncated: 0,
  duplicateListing: 0,
  lateListing: 0,
  expired: 0,
  tokenExpiry: 0,
  slowMs: DEFAULT_SLOW_MS,
};

/** Every kind at a few percent: a collector that survives this survives production. */
export const STANDARD_FAULTS: Required<FaultSpec> = {
  serverError: 0.03,
  throttle: 0.02,
  reset: 0.01,
  slow: 0.005,
  truncated: 0.01,
  duplicateListing: 0.02,
  lateListing: 0.02,
  expired: 0.01,
  tokenExpiry: 0.01,
  slowMs: DEFAULT_SLOW_MS,
};

export function parseFaultSpec(spec: string): Required<FaultSpec> {
  let out: Required<FaultSpec> = { ...NO_FAULTS };
  for (const raw of spec.split(",")) {
    const item = raw.trim();
    if (!item) continue;
    if (item === "none") {
      out = { ...NO_FAULTS };
      continue;
    }
    if (item === "standard") {
      out = { ...STANDARD_FAULTS, slowMs: out.slowMs };
      continue;
    }
    const eq = item.indexOf("=");
    const name = eq < 0 ? item : item.slice(0, eq).trim();
    const value = eq < 0 ? "" : item.slice(eq + 1).trim();
    if (name === "slow-ms") {
      if (!/^\d+$/.test(value)) throw new FaultSpecError(`Fault spec item "${item}": slow-ms must be a whole number of milliseconds, e.g. slow-ms=2000.`);
      out.slowMs = Number(value);
      continue;
    }
    const field = (KIND_TO_FIELD as Record<string, keyof FaultSpec>)[name];
    if (!field) {
      throw new FaultSpecError(
        `Fault spec item "${item}" names no fault kind. Use "none", "standard", "slow-ms=<ms>" or <kind>=<rate> with kind one of ` +
          `${Object.keys(KIND_TO_FIELD).join(", ")}.`,
      );
    }
    const rate = value.endsWith("%") ? Number(value.slice(0, -1)) / 100 : Number(value);
    if (value === "" || !Number.isFinite(rate) || rate < 0 || rate > 1) {
      throw new FaultSpecError(`Fault spec item "${item}": the rate must be a number between 0 and 1 (or a percentage such as 3%).`);
    }
    out[field] = rate;
  }
  return out;
}

export function resolveFaults(faults: string | FaultSpec | undefined): Required<FaultSpec> {
  if (faults === undefined) return { ...NO_FAULTS };
  if (typeof faults === "string") return parseFaultSpec(faults);
  const out = { ...NO_FAULTS, ...faults };
  for (const [k, v] of Object.entries(out)) {
    const bad = k === "slowMs" ? !(Number.isInteger(v) && v >= 0) : !(typeof v === "number" && v >= 0 && v <= 1);
    if (bad) throw new FaultSpecError(`Fault option ${k}=${String(v)} is out of range: rates are in [0, 1], slowMs is whole milliseconds.`);
  }
  return out;
}

/** Draws per-request faults and decides per-blob ones. */
export class FaultInjector {
  private readonly rng: Random;

  constructor(
    readonly spec: Required<FaultSpec>,
    private readonly seed: number,
  ) {
    this.rng = new Random(seed ^ 0x5eed_fa17);
  }

  /** At most one fault per request; `bodyBearing` requests (listings, blobs) can also be truncated. */
  drawRequestFault(bodyBearing: boolean): RequestFault | null {
    const s = this.spec;
    const r = this.rng.float();
    let edge = 0;
    const kinds: Array<[RequestFault, number]> = [
      ["server-error", s.serverError],
      ["throttle", s.throttle],
      ["reset", s.reset],
      ["slow", s.slow],
      ["truncated", bodyBearing ? s.truncated : 0],
      ["token-expiry", s.tokenExpiry],
    ];
    for (const [kind, rate] of kinds) {
      edge += rate;
      if (r < edge) return kind;
    }
    return null;
  }

  /** A second independent draw in [0, 1) for choices inside a fault (e.g. 429 or 403). */
  draw(): number {
    return this.rng.float();
  }

  blobHas(kind: "duplicate-listing" | "late-listing" | "expired", contentId: string): boolean {
    const rate = this.spec[KIND_TO_FIELD[kind]];
    return rate > 0 && unitHash(this.seed, kind, contentId) < rate;
  }

  /** How much later a duplicate listing appears (30 min to 12 h), fixed per blob. */
  relistDelayMs(contentId: string): number {
    return Math.floor((0.5 + unitHash(this.seed, "relist", contentId) * 11.5) * 3_600_000);
  }
}
