// A deliberately plain HTTP client for the emulator specs: global fetch, no retries unless a spec asks for them,
// so every status and header the emulator sends is visible to the assertions.
import { request } from "node:http";
import { request as httpsRequest } from "node:https";
import type { EmulatedTenant, ManagementApiEmulator } from "../../local/management-api/index";

export const DAY = 86_400_000;
export const HOUR = 3_600_000;

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
}

export function json<T = unknown>(r: Reply): T {
  return JSON.parse(r.text) as T;
}

export interface ContentItem {
  contentType: string;
  contentId: string;
  contentUri: string;
  contentCreated: string;
  contentExpiration: string;
}

/** A settable clock for the emulator's `now` option. */
export class TestClock {
  constructor(public ms: number) {}
  readonly now = () => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

export class FeedClient {
  private cachedToken: string | null = null;

  constructor(
    readonly emu: ManagementApiEmulator,
    readonly tenant: EmulatedTenant = emu.tenants[0],
  ) {}

  async token(fresh = false): Promise<string> {
    if (this.cachedToken && !fresh) return this.cachedToken;
    const r = await postForm(this.emu, `/${this.tenant.tenantId}/oauth2/v2.0/token`, {
      grant_type: "client_credentials",
      client_id: this.tenant.clientId,
      client_secret: this.tenant.clientSecret,
      scope: "https://manage.office.com/.default",
    });
    if (r.status !== 200) throw new Error(`token request answered ${r.status}: ${r.text}`);
    this.cachedToken = (JSON.parse(r.text) as { access_token: string }).access_token;
    return this.cachedToken;
  }

  feedUrl(path: string): string {
    return `${this.emu.managementApi}/api/v1.0/${this.tenant.tenantId}/activity/feed/${path}`;
  }

  /** `target` is a feed path ("subscriptions/list") or an absolute URL (contentUri, NextPageUri). */
  async call(method: string, target: string, init: { body?: string; headers?: Record<string, string>; token?: string | null } = {}): Promise<Reply> {
    const url = /^https?:/.test(target) ? target : this.feedUrl(target);
    const headers: Record<string, string> = { ...init.headers };
    const token = init.token === undefined ? await this.token() : init.token;
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    const r = await fetch(url, { method, headers, body: init.body });
    return { status: r.status, headers: r.headers, text: await r.text() };
  }

  get(target: string, init?: Parameters<FeedClient["call"]>[2]) {
    return this.call("GET", target, init);
  }

  start(contentType: string, webhook?: Record<string, unknown>) {
    return this.call("POST", `subscriptions/start?contentType=${contentType}`, webhook ? { body: JSON.stringify({ webhook }), headers: { "Content-Type": "application/json" } } : {});
  }

  stop(contentType: string) {
    return this.call("POST", `subscriptions/stop?contentType=${contentType}`);
  }

  contentQuery(contentType: string, start?: Date | string, end?: Date | string): string {
    const q = new URLSearchParams({ contentType });
    if (start !== undefined) q.set("startTime", typeof start === "string" ? start : start.toISOString());
    if (end !== undefined) q.set("endTime", typeof end === "string" ? end : end.toISOString());
    return `subscriptions/content?${q.toString()}`;
  }

  /** Follows NextPageUri to the end; fails on any non-200 page. */
  async listAll(contentType: string, start?: Date | string, end?: Date | string): Promise<{ items: ContentItem[]; pages: number }> {
    const items: ContentItem[] = [];
    let target: string | null = this.contentQuery(contentType, start, end);
    let pages = 0;
    while (target) {
      const r = await this.get(target);
      if (r.status !== 200) throw new Error(`listing page answered ${r.status}: ${r.text}`);
      items.push(...json<ContentItem[]>(r));
      pages++;
      target = r.headers.get("NextPageUri");
    }
    return { items, pages };
  }

  /** Lists the last seven days (ending at `nowMs`) in 24 h windows. */
  async listWeek(contentType: string, nowMs: number): Promise<ContentItem[]> {
    const items: ContentItem[] = [];
    for (let w = 7; w >= 1; w--) {
      const start = new Date(nowMs - w * DAY + (w === 7 ? 60_000 : 0));
      const end = new Date(nowMs - (w - 1) * DAY);
      items.push(...(await this.listAll(contentType, start, end)).items);
    }
    return items;
  }
}

/** Raw GET through node:http, for what fetch hides: the exact casing of response header names. */
export function rawGet(url: string, token: string): Promise<{ status: number; rawHeaderNames: string[]; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Authorization: `Bearer ${token}` } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => {
        const names = res.rawHeaders.filter((_, i) => i % 2 === 0);
        const headers: Record<string, string> = {};
        for (let i = 0; i < res.rawHeaders.length; i += 2) headers[res.rawHeaders[i]] = res.rawHeaders[i + 1];
        resolve({ status: res.statusCode ?? 0, rawHeaderNames: names, headers, body });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

/** Parses "CreationTime" (written without a zone; it is UTC). */
export function creationMs(record: { CreationTime?: unknown }): number {
  return Date.parse(`${String(record.CreationTime)}Z`);
}

/** The bare address of "a.b.c.d", "a.b.c.d:port", "[v6]:port" or "v6". */
export function bareIp(raw: string): string {
  const ip = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(ip);
  if (bracketed) return bracketed[1];
  if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(ip)) return ip.slice(0, ip.lastIndexOf(":"));
  return ip;
}

export type AuditRecord = Record<string, unknown> & { Id: string; CreationTime: string; Operation: string };

/** Every record of a content type published in the last week, with the blob it came in (first copy wins). */
export async function fetchWeek(client: FeedClient, contentType: string, nowMs: number): Promise<Array<{ record: AuditRecord; blob: ContentItem }>> {
  const out: Array<{ record: AuditRecord; blob: ContentItem }> = [];
  const seen = new Set<string>();
  for (const blob of await client.listWeek(contentType, nowMs)) {
    const r = await client.get(blob.contentUri);
    if (r.status !== 200) throw new Error(`GET ${blob.contentUri} answered ${r.status}: ${r.text}`);
    for (const record of json<AuditRecord[]>(r)) {
      if (seen.has(record.Id)) continue;
      seen.add(record.Id);
      out.push({ record, blob });
    }
  }
  return out;
}

export function operationProperty(record: AuditRecord, name: string): string | undefined {
  return (record.OperationProperties as Array<{ Name: string; Value: string }> | undefined)?.find((p) => p.Name === name)?.Value;
}

/** POSTs a form to the emulator's login endpoint (HTTPS, trusting the emulator's CA as a proxy's CA would be trusted). */
export function postForm(emu: ManagementApiEmulator, path: string, form: Record<string, string>): Promise<{ status: number; text: string }> {
  const body = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${emu.login}${path}`,
      { method: "POST", ca: emu.loginCaPem, headers: { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
