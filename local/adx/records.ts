import { gunzipSync } from "node:zlib";
import { AdxIngestionError } from "./errors";

/** The data formats the emulator ingests: ADX's JSON family. */
export const JSON_FORMATS = ["multijson", "json", "singlejson"] as const;

/** Undoes the gzip the SDKs apply (streaming always, queued for files); anything else is taken as plain text. */
export function decodeData(data: Buffer): string {
  let bytes = data;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new AdxIngestionError("BadRequest_InvalidBlob", `The data looks gzip-compressed but does not decompress: ${(e as Error).message}.`);
    }
  } else if (bytes.length >= 2 && bytes[0] === 0x50 && bytes[1] === 0x4b) {
    throw new AdxIngestionError("BadRequest_FormatNotSupported", "ZIP archives are not supported by the ADX emulator; send gzip or plain data.");
  }
  const text = bytes.toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A parsed record and the length of the JSON text it came from (an upper bound, for cheap size checks). */
export interface ParsedRecord {
  value: unknown;
  chars: number;
}

/** Splits ingested text into records per ADX's rules for the format. */
export function parseRecords(text: string, format: string): ParsedRecord[] {
  switch (format.toLowerCase()) {
    case "multijson":
      return parseMultiJson(text);
    case "json":
      return parseJsonLines(text);
    case "singlejson":
      return parseSingleJson(text);
    default:
      throw new AdxIngestionError(
        "BadRequest_FormatNotSupported",
        `Format '${format}' is not supported by the ADX emulator (it ingests ${JSON_FORMATS.join(", ")}). Send JSON rows with format multijson.`,
      );
  }
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/**
 * multijson: property bags (or arrays of them) one after another, separated by any whitespace, possibly spanning
 * lines. One malformed record fails the WHOLE batch with BadRequest_InvalidBlob, as in ADX.
 */
function parseMultiJson(text: string): ParsedRecord[] {
  return parseOneValuePerLine(text) ?? scanMultiJson(text);
}

/**
 * The common shape of multijson (what the SDK writers send): one property bag per line. JSON.parse of each line gives
 * exactly what the scanner below would, without walking every character in JS first; any other shape (a value spanning
 * lines, two on a line, something that is not a bag or array) returns undefined and the scanner decides, errors included.
 */
function parseOneValuePerLine(text: string): ParsedRecord[] | undefined {
  const records: ParsedRecord[] = [];
  const n = text.length;
  let lineStart = 0;
  while (lineStart < n) {
    let lineEnd = text.indexOf("\n", lineStart);
    if (lineEnd < 0) lineEnd = n;
    let start = lineStart;
    let end = lineEnd;
    while (start < end && isWhitespace(text.charCodeAt(start))) start++;
    while (end > start && isWhitespace(text.charCodeAt(end - 1))) end--;
    lineStart = lineEnd + 1;
    if (start === end) continue;
    const open = text.charCodeAt(start);
    const close = text.charCodeAt(end - 1);
    if (!((open === 0x7b && close === 0x7d) || (open === 0x5b && close === 0x5d))) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text.slice(start, end));
    } catch {
      return undefined;
    }
    if (Array.isArray(value)) {
      for (const el of value) {
        if (el === null || typeof el !== "object" || Array.isArray(el)) return undefined;
        records.push({ value: el, chars: end - start });
      }
    } else {
      records.push({ value, chars: end - start });
    }
  }
  return records;
}

/** Walks the text value by value, matching brackets outside strings: any layout, and a precise error offset. */
function scanMultiJson(text: string): ParsedRecord[] {
  const records: ParsedRecord[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && isWhitespace(text.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    const open = text[i];
    if (open !== "{" && open !== "[") {
      throw invalidBlob(`expected '{' or '[' at offset ${start}, found '${text.slice(start, start + 20)}'`);
    }
    let depth = 0;
    let inString = false;
    let end = -1;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (c === 0x5c) i++; // backslash: skip the escaped character
        else if (c === 0x22) inString = false;
      } else if (c === 0x22) inString = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        depth--;
        if (depth === 0) {
          end = i + 1;
          break;
        }
      }
    }
    if (end < 0) throw invalidBlob(`the JSON value starting at offset ${start} is not closed`);
    let value: unknown;
    try {
      value = JSON.parse(text.slice(start, end));
    } catch (e) {
      throw invalidBlob(`the JSON value starting at offset ${start} is malformed (${(e as Error).message})`);
    }
    if (Array.isArray(value)) {
      for (const el of value) {
        if (el === null || typeof el !== "object" || Array.isArray(el)) throw invalidBlob(`an array at offset ${start} holds a value that is not a property bag`);
        records.push({ value: el, chars: end - start });
      }
    } else {
      records.push({ value, chars: end - start });
    }
    i = end;
  }
  return records;
}

/** json: one record per line; ADX silently skips malformed lines in this format. */
function parseJsonLines(text: string): ParsedRecord[] {
  const records: ParsedRecord[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    try {
      const value = JSON.parse(line);
      if (value !== null && typeof value === "object" && !Array.isArray(value)) records.push({ value, chars: line.length });
    } catch {
      // skipped, as ADX does for format=json
    }
  }
  return records;
}

function parseSingleJson(text: string): ParsedRecord[] {
  if (text.trim() === "") return [];
  try {
    const value = JSON.parse(text);
    return (Array.isArray(value) ? value : [value]).map((v) => ({ value: v, chars: text.length }));
  } catch (e) {
    throw invalidBlob(`the document is not valid JSON (${(e as Error).message})`);
  }
}

function invalidBlob(detail: string): AdxIngestionError {
  return new AdxIngestionError("BadRequest_InvalidBlob", `Blob is invalid for format multijson: ${detail}. The whole batch was rejected; fix the writer and resend it.`);
}
