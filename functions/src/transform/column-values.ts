// Values for typed Kusto columns. Audit records are loosely typed (numbers sometimes arrive as strings, booleans as
// "True"), and ADX turns a value that does not match its column type into NULL silently, so each value is coerced
// here, where a test can see it, instead of being lost at ingestion.

/** `string` column: ADX has no null string, so a missing value is "" (what a query would see anyway). */
export function stringValue(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === null || v === undefined) return "";
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return JSON.stringify(v);
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/** `int` column: integers, numeric strings; anything else (or out of 32-bit range) is null. */
export function intValue(v: unknown): number | null {
  const n = numberValue(v);
  return n !== null && n >= INT_MIN && n <= INT_MAX ? n : null;
}

/** `long` column: integers and numeric strings within JavaScript's exact integer range; otherwise null. */
export function longValue(v: unknown): number | null {
  const n = numberValue(v);
  return n !== null && Number.isSafeInteger(n) ? n : null;
}

function numberValue(v: unknown): number | null {
  if (typeof v === "number") return Number.isFinite(v) ? Math.trunc(v) : null;
  if (typeof v === "string" && v.length > 0 && v.length < 24) {
    const n = Number(v);
    return Number.isFinite(n) ? Math.trunc(n) : null;
  }
  return null;
}

/** `bool` column: true/false, "True"/"False" in any case (Exchange writes strings), 1/0; anything else null. */
export function boolValue(v: unknown): boolean | null {
  if (typeof v === "boolean") return v;
  if (typeof v === "string") {
    if (v.length === 4 && v.toLowerCase() === "true") return true;
    if (v.length === 5 && v.toLowerCase() === "false") return false;
    if (v === "1") return true;
    if (v === "0") return false;
    return null;
  }
  if (v === 1) return true;
  if (v === 0) return false;
  return null;
}

/** A plain JSON object (not null, not an array), or undefined. */
export function objectValue(v: unknown): Record<string, unknown> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
