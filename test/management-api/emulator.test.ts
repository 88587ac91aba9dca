// The client against the Management API emulator (local/management-api): every record the emulator makes available is
// listed and fetched, with and without the standard fault mix, through @azure/identity's ClientSecretCredential against
// the emulator's HTTPS login endpoint (per-run CA).
import {
  type ManagementApiEmulator,
  type ManagementApiEmulatorOptions,
  startManagementApiEmulator,
} from "../../local/management-api";
import { ManagementActivityClient } from "../../functions/src/management-api/client";
import { cloudEndpoints } from "../../functions/src/management-api/clouds";
import { CONTENT_TYPES, type ContentType } from "../../functions/src/management-api/content-types";
import { createManagementCredential } from "../../functions/src/management-api/credentials";
import type { ManagementApiEvent, RequestInfo } from "../../functions/src/management-api/events";
import type { ContentBlobRef } from "../../functions/src/management-api/content-listing";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LocalTls, createLocalTls } from "../../local/tls";

let tls: LocalTls;
let tlsDir: string;
beforeAll(async () => {
  tlsDir = mkdtempSync(join(tmpdir(), "m365-emu-"));
  tls = await createLocalTls(join(tlsDir, "ca.pem"));
});
afterAll(() => rmSync(tlsDir, { recursive: true, force: true }));

const WEEK_MS = 7 * 24 * 3600_000;

function clientFor(emu: ManagementApiEmulator, tenantIndex = 0, requestTimeoutMs = 5000) {
  const t = emu.tenants[tenantIndex];
  const requests: RequestInfo[] = [];
  const events: ManagementApiEvent[] = [];
  const credential = createManagementCredential(
    t.tenantId,
    { kind: "secret", clientId: t.clientId, clientSecret: t.clientSecret, authorityCaFile: tls.caPath },
    { authorityHost: emu.login, tokenScope: cloudEndpoints("Enterprise").tokenScope },
  );
  const client = new ManagementActivityClient({
    tenantId: t.tenantId,
    publisherId: t.publisherId,
    baseUrl: emu.managementApi,
    credential,
    requestTimeoutMs,
    retry: { maxRetries: 6, baseDelayMs: 20, maxDelayMs: 2000 },
    onRequest: (i) => requests.push(i),
    onEvent: (e) => events.push(e),
  });
  return { client, requests, events, tenantId: t.tenantId };
}

/**
 * What a collector does: list the whole retention, fetch each new blob (8 at a time through one shared client), list
 * again for blobs that became visible late; a blob whose fetch failed is redelivered like a queue message, at most 5
 * times in all.
 */
async function harvest(client: ManagementActivityClient, contentType: ContentType) {
  const recordIds = new Set<string>();
  const done = new Set<string>();
  const failures = new Map<string, { attempts: number; code: string }>();
  const now = new Date();
  for (let pass = 0; pass < 3; pass++) {
    const todo: ContentBlobRef[] = [];
    for await (const ref of client.listContent(contentType, new Date(now.getTime() - WEEK_MS), now)) {
      if (!done.has(ref.contentId) && (failures.get(ref.contentId)?.attempts ?? 0) < 5) todo.push(ref);
    }
    if (todo.length === 0) break;
    const queue = [...new Map(todo.map((r) => [r.contentId, r])).values()];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let ref = queue.shift(); ref; ref = queue.shift()) {
          try {
            const blob = await client.fetchContent(ref.contentUri);
            for (const r of blob.records as Array<{ Id: string }>) recordIds.add(r.Id);
            done.add(ref.contentId);
            failures.delete(ref.contentId);
          } catch (e) {
            const f = failures.get(ref.contentId) ?? { attempts: 0, code: "" };
            failures.set(ref.contentId, { attempts: f.attempts + 1, code: (e as { code: string }).code });
          }
        }
      }),
    );
  }
  return { recordIds, blobs: done.size, failures };
}

async function withEmulator(opts: ManagementApiEmulatorOptions, body: (emu: ManagementApiEmulator) => Promise<void>) {
  const emu = await startManagementApiEmulator(opts, { loginTls: tls });
  try {
    await body(emu);
  } finally {
    await emu.close();
  }
}

describe("against the Management API emulator", () => {
  it("reads every available record of every content type with one content request per blob when nothing goes wrong", async () => {
    await withEmulator({ seed: 7, users: 10 }, async (emu) => {
      const { client, requests, tenantId } = clientFor(emu);
      let blobs = 0;
      for (const ct of CONTENT_TYPES) {
        const got = await harvest(client, ct);
        expect({ ct, missing: [...emu.truth.availableRecordIds(tenantId, ct)].filter((id) => !got.recordIds.has(id)) }).toEqual({
          ct,
          missing: [],
        });
        expect(got.failures.size).toBe(0);
        blobs += got.blobs;
      }
      const contentRequests = requests.filter((r) => r.operation === "content");
      expect(contentRequests.length / blobs).toBe(1);
      expect(emu.truth.requests(tenantId).byOperation.content).toBe(contentRequests.length);
    });
  });

  it("reads every available record under the standard fault mix (throttling as 403 and 429, 5xx, resets, truncation, slow answers, revoked tokens, late and duplicate listings)", async () => {
    await withEmulator({ seed: 11, users: 10, faults: "standard,slow-ms=1500" }, async (emu) => {
      const { client, requests, events, tenantId } = clientFor(emu, 0, 1000);
      const lost: string[] = [];
      for (const ct of CONTENT_TYPES) {
        const got = await harvest(client, ct);
        const missing = [...emu.truth.availableRecordIds(tenantId, ct)].filter((id) => !got.recordIds.has(id));
        expect({ ct, missing }).toEqual({ ct, missing: [] });
        // the only blobs left unread are the ones the service says expired (AF20051): recorded, not silent
        const expired = new Set(emu.truth.expiredContentIds(tenantId, ct));
        for (const [contentId, f] of got.failures) {
          expect({ contentId, code: f.code, expired: expired.has(contentId) }).toEqual({ contentId, code: "AF20051", expired: true });
          lost.push(contentId);
        }
      }
      const statuses = new Set(requests.map((r) => r.status));
      for (const s of [0, 401, 500]) expect(statuses).toContain(s);
      expect(events.some((e) => e.type === "tokenRefreshed")).toBe(true);
      expect(events.some((e) => e.type === "retry")).toBe(true);
    });
  });

  it("reports unified audit logging switched off as AuditLoggingDisabled, without retrying", async () => {
    await withEmulator({ tenants: 2, users: 5, auditLoggingDisabledTenants: [1] }, async (emu) => {
      const { client, requests } = clientFor(emu, 1);
      const err = await (async () => {
        for await (const _ of client.listContent("Audit.Exchange", new Date(Date.now() - 3600_000), new Date()));
      })().catch((e) => e);
      expect(err).toMatchObject({ code: "AuditLoggingDisabled", transient: false });
      expect(requests).toHaveLength(1);
    });
  });

  it("starts a missing subscription on listing, and backs off when a restart falls inside the start throttle", async () => {
    await withEmulator({ users: 5 }, async (emu) => {
      const { client, events } = clientFor(emu);
      const range = [new Date(Date.now() - 3600_000), new Date()] as const;
      for await (const _ of client.listContent("Audit.General", ...range));
      expect(events).toContainEqual({ type: "subscriptionStarted", contentType: "Audit.General" });
      await client.stopSubscription("Audit.General");
      const err = await (async () => {
        for await (const _ of client.listContent("Audit.General", ...range));
      })().catch((e) => e);
      expect(err).toMatchObject({ code: "SubscriptionStartThrottled", transient: true });
      expect(err.retryAfterMs).toBeGreaterThan(10 * 60_000);
      const starts = () => emu.truth.requests(emu.tenants[0].tenantId).byOperation["subscriptions/start"];
      const before = starts();
      await expect(client.ensureSubscription("Audit.General")).rejects.toMatchObject({ code: "SubscriptionStartThrottled" });
      expect(starts()).toBe(before);
    });
  });
});
