// One audit record of the Management Activity API: validation, the CreationTime it happened at, and its row in
// microsoft_unified_audit (typed common columns plus the whole record, unknown fields included).
import type { MicrosoftUnifiedAuditRow } from "../../../kql/generated/table-rows";
import { intValue, objectValue, stringValue } from "./column-values";
import { ADDRESS_FIELDS } from "../management-api/address-fields";
import { normalizeIpAddress } from "./ip-address";

export type AuditRecord = Record<string, unknown> & { Id: string };

export interface BlobContext {
  tenantId: string;
  contentType: string;
  contentId: string;
}

/** Why a record cannot land, or null when it can. Each reason names the field so the quarantine row is actionable. */
export function auditRecordProblem(record: unknown): string | null {
  const r = objectValue(record);
  if (!r) return `record is ${record === null ? "null" : Array.isArray(record) ? "an array" : `a ${typeof record}`}, not a JSON object`;
  if (typeof r.Id !== "string" || r.Id.length === 0) return `field Id is ${describe(r.Id)}; a non-empty string is required`;
  return null;
}

function describe(v: unknown): string {
  if (v === undefined) return "missing";
  if (v === "") return "empty";
  const text = JSON.stringify(v) ?? String(v);
  return `${typeof v} ${text.length > 80 ? text.slice(0, 80) + "…" : text}`;
}

/** The quarantine reason for a CreationTime that is missing or not an ISO-8601 date-time. */
export function creationTimeProblem(value: unknown): string {
  return `field CreationTime is ${describe(value)}; an ISO-8601 UTC date-time such as 2024-03-14T09:21:37 is required`;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digits(s: string, from: number, count: number): number {
  let v = 0;
  for (let i = from; i < from + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (!(c >= 0 && c <= 9)) return -1; // also NaN past the end
    v = v * 10 + c;
  }
  return v;
}

/**
 * CreationTime as an ISO-8601 UTC string ending in Z, or null when unparseable. The API writes UTC without a zone
 * ("2024-03-14T09:21:37"); ADX would read that as UTC too, but an explicit Z keeps every consumer (Sentinel, jq,
 * JavaScript's Date) from guessing local time. Fractions beyond 100 ns (ADX's tick) are cut.
 */
export function normalizeCreationTime(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const s = value;
  const n = s.length;
  if (n < 10) return null;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return null;
  if (day > DAYS_IN_MONTH[month - 1] || (month === 2 && day === 29 && !isLeapYear(year))) return null;
  if (n === 10) return `${s}T00:00:00Z`;
  const sep = s.charCodeAt(10);
  if ((sep !== 84 /* T */ && sep !== 32 /* space */ && sep !== 116) /* t */ || n < 19) return null;
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return null;
  if (s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return null;

  let i = 19;
  let fractionEnd = 19;
  if (i < n && s.charCodeAt(i) === 46 /* . */) {
    i++;
    while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    if (i === 20) return null;
    fractionEnd = Math.min(i, 27); // 7 fractional digits at most
  }
  const base = sep === 84 ? s.slice(0, fractionEnd) : `${s.slice(0, 10)}T${s.slice(11, fractionEnd)}`;
  if (i === n) return `${base}Z`;
  const zone = s.charCodeAt(i);
  if ((zone === 90 /* Z */ || zone === 122) /* z */ && i === n - 1) return `${base}Z`;
  if ((zone === 43 /* + */ || zone === 45) /* - */ && (n - i === 6 || n - i === 5)) {
    // an explicit offset: rare in this source; convert to UTC (millisecond precision is enough for it)
    const oh = digits(s, i + 1, 2);
    const om = digits(s, n - 2, 2);
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return null;
    const ms = Date.parse(`${s.slice(0, 10)}T${s.slice(11, 19)}${s.slice(19, Math.min(i, 23))}Z`);
    if (Number.isNaN(ms)) return null;
    const offsetMs = (oh * 60 + om) * 60000 * (zone === 43 ? 1 : -1);
    return new Date(ms - offsetMs).toISOString();
  }
  return null;
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** The microsoft_unified_audit row of a valid record; keys in the table's column order. */
export function auditRow(record: AuditRecord, creationTime: string, ctx: BlobContext): MicrosoftUnifiedAuditRow {
  return {
    CreationTime: creationTime,
    Id: record.Id,
    RecordType: intValue(record.RecordType),
    Operation: stringValue(record.Operation),
    Workload: stringValue(record.Workload),
    OrganizationId: stringValue(record.OrganizationId),
    UserId: stringValue(record.UserId),
    UserKey: stringValue(record.UserKey),
    UserType: intValue(record.UserType),
    ClientIP: clientIpOf(record),
    ResultStatus: stringValue(record.ResultStatus),
    ObjectId: stringValue(record.ObjectId),
    ContentType: ctx.contentType,
    ContentId: ctx.contentId,
    // the record object itself, untouched: serialised once, by the sink
    Record: record,
  };
}

/** The ClientIP column: the first address field that holds one, as ingestion writes addresses (the record keeps the original). */
export function clientIpOf(record: Record<string, unknown>): string {
  for (const field of ADDRESS_FIELDS) {
    const ip = normalizeIpAddress(record[field]);
    // "<null>" is how some sources write a missing address
    if (ip !== "" && ip !== "<null>") return ip;
  }
  return "";
}
