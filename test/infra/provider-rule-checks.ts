// The check functions the provider rule tables are built from: each mirrors one validation function of the pinned
// providers (named in its comment), so a table row reads like the provider's schema.

export interface ProviderRule {
  /** Terraform resource (or `data.` + data source) type; `*` for every resource. */
  resource: string;
  /** Path in the block: `a.b`, `list[].field`, `map.*` (every value), `map.#` (every key); `` for a rule across the block's attributes. */
  attribute: string;
  /** The rule, as the source states it. */
  rule: string;
  /** Where it was read: provider file at the pinned version, or the Learn page / issue. */
  source: string;
  /** The problem with one value, or undefined when the value passes. */
  check(value: unknown): string | undefined;
}

export const AZURERM = "terraform-provider-azurerm v4.55.0";
export const AZUREAD = "terraform-provider-azuread v3.7.0";

export const matches = (re: RegExp, what: string, min = 0, max = Infinity) => (v: unknown) => {
  if (typeof v !== "string") return undefined; // a reference resolved at apply time: the provider checks it then
  if (/^\$\{/.test(v)) return undefined;
  if (v.length < min || v.length > max) return `is ${v.length} characters, allowed ${min}-${max}`;
  return re.test(v) ? undefined : `does not match ${re} (${what})`;
};
export const oneOf = (values: readonly string[]) => (v: unknown) => (typeof v !== "string" || values.includes(v) ? undefined : `is not one of ${values.join(", ")} (case-sensitive)`);
/** validation.StringIsNotEmpty: the empty string only (whitespace passes). */
export const notEmpty = (v: unknown) => (v === "" ? "is empty" : undefined);
/** validation.IsUUID. */
export const uuid = (v: unknown) => (typeof v !== "string" || /^\$\{/.test(v) || /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(v) ? undefined : "is not a UUID");
/** The resource's Validate…ID: a literal must parse as an id of that type (a reference is checked at apply). */
export const resourceId = (provider: string, type: string) => (v: unknown) =>
  typeof v !== "string" || /^\$\{/.test(v) || new RegExp(`^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/${provider.replace(".", "\\.")}/${type}/[^/]+$`, "i").test(v) ? undefined : `is not a ${provider}/${type} id`;
export const boolean = (v: unknown) => (typeof v === "boolean" || (typeof v === "string" && /^\$\{/.test(v)) ? undefined : "is not a bool");
export const maxBytes = (max: number) => (v: unknown) => {
  const bytes = Buffer.byteLength(String(v), "utf8");
  return bytes > max ? `is ${bytes} bytes (Go len), the limit is ${max}` : undefined;
};
export const intBetween = (min: number, max: number) => (v: unknown) => (typeof v === "number" && (!Number.isInteger(v) || v < min || v > max) ? `is ${v}, allowed ${min}-${max}` : undefined);
export const whitespaceOnly = (v: unknown) => (typeof v === "string" && /^\s+$/.test(v) ? "consists of whitespace only" : undefined);
export const all = (...checks: Array<(v: unknown) => string | undefined>) => (v: unknown) => checks.map((c) => c(v)).find(Boolean);

/** A value terraform resolves at plan or apply (a reference or an interpolation): the provider checks it then. */
export const isReference = (v: unknown) => typeof v === "string" && v.includes("${");

/** validation.IntInSlice. */
export const intOneOf = (values: readonly number[]) => (v: unknown) => (typeof v === "number" && !values.includes(v) ? `is ${v}, allowed ${values.join(", ")}` : undefined);

/** validation.IntAtLeast. */
export const intAtLeast = (min: number) => (v: unknown) => (typeof v === "number" && (!Number.isInteger(v) || v < min) ? `is ${v}, at least ${min}` : undefined);

/** validation.IsURLWithScheme: an absolute URL with a host and one of the schemes. */
export const urlWithScheme = (schemes: readonly string[]) => (v: unknown) => {
  if (typeof v !== "string" || isReference(v)) return undefined;
  try {
    const u = new URL(v);
    return schemes.includes(u.protocol.replace(/:$/, "")) && u.host ? undefined : `is not a ${schemes.join("/")} URL with a host`;
  } catch {
    return "is not a URL";
  }
};

/** azure.ValidateResourceID: a literal parses as an ARM resource id (/subscriptions/<id>/resourceGroups/<rg>/providers/...). */
export const anyResourceId = (v: unknown) =>
  typeof v !== "string" || isReference(v) || /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/[^/]+\/[^/]+\/[^/]+/i.test(v) ? undefined : "is not a resource id";

/**
 * rickb777/date period.Parse + DurationApprox (helpers/validate/time.go), for the forms the providers take: PnYnMnWnDTnHnMnS,
 * a year 365.2425 days and a month a twelfth of it. Seconds, or undefined when it does not parse.
 */
export function isoDurationSeconds(v: string): number | undefined {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(v);
  if (!m || v === "P" || v.endsWith("T")) return undefined;
  const [y, mo, w, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0));
  const day = 86400;
  return y! * 365.2425 * day + mo! * (365.2425 / 12) * day + w! * 7 * day + d! * day + h! * 3600 + mi! * 60 + s!;
}

/** validate.ISO8601DurationBetween(min, max). */
export const durationBetween = (min: string, max: string) => (v: unknown) => {
  if (typeof v !== "string" || isReference(v)) return undefined;
  const s = isoDurationSeconds(v);
  if (s === undefined) return "is not an ISO 8601 duration";
  return s < isoDurationSeconds(min)! || s > isoDurationSeconds(max)! ? `is outside ${min}-${max}` : undefined;
};

/** An ARM resource name as Learn's naming rules state it: a length, characters it can't use (nor control characters), not ending in a space or period. */
export const armName = (forbidden: string, min: number, max: number) => (v: unknown) => {
  if (typeof v !== "string" || isReference(v)) return undefined;
  if (v.length < min || v.length > max) return `is ${v.length} characters, allowed ${min}-${max}`;
  const bad = [...v].filter((c) => forbidden.includes(c) || /\p{Cc}/u.test(c));
  if (bad.length) return `contains ${[...new Set(bad)].map((c) => JSON.stringify(c)).join(" ")}, which ARM refuses`;
  return /[ .]$/.test(v) ? "ends with a space or period" : undefined;
};

/** A rule the providers check by schema type only, or nowhere (listed so every written attribute is accounted for). */
export const noValidation = () => undefined;
