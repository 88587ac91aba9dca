// The backfill command's input, checked before anything is sent: each problem names the flag and how to fix it.
import { INTERVAL_MS, splitIntervals } from "../../functions/src/backfill/intervals";
import { DEFAULT_MAX_SPAN_DAYS, MAX_OPERATION_LENGTH, MAX_OPERATIONS, MAX_RETENTION_DAYS } from "../../functions/src/backfill/backfill-request";
import { AUDIT_LOG_RECORD_TYPES, auditLogRecordType } from "../../functions/src/graph-audit/record-type-members";
import { CliError } from "../output/cli-error";
import { ExitCode } from "../output/exit-codes";

export interface BackfillInput {
  tenantId: string;
  from: string;
  to: string;
  operations: string[];
  recordTypes: string[];
  /** The tenant's audit retention, days, when the operator states it: a back-fill may then span that long. */
  tenantRetentionDays?: number;
}

const usage = (flag: string, message: string) => new CliError("BadOption", `${flag}: ${message}`, `Fix ${flag} and run again; \`backfill --help\` lists the options.`, ExitCode.Usage);

/** `2026-09-01` (midnight UTC) or a full ISO 8601 date-time. */
export function parseInstant(flag: string, text: string): string {
  const full = /^\d{4}-\d\d-\d\d$/.test(text) ? `${text}T00:00:00Z` : text;
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(full) || Number.isNaN(Date.parse(full))) {
    throw usage(flag, `"${text}" is not a date: give 2026-09-01 (midnight UTC) or 2026-09-01T08:00:00Z.`);
  }
  return new Date(full).toISOString();
}

/** A comma- or repeat-given list, without blanks or repeats. */
export function listOption(value: string, previous: string[] = []): string[] {
  return [...new Set([...previous, ...value.split(",").map((v) => v.trim()).filter(Boolean)])];
}

export function checkInput(o: { from: string; to?: string; operations?: string[]; recordTypes?: string[]; tenantRetentionDays?: number }, tenantId: string, now = new Date()): BackfillInput {
  const from = parseInstant("--from", o.from);
  const to = o.to ? parseInstant("--to", o.to) : now.toISOString();
  if (Date.parse(from) >= Date.parse(to)) throw usage("--from", `${from} is not earlier than --to (${to}).`);
  if (Date.parse(to) > now.getTime() + 60_000) throw usage("--to", `${to} is in the future; leave --to out to back-fill up to now.`);
  const retention = o.tenantRetentionDays;
  if (retention !== undefined && !(Number.isInteger(retention) && retention >= 1 && retention <= MAX_RETENTION_DAYS)) {
    throw usage("--tenant-retention-days", `${retention} is not a number of days from 1 to ${MAX_RETENTION_DAYS}.`);
  }
  const maxDays = retention ?? DEFAULT_MAX_SPAN_DAYS;
  const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
  if (days > maxDays) {
    throw usage(
      "--from",
      `the period is ${Math.ceil(days)} days, longer than ${maxDays}` +
        (retention ? " (--tenant-retention-days)." : ` (Audit Premium's default retention); if the tenant keeps its audit log longer, say so with --tenant-retention-days.`),
    );
  }
  const operations = o.operations ?? [];
  if (operations.length > MAX_OPERATIONS) throw usage("--operations", `${operations.length} operations given, at most ${MAX_OPERATIONS}.`);
  const long = operations.find((op) => op.length > MAX_OPERATION_LENGTH);
  if (long) throw usage("--operations", `"${long.slice(0, 40)}…" is longer than ${MAX_OPERATION_LENGTH} characters: give operation names such as MailItemsAccessed.`);
  const unknown = (o.recordTypes ?? []).filter((t) => !auditLogRecordType(t));
  if (unknown.length) throw usage("--record-types", `${unknown.join(", ")} is not among the ${AUDIT_LOG_RECORD_TYPES.length} auditLogRecordType members Graph documents; use names such as exchangeItem, exchangeItemAggregated, threatIntelligence.`);
  const recordTypes = [...new Set((o.recordTypes ?? []).map((t) => auditLogRecordType(t)!))];
  return { tenantId, from, to, operations, recordTypes, ...(retention !== undefined ? { tenantRetentionDays: retention } : {}) };
}

/** What the app will do with the input: one Graph query per interval. */
export function plannedQueries(input: BackfillInput): { intervals: number; intervalHours: number; first: string; last: string } {
  const intervals = splitIntervals("plan", new Date(input.from), new Date(input.to));
  return { intervals: intervals.length, intervalHours: INTERVAL_MS / 3_600_000, first: intervals[0].from.toISOString(), last: intervals[intervals.length - 1].to.toISOString() };
}
