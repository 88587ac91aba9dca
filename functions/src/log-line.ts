// One log line of the app: a readable message and its named fields (tenant, contentType, contentId, stage, outcome,
// code, attempt). The engine's lines (through the Functions context) and the Management API client's (through
// @azure/logger) use the same names, so one query reads both. It sits above management-api/ and use-cases/ so both
// can use it without importing each other.
import { inspect } from "node:util";

export type LogValue = string | number | boolean | undefined;

export interface LogFields {
  tenant?: string;
  contentType?: string;
  contentId?: string;
  /** the pipeline step: plan, listing, intake, fetch, transform, ingest, sentinel, adx-settlement, … */
  stage: string;
  /** what came of it: planned, ingested, requeued, quarantined, replayed, rejected, … */
  outcome: string;
  /** the error code (AF…, ADX's, ours) when the line is about a failure */
  code?: string;
  /** the attempt (queue dequeue count, retry number) the line is about */
  attempt?: number;
  [detail: string]: LogValue;
}

/**
 * The fields as the one object argument that follows the message. The Functions host joins a log call's arguments
 * with util.format into one message, and Application Insights keeps only that string (arguments become no custom
 * dimensions); @azure/logger formats its arguments the same way. So the object prints as one line of JSON
 * (`message {"tenant":…}`, which KQL reads with parse_json), while whoever receives the arguments themselves — a
 * preInvocation hook, a test — reads the fields as plain properties. Undefined fields are left out.
 */
export function fieldsArgument(fields: LogFields): Readonly<LogFields> {
  const plain = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as LogFields;
  const json = () => JSON.stringify(plain);
  return Object.defineProperties({ ...plain }, { [inspect.custom]: { value: json }, toString: { value: json } });
}
