// The emulated cloud with three tenants — consented, not consented (AADSTS700016), consented without the app role
// (AF10001) — and the local Functions host over it: what the admin API and CLI tests talk to.
import { startEmulatedCloud, type EmulatedCloud } from "../../local/cloud";
import { emulatedAppSettings } from "../../local/host/emulated-app";
import { startLocalFunctionsHost, type LocalFunctionsHost } from "../../local/host/functions-host";
import type { AppServiceSignIn } from "../../local/host/app-service-sign-in";
import type { LocalTls } from "../../local/tls";

export interface HostFixture {
  cloud: EmulatedCloud;
  host: LocalFunctionsHost;
  /** tenant 0: consented · 1: no consent · 2: consented without ActivityFeed.Read */
  tenant: (index: 0 | 1 | 2) => string;
  /** An HTTP call to the host (plain-http hosts only: fetch has no way to trust the per-run CA). */
  call(method: string, path: string, opts?: { body?: unknown; key?: string | null }): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** `tls`: the host serves HTTPS with a certificate of its own per-run CA (`tls.caPem`), as a Function App does. */
export async function startHostFixture(opts: { tls?: LocalTls; settings?: Record<string, string>; signIn?: (cloud: EmulatedCloud) => AppServiceSignIn } = {}): Promise<HostFixture> {
  const cloud = await startEmulatedCloud({ tenants: 3, users: 3, consent: { 1: "none", 2: "no-app-role" } });
  // timers far apart: what runs, runs because a test asked (plan now), not because a tick happened to fire
  const host = await startLocalFunctionsHost({
    settings: { ...emulatedAppSettings(cloud), ...opts.settings },
    timerIntervalMs: 60 * 60_000,
    tls: opts.tls,
    signIn: opts.signIn?.(cloud),
  }).catch(async (e) => {
    await cloud.close();
    throw e;
  });
  return {
    cloud,
    host,
    tenant: (i) => cloud.tenants[i].tenantId,
    async call(method, path, opts = {}) {
      const key = opts.key === undefined ? host.functionKey : opts.key;
      const res = await fetch(`${host.url}/api/${path}`, {
        method,
        headers: { ...(key ? { "x-functions-key": key } : {}), ...(opts.body !== undefined ? { "content-type": "application/json" } : {}) },
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    async close() {
      await host.close();
      await cloud.close();
    },
  };
}

export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}
