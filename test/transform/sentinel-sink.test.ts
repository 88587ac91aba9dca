// The Sentinel sink against the Logs Ingestion API emulator (HTTPS with a per-run CA, as the bearer-token policy
// of @azure/monitor-ingestion demands): rows land as sent, and every failure comes back as one typed error.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TokenCredential } from "@azure/core-auth";
import { createLocalTls, type LocalTls } from "../../local/tls";
import { startLogsIngestionEmulator, type LogsIngestionEmulator } from "../../local/logs-ingestion";
import { mailAccessStream } from "../../kql/sentinel-stream";
import { SentinelSink, type SentinelSinkOptions } from "../../functions/src/sinks/sentinel";
import { SentinelSendError } from "../../functions/src/sinks/sink-error";
import { transformBlob } from "../../functions/src/transform/transform";
import { bindRecord, syncRecordWithFolders, throttledRecord } from "./mail-items-accessed-records";

const DCR = "dcr-00000000000000000000000000000001";
const STREAM = mailAccessStream().streamName;
const credential: TokenCredential = { getToken: async () => ({ token: "local", expiresOnTimestamp: Date.now() + 3_600_000 }) };

let dir: string;
let tls: LocalTls;
const emulators: LogsIngestionEmulator[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sentinel-sink-"));
  tls = await createLocalTls(join(dir, "ca.pem"));
});

afterAll(async () => {
  for (const e of emulators) await e.close();
  rmSync(dir, { recursive: true, force: true });
});

async function emulator(extra: { rateLimit?: { requests: number; perMs: number } } = {}): Promise<LogsIngestionEmulator> {
  const e = await startLogsIngestionEmulator({ tls, dataDir: mkdtempSync(join(dir, "logs-")), rules: [{ dcrImmutableId: DCR, streams: [mailAccessStream()] }], ...extra });
  emulators.push(e);
  return e;
}

function sink(e: LogsIngestionEmulator, o: Partial<SentinelSinkOptions> = {}): SentinelSink {
  return new SentinelSink({ endpoint: e.url, dcrImmutableId: DCR, streamName: STREAM, credential, ca: tls.caPem, ...o });
}

function mailRows(count: number): Record<string, unknown>[] {
  const items = Array.from({ length: count }, (_, i) => ({ Id: `I${i}`, InternetMessageId: `<m${i}.${"p".repeat(300)}@example.net>`, SizeInBytes: i }));
  return transformBlob([bindRecord({ Folders: [{ Id: "F", Path: "\\Inbox", FolderItems: items }] })], { tenantId: "t", contentType: "Audit.Exchange", contentId: "c" }).mailAccessRows;
}

test("mail-access rows land as sent plus TimeGenerated (their CreationTime), over HTTPS trusted through the sink's `ca` option", async () => {
  const e = await emulator();
  const { mailAccessRows } = transformBlob([bindRecord(), syncRecordWithFolders(), throttledRecord()], { tenantId: "t", contentType: "Audit.Exchange", contentId: "c" });
  await sink(e).send(mailAccessRows);
  const expected = mailAccessRows.map((r) => ({ TimeGenerated: r.CreationTime, ...r }));
  expect(e.store.rows(STREAM)).toEqual(JSON.parse(JSON.stringify(expected)));
  expect(Object.keys(e.store.rows(STREAM)[0])).toEqual(mailAccessStream().columns.map((c) => c.name)); // the declared columns, in order
});

test("rows beyond the API's 1 MB request limit are split across requests and all land", async () => {
  const e = await emulator();
  const rows = mailRows(6000); // ~4 MB of JSON
  await sink(e).send(rows);
  expect(e.store.counters.accepted).toBeGreaterThan(2);
  expect(e.store.counters.tooLarge).toBe(0);
  expect(e.store.rows(STREAM)).toHaveLength(6000);
});

test("no rows make no request", async () => {
  const e = await emulator();
  await sink(e).send([]);
  expect(e.store.counters.requests).toBe(0);
});

test("an endpoint whose certificate is not trusted fails permanently as TlsUntrusted, saying how to fix it", async () => {
  const e = await emulator();
  const err = await sink(e, { ca: undefined, maxRetries: 0 }).send(mailRows(3)).catch((x) => x);
  expect(err).toBeInstanceOf(SentinelSendError);
  expect(err).toMatchObject({ code: "TlsUntrusted", transient: false, failedRows: 3 });
  expect(err.message).toMatch(/CA/);
  expect(e.store.rows(STREAM)).toEqual([]);
});

test("an unknown DCR fails permanently as EntityNotFound and names the settings to check", async () => {
  const e = await emulator();
  const err = await sink(e, { dcrImmutableId: "dcr-ffffffffffffffffffffffffffffffff" }).send(mailRows(3)).catch((x) => x);
  expect(err).toMatchObject({ name: "SentinelSendError", code: "EntityNotFound", transient: false, status: 404 });
  expect(err.message).toMatch(/SENTINEL_DCR_ID/);
});

test("a stream the DCR does not declare fails permanently as BadRequest", async () => {
  const e = await emulator();
  const err = await sink(e, { streamName: "Custom-Other" }).send(mailRows(3)).catch((x) => x);
  expect(err).toMatchObject({ name: "SentinelSendError", code: "BadRequest", transient: false, status: 400 });
});

test("throttling beyond the client's retries is a transient error that counts only the rows that did not land", async () => {
  const e = await emulator({ rateLimit: { requests: 1, perMs: 60_000 } });
  const rows = mailRows(6000);
  const err = await sink(e, { maxRetries: 0, maxConcurrency: 1 }).send(rows).catch((x) => x);
  expect(err).toBeInstanceOf(SentinelSendError);
  expect(err).toMatchObject({ code: "Throttled", transient: true, status: 429 });
  const landed = e.store.rows(STREAM).length;
  expect(landed).toBeGreaterThan(0);
  expect(err.failedRows).toBe(rows.length - landed);
});

test("throttling within the client's retries is waited out (Retry-After) and everything lands", async () => {
  const e = await emulator({ rateLimit: { requests: 2, perMs: 1000 } });
  await sink(e, { maxConcurrency: 1 }).send(mailRows(6000));
  expect(e.store.counters.throttled).toBeGreaterThan(0);
  expect(e.store.rows(STREAM)).toHaveLength(6000);
}, 30_000);

test("an endpoint that does not answer is a transient Network error", async () => {
  const err = await new SentinelSink({ endpoint: "https://127.0.0.1:9", dcrImmutableId: DCR, streamName: STREAM, credential, ca: tls.caPem, maxRetries: 0 })
    .send(mailRows(1))
    .catch((x) => x);
  expect(err).toMatchObject({ name: "SentinelSendError", code: "Network", transient: true, failedRows: 1 });
});
