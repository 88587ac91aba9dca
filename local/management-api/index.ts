// Office 365 Management Activity API emulator: a token endpoint and the activity feed API on 127.0.0.1, serving a
// seeded, deterministic scenario (with the article's incident on tenant 0) and injecting the faults a collector must
// survive. See types.ts for the options and the ground-truth interface.
import { startApiServer } from "./api-server";
import { EmulatedTenantState } from "./emulated-tenant-state";
import { FaultInjector, resolveFaults } from "./faults";
import { EmulatorGroundTruth } from "./ground-truth";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LocalTls, createLocalTls } from "../tls";
import { startLoginServer } from "./login-server";
import { resolveOptions } from "./options";
import { RequestBudget } from "./request-budget";
import { RequestCounters } from "./request-counters";
import { tenantIdentity } from "./scenario/tenant-identity";
import { TokenStore } from "./tokens";
import type { EmulatedTenant, ManagementApiEmulator, ManagementApiEmulatorOptions } from "./types";
import { WebhookNotifier } from "./webhooks";

export * from "./types";
export { parseFaultSpec, FaultSpecError, STANDARD_FAULTS, NO_FAULTS } from "./faults";
export { EmulatorOptionsError } from "./options";

/**
 * The login endpoint is HTTPS, as Entra is (MSAL takes nothing else): with `loginTls`, the emulated cloud's per-run CA
 * (local/tls.ts); without, a CA minted for this emulator alone.
 */
export async function startManagementApiEmulator(
  opts: ManagementApiEmulatorOptions = {},
  wiring: { loginTls?: LocalTls } = {},
): Promise<ManagementApiEmulator> {
  const o = resolveOptions(opts);
  const faultSpec = resolveFaults(opts.faults);
  const nowMs = () => o.now().getTime();
  // the emulated week ends at startup, to the minute: two emulators started together build the same scenario
  const anchorMs = Math.floor(nowMs() / 60_000) * 60_000;
  const faults = new FaultInjector(faultSpec, o.seed);

  const states: EmulatedTenantState[] = [];
  for (let i = 0; i < o.tenants; i++) {
    const identity = tenantIdentity(o.seed, i, o.multiTenantApp);
    const settings = { seed: o.seed, users: o.users, anchorMs, multiTenantApp: o.multiTenantApp, largeTenantRecords: o.largeTenantRecords };
    const state = new EmulatedTenantState(identity, o.auditLoggingDisabledTenants.includes(i), settings, faults);
    if (o.initialSubscriptions === "enabled") {
      for (const sub of state.subscriptions.values()) {
        sub.enable(anchorMs, null);
        sub.lastStartMs = null; // started "long ago": no start throttle pending
      }
    }
    states.push(state);
  }
  const byId = new Map(states.map((s) => [s.identity.tenantId, s]));

  const tokens = new TokenStore();
  const counters = new RequestCounters();
  const truth = new EmulatorGroundTruth({ tenant: (id) => byId.get(id.toLowerCase()), counters, nowMs, faults });
  const closing = new AbortController();

  let api: Awaited<ReturnType<typeof startApiServer>> | null = null;
  const notifier = new WebhookNotifier(states, {
    intervalMs: o.webhookIntervalMs,
    attempts: o.webhookAttempts,
    retryDelayMs: o.webhookRetryDelayMs,
    failuresBeforeDisable: o.webhookFailuresBeforeDisable,
    batchSize: o.pageSize,
    nowMs,
    contentObject: (tenant, blob) => api!.contentObject(tenant, blob),
  });

  const ownTlsDir = wiring.loginTls ? null : mkdtempSync(join(tmpdir(), "m365-login-tls-"));
  const loginTls = wiring.loginTls ?? (await createLocalTls(join(ownTlsDir!, "ca.pem")));
  const removeOwnTls = () => ownTlsDir && rmSync(ownTlsDir, { recursive: true, force: true });
  const login = await startLoginServer({
    host: o.host,
    port: o.loginPort,
    tenants: states.map((s) => s.identity),
    tokens,
    counters,
    tokenLifetimeSeconds: o.tokenLifetimeSeconds,
    consent: new Map(Object.entries(o.consent).map(([index, consent]) => [states[Number(index)].identity.tenantId, consent])),
    graphAudience: o.graphAudience,
    apiOrigin: () => api?.url ?? "",
    tls: loginTls,
  }).catch((e) => {
    removeOwnTls();
    throw e;
  });
  try {
    api = await startApiServer({
      host: o.host,
      port: o.port,
      tenants: byId,
      tokens,
      counters,
      budget: new RequestBudget(o.requestBudgetPerMinute, o.requestBudgetWindowMs),
      faults,
      truth,
      notifier,
      pageSize: o.pageSize,
      throttleAs403Share: o.throttleAs403Share,
      subscriptionStartThrottleMs: o.subscriptionStartThrottleMs,
      nowMs,
      loginBase: () => login.url,
      closing: closing.signal,
    });
  } catch (e) {
    await login.close();
    removeOwnTls();
    throw e;
  }
  notifier.start();

  const tenants: EmulatedTenant[] = states.map(({ identity: t }) => ({
    tenantId: t.tenantId,
    clientId: t.clientId,
    clientSecret: t.clientSecret,
    publisherId: t.publisherId,
    database: t.database,
    domain: t.domain,
  }));
  let closed: Promise<void> | null = null;
  return {
    managementApi: api.url,
    login: login.url,
    loginCaPem: loginTls.caPem,
    tenants,
    truth,
    anchor: new Date(anchorMs),
    faults: faultSpec,
    tokens,
    close: () =>
      (closed ??= (async () => {
        closing.abort();
        await notifier.stop();
        await Promise.all([api!.close(), login.close()]);
        removeOwnTls();
      })()),
  };
}
