// Plain HTTPS requests to the Graph audit emulator (trusting its per-run CA), for contract tests that look at the wire.
import { request } from "node:https";

export interface GraphResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

export function graphRequest(ca: string, method: string, url: string, token: string | null, body?: unknown): Promise<GraphResponse> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
    const headers: Record<string, string> = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    if (payload) {
      headers["Content-Type"] = "application/json";
      headers["Content-Length"] = String(payload.length);
    }
    const req = request(url, { method, ca, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(payload);
  });
}

/** The emulator's clock, moved by the test. */
export class TestClock {
  constructor(public ms: number) {}
  readonly now = () => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** A clock that runs `speed` times faster than real time from `startMs` (queries of minutes finish in a second). */
export class FastClock {
  private readonly realStart = Date.now();
  constructor(
    readonly startMs: number,
    readonly speed: number,
  ) {}
  readonly now = () => new Date(this.startMs + (Date.now() - this.realStart) * this.speed);
}

export const DAY = 86_400_000;
export const MINUTE = 60_000;
