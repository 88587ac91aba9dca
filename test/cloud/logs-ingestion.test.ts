import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isAggregateLogsUploadError, LogsIngestionClient } from "@azure/monitor-ingestion";
import { startLogsIngestionEmulator, type LogsIngestionEmulator } from "../../local/logs-ingestion";
import { createLocalTls, type LocalTls } from "../../local/tls";
import { localCredential } from "./fixtures";

const DCR = "dcr-00112233445566778899aabbccddeeff";
const STREAM = "Custom-EmulatorTest_CL";
const T = "2024-05-01T10:00:00Z";
// A stream declared like every custom table's: TimeGenerated first, then the test's columns.
const DECLARED = {
  streamName: STREAM,
  columns: [
    { name: "TimeGenerated", type: "datetime" as const },
    { name: "Operation", type: "string" as const },
    { name: "Record", type: "dynamic" as const },
    { name: "i", type: "dynamic" as const },
    { name: "pad", type: "string" as const },
  ],
};

function post(url: string, ca: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", ca, headers: { "Content-Type": "application/json", ...headers } }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("Logs Ingestion API emulator with the real LogsIngestionClient", () => {
  let dataDir: string;
  let tls: LocalTls;
  let logs: LogsIngestionEmulator;
  let throttled: LogsIngestionEmulator;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "logs-ingestion-"));
    tls = await createLocalTls(join(dataDir, "ca.pem"));
    const rules = [{ dcrImmutableId: DCR, streams: [DECLARED] }];
    logs = await startLogsIngestionEmulator({ tls, dataDir: join(dataDir, "plain"), rules });
    throttled = await startLogsIngestionEmulator({ tls, dataDir: join(dataDir, "throttled"), rules, rateLimit: { requests: 2, perMs: 1000 } });
  });

  afterAll(async () => {
    await logs?.close();
    await throttled?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  // In-process clients trust the per-run CA through the pipeline's TLS options.
  const clientFor = (emulator: LogsIngestionEmulator) => new LogsIngestionClient(emulator.url, localCredential, { tlsOptions: { ca: tls.caPem } });

  test("serves HTTPS with a certificate for 127.0.0.1 signed by the CA it wrote to a file", () => {
    expect(logs.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(readFileSync(join(dataDir, "ca.pem"), "utf8")).toBe(tls.caPem);
  });

  test("stores uploaded rows per stream as JSON lines (gzip bodies, as the client sends them)", async () => {
    const rows = [
      { TimeGenerated: "2024-05-01T10:00:00Z", Operation: "MailItemsAccessed", Record: { a: 1 } },
      { TimeGenerated: "2024-05-01T10:00:01Z", Operation: "Send", Record: { b: [2] } },
    ];
    await clientFor(logs).upload(DCR, STREAM, rows);
    expect(logs.store.rows(STREAM)).toEqual(rows);
    const file = readFileSync(join(dataDir, "plain", "logs", `${STREAM}.jsonl`), "utf8");
    expect(file.trim().split("\n").map((l) => JSON.parse(l))).toEqual(rows);
  });

  test("the client splits large uploads under the ~1 MB limit; a single row over it gets 413 and is handed back as failed", async () => {
    const before = logs.store.rows(STREAM).length;
    const requestsBefore = logs.store.counters.requests;
    const many = Array.from({ length: 250 }, (_, i) => ({ TimeGenerated: T, i, pad: "x".repeat(10_000) })); // ~2.5 MB
    await clientFor(logs).upload(DCR, STREAM, many);
    expect(logs.store.rows(STREAM).length - before).toBe(250);
    expect(logs.store.counters.requests - requestsBefore).toBe(3);
    expect(logs.store.counters.tooLarge).toBe(0);

    const oversized = { TimeGenerated: T, i: "too big", pad: "y".repeat(1_100_000) };
    let failure: unknown;
    try {
      await clientFor(logs).upload(DCR, STREAM, [{ TimeGenerated: T, i: "small" }, oversized]);
    } catch (e) {
      failure = e;
    }
    expect(isAggregateLogsUploadError(failure)).toBe(true);
    const errors = (failure as { errors: Array<{ failedLogs: unknown[]; cause: { statusCode?: number } }> }).errors;
    expect(errors.map((e) => [e.cause.statusCode, e.failedLogs])).toEqual([[413, [oversized]]]);
    expect(logs.store.counters.tooLarge).toBe(1);
    expect(logs.store.rows(STREAM).map((r) => (r as { i: unknown }).i)).toContain("small");
  });

  test("over the request rate it answers 429 with Retry-After, and the client's retry lands every row", async () => {
    const many = Array.from({ length: 250 }, (_, i) => ({ TimeGenerated: T, i, pad: "z".repeat(10_000) })); // three requests at once
    const started = Date.now();
    await clientFor(throttled).upload(DCR, STREAM, many);
    expect(throttled.store.counters.throttled).toBeGreaterThanOrEqual(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900); // the client waited for Retry-After: 1
    expect(throttled.store.rows(STREAM)).toHaveLength(250);
  });

  test("refuses a request without a bearer token (401), an unknown rule (404) and an undeclared stream (400)", async () => {
    const path = (dcr: string, stream: string) => `${logs.url}/dataCollectionRules/${dcr}/streams/${stream}?api-version=2023-01-01`;
    const noToken = await post(path(DCR, STREAM), tls.caPem, "[]");
    expect(noToken.status).toBe(401);
    const auth = { Authorization: "Bearer t" };
    expect((await post(path("dcr-unknown", STREAM), tls.caPem, "[]", auth)).status).toBe(404);
    const badStream = await post(path(DCR, "Custom-Other_CL"), tls.caPem, "[]", auth);
    expect(badStream.status).toBe(400);
    expect(JSON.parse(badStream.body).error.message).toContain(STREAM);
  });

  test("a row without a valid TimeGenerated is refused with 400 and an error body naming it; nothing of the request lands", async () => {
    const before = logs.store.rows(STREAM).length;
    for (const bad of [{ Operation: "no time" }, { TimeGenerated: "yesterday", Operation: "bad time" }, { TimeGenerated: 1714557600, Operation: "number" }]) {
      let failure: unknown;
      try {
        await clientFor(logs).upload(DCR, STREAM, [{ TimeGenerated: T, Operation: "fine" }, bad]);
      } catch (e) {
        failure = e;
      }
      expect(isAggregateLogsUploadError(failure)).toBe(true);
      const cause = (failure as { errors: Array<{ cause: { statusCode?: number; message: string } }> }).errors[0].cause;
      expect(cause.statusCode).toBe(400);
      expect(cause.message).toMatch(/TimeGenerated/);
    }
    expect(logs.store.rows(STREAM)).toHaveLength(before);
  });

  test("columns the stream does not declare are dropped, as the data collection rule drops them", async () => {
    await clientFor(logs).upload(DCR, STREAM, [{ TimeGenerated: T, Operation: "kept", Undeclared: "dropped" }]);
    expect(logs.store.rows(STREAM).at(-1)).toEqual({ TimeGenerated: T, Operation: "kept" });
  });

  test("a client that does not trust the emulator's CA fails on the certificate", async () => {
    const untrusting = new LogsIngestionClient(logs.url, localCredential);
    let failure: unknown;
    try {
      await untrusting.upload(DCR, STREAM, [{ a: 1 }]);
    } catch (e) {
      failure = e;
    }
    const cause = (failure as { errors: Array<{ cause: Error }> }).errors[0].cause;
    expect(cause.message).toMatch(/certificate/i);
  });
});
