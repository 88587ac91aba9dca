import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface LogsCounters {
  requests: number;
  accepted: number;
  rows: number;
  tooLarge: number;      // 413
  throttled: number;     // 429
  unauthorized: number;  // 401
  rejected: number;      // other 4xx
}

/** Rows the Logs Ingestion emulator accepted, per stream, as JSON lines in `<dir>/<stream>.jsonl`. */
export class LogsStore {
  readonly counters: LogsCounters = { requests: 0, accepted: 0, rows: 0, tooLarge: 0, throttled: 0, unauthorized: 0, rejected: 0 };

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  rows(streamName: string): object[] {
    const file = this.file(streamName);
    if (!existsSync(file)) return [];
    return readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as object);
  }

  file(streamName: string): string {
    // Stream names are "Custom-<Name>" (letters, digits, '-', '_'); anything else must not escape the folder.
    return join(this.dir, `${streamName.replace(/[^A-Za-z0-9_.-]/g, "_")}.jsonl`);
  }

  /** @internal */
  append(streamName: string, rows: object[]): void {
    appendFileSync(this.file(streamName), rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
    this.counters.accepted++;
    this.counters.rows += rows.length;
  }
}
