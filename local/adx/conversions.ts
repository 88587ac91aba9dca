import { DEFAULT_MAX_VALUE_BYTES, type KustoType } from "../../kql/catalog";

/**
 * ADX's ingestion-time conversions of a JSON value to a column type. A value that does not convert becomes null
 * (ADX succeeds silently, see "Ingestion behavior of invalid data"); so does a missing one.
 *
 * Stored representations (what AdxStore.rows returns): datetime → ISO 8601 UTC text with up to 7 fractional digits
 * (trailing zeros dropped, as ADX prints them); guid → lower-case "D" text; bool → boolean; int/long/real → number
 * (real NaN/±Infinity → "NaN"/"Infinity"/"-Infinity", as ADX's JSON does); decimal/timespan → text;
 * dynamic → the JSON value; string → text.
 */
export type StoredValue = string | number | boolean | null | object;

/** ADX's limit for a string value and for a dynamic value under the default encoding policy (MaxValueSize). */
export const MAX_VALUE_BYTES = DEFAULT_MAX_VALUE_BYTES;

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const INTEGER_TEXT = /^[+-]?\d+$/;
const REAL_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * `withinLimits`: the caller knows the value is far below 1 MB, so the size checks can be skipped.
 * `maxValueBytes`: the column's MaxValueSize (its encoding policy: 1 MB by default, 32 MB for BigObject32).
 */
export function convertValue(type: KustoType | string, value: unknown, withinLimits = false, maxValueBytes = MAX_VALUE_BYTES): StoredValue {
  if (value === undefined || value === null) return null;
  switch (type) {
    case "string":
      return toStringValue(value, maxValueBytes);
    case "dynamic":
      return withinLimits ? (value as StoredValue) : toDynamic(value, maxValueBytes);
    case "datetime":
      return typeof value === "string" ? parseDatetime(value) : null;
    case "guid":
      return typeof value === "string" ? parseGuid(value) : null;
    case "bool":
      return toBool(value);
    case "int":
      return toInteger(value, INT_MIN, INT_MAX);
    case "long":
      return toInteger(value, Number.MIN_SAFE_INTEGER * 1024, Number.MAX_SAFE_INTEGER * 1024); // ±2^63, approximately
    case "real":
      return toReal(value);
    case "decimal":
      return toDecimal(value);
    case "timespan":
      return toTimespan(value);
    default:
      return toStringValue(value, maxValueBytes);
  }
}

function toStringValue(value: unknown, limit: number): string {
  const text = typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
  return truncateUtf8(text, limit);
}

/** Cuts text to at most `limit` UTF-8 bytes without splitting a character. */
export function truncateUtf8(text: string, limit: number): string {
  if (text.length * 3 <= limit) return text; // cannot exceed: at most 3 bytes per UTF-16 unit
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= limit) return text;
  let end = limit;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--; // back off to the start of a character
  return bytes.subarray(0, end).toString("utf8");
}

function toDynamic(value: unknown, limit: number): StoredValue {
  const json = JSON.stringify(value);
  if (json === undefined) return null;
  // Over the encoding policy's limit ADX stores null, not a truncated value.
  if (json.length > limit || Buffer.byteLength(json, "utf8") > limit) return null;
  return value as StoredValue;
}

function toBool(value: unknown): boolean | null {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value === 1 ? true : value === 0 ? false : null;
  if (typeof value === "string") {
    const t = value.trim().toLowerCase();
    if (t === "true" || t === "1") return true;
    if (t === "false" || t === "0") return false;
  }
  return null;
}

function toInteger(value: unknown, min: number, max: number): number | null {
  let n: number;
  if (typeof value === "number") n = value;
  else if (typeof value === "string" && INTEGER_TEXT.test(value.trim())) n = Number(value.trim());
  else return null;
  if (!Number.isInteger(n) || n < min || n > max) return null;
  return n;
}

function toReal(value: unknown): number | string | null {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return null;
  const t = value.trim();
  if (REAL_TEXT.test(t)) return Number(t);
  const special = t.toLowerCase();
  if (special === "nan") return "NaN";
  if (special === "inf" || special === "+inf" || special === "infinity" || special === "+infinity") return "Infinity";
  if (special === "-inf" || special === "-infinity") return "-Infinity";
  return null;
}

function toDecimal(value: unknown): string | null {
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : null;
  if (typeof value === "string" && REAL_TEXT.test(value.trim())) return value.trim();
  return null;
}

const TIMESPAN = /^-?(?:\d+\.)?\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?$/;

function toTimespan(value: unknown): string | null {
  return typeof value === "string" && TIMESPAN.test(value.trim()) ? value.trim() : null;
}

const GUID_D = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GUID_N = /^[0-9a-f]{32}$/i;

/** .NET's Guid.Parse formats: D, N, B ({D}) and P ((D)). */
export function parseGuid(text: string): string | null {
  let t = text.trim();
  if ((t.startsWith("{") && t.endsWith("}")) || (t.startsWith("(") && t.endsWith(")"))) t = t.slice(1, -1);
  if (GUID_D.test(t)) return t.toLowerCase();
  if (GUID_N.test(t)) {
    const h = t.toLowerCase();
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  return null;
}

// ISO 8601 as ADX reads it: 'T' or a space between date and time, optional seconds and fraction, optional zone.
// No zone means UTC (the Management Activity API's CreationTime has none).
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|z|[+-]\d{2}:?\d{2})?$/;
const RFC1123 = /^[A-Za-z]{3},\s+\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{2}:\d{2}(:\d{2})?\s+(GMT|UTC|Z|[+-]\d{4})$/;

/** Parses a datetime the way ADX ingestion does; returns the stored ISO text, or null when it is not a datetime. */
export function parseDatetime(text: string): string | null {
  const t = text.trim();
  const m = ISO.exec(t);
  if (!m) {
    if (RFC1123.test(t)) {
      const ms = Date.parse(t);
      return Number.isNaN(ms) ? null : formatDatetime(Math.floor(ms / 1000), String(ms % 1000).padStart(3, "0"));
    }
    return null;
  }
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone && zone.toUpperCase() !== "Z") {
    const digits = zone.replace(":", "");
    const sign = digits[0] === "-" ? -1 : 1;
    const oh = Number(digits.slice(1, 3));
    const om = Number(digits.slice(3, 5));
    if (oh > 14 || om > 59) return null;
    offsetMinutes = sign * (oh * 60 + om);
  }
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day); // not Date.UTC: it maps years 0–99 to 1900–1999
  d.setUTCHours(hour, minute, second, 0);
  const epochSeconds = d.getTime() / 1000 - offsetMinutes * 60;
  // ADX keeps 100 ns ticks: seven fractional digits, further digits are dropped.
  return formatDatetime(epochSeconds, (m[7] ?? "").slice(0, 7));
}

function formatDatetime(epochSeconds: number, fraction: string): string {
  const base = new Date(epochSeconds * 1000).toISOString().slice(0, 19); // YYYY-MM-DDTHH:MM:SS
  const trimmed = fraction.replace(/0+$/, "");
  return trimmed ? `${base}.${trimmed}Z` : `${base}Z`;
}

function daysInMonth(year: number, month: number): number {
  return [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}
