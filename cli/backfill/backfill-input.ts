// The backfill command's input, checked before anything is sent: each problem names the flag and how to fix it.
import { INTERVAL_MS, splitIntervals } from "../../functions/src/backfill/intervals";
import { RECORD_TYPE_NUMBERS } from "../../functions/src/graph-audit/record-types";
import { CliError } from "../output/cli-error";
import { ExitCode } from "../output/exit-codes";

export interface BackfillInput {
  tenantId: string;
  from: string;
  to: string;
  operations: string[];
  recordTypes: string[];
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

export function checkInput(o: { from: string; to?: string; operations?: string[]; recordTypes?: string[] }, tenantId: string, now = new Date()): BackfillInput {
  const from = parseInstant("--from", o.from);
  const to = o.to ? parseInstant("--to", o.to) : now.toISOString();
  if (Date.parse(from) >= Date.parse(to)) throw usage("--from", `${from} is not earlier than --to (${to}).`);
  if (Date.parse(to) > now.getTime() + 60_000) throw usage("--to", `${to} is in the future; leave --to out to back-fill up to now.`);
  const unknown = (o.recordTypes ?? []).filter((t) => !(t in RECORD_TYPE_NUMBERS));
  if (unknown.length) throw usage("--record-types", `${unknown.join(", ")} is not a Graph auditLogRecordType; use names such as exchangeItem, exchangeItemAggregated, sharePointFileOperation.`);
  return { tenantId, from, to, operations: o.operations ?? [], recordTypes: o.recordTypes ?? [] };
}

/** What the app will do with the input: one Graph query per interval. */
export function plannedQueries(input: BackfillInput): { intervals: number; intervalHours: number; first: string; last: string } {
  const intervals = splitIntervals("plan", new Date(input.from), new Date(input.to));
  return { intervals: intervals.length, intervalHours: INTERVAL_MS / 3_600_000, first: intervals[0].from.toISOString(), last: intervals[intervals.length - 1].to.toISOString() };
}
