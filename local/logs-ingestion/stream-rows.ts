import type { SentinelStream } from "../../kql/sentinel-stream";

type Declaration = Pick<SentinelStream, "columns">;

/**
 * What is wrong with a row for its declared stream, or null. TimeGenerated must be there and be a datetime: the
 * custom table needs it, and the service refuses the request (400) rather than guess.
 */
export function streamRowProblem(stream: Declaration, row: Record<string, unknown>): string | null {
  if (!stream.columns.some((c) => c.name === "TimeGenerated")) return null;
  const value = row.TimeGenerated;
  if (value === undefined || value === null || value === "") return "TimeGenerated is missing; every row needs it (ISO 8601 datetime).";
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(Date.parse(value))) {
    return `TimeGenerated ${JSON.stringify(value)} is not an ISO 8601 datetime.`;
  }
  return null;
}

/** The row reduced to the stream's declared columns, in their order. */
export function toDeclaredColumns(stream: Declaration, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of stream.columns) if (c.name in row) out[c.name] = row[c.name];
  return out;
}
