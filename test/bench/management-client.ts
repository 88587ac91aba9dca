// tsx test/bench/management-client.ts [-- --blobs 2000 --records 200 --concurrency 8 --json]
// The Management API client's own cost per content blob: a local server answers every GET with the same blob, and the
// client fetches it through its whole HTTP pipeline (origin pinning, PublisherIdentifier, token, retry, body cap,
// JSON parse). Prints blobs/s, MB/s and client CPU per blob (CPU is the steadier figure on a shared machine).
// --module points at another client.ts to compare implementations on the same machine.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { Command } from "commander";
import type { TokenCredential } from "@azure/core-auth";

const program = new Command()
  .option("--blobs <n>", "content blobs fetched", (v) => Number(v), 2000)
  .option("--records <n>", "audit records per blob", (v) => Number(v), 200)
  .option("--concurrency <n>", "parallel fetches through one shared client", (v) => Number(v), 8)
  .option("--module <path>", "the client module to measure", "functions/src/management-api/client.ts")
  .option("--json", "print one JSON line instead of prose")
  .parse();
const o = program.opts<{ blobs: number; records: number; concurrency: number; module: string; json?: boolean }>();

const tenantId = "11111111-2222-3333-4444-555555555555";
// A fixed token: the token's cost is one cached lookup per call, and what is measured here is the HTTP path.
const credential: TokenCredential = { getToken: async () => ({ token: "bench", expiresOnTimestamp: Date.now() + 3600_000 }) };

async function main(): Promise<void> {
  const records = Array.from({ length: o.records }, (_, i) => ({
    Id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    Operation: "MailItemsAccessed",
    Workload: "Exchange",
    ClientIPAddress: "203.0.113.7",
    Folders: [{ Path: "\\Inbox", FolderItems: [{ InternetMessageId: `<m${i}@contoso.com>`, SizeInBytes: 12345 }] }],
  }));
  const body = Buffer.from(JSON.stringify(records));
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { ManagementActivityClient } = (await import(resolve(o.module))) as typeof import("../../functions/src/management-api/client");
  const client = new ManagementActivityClient({ tenantId, credential, baseUrl: base, publisherId: tenantId });
  const uri = (n: number) => `${base}/api/v1.0/${tenantId}/activity/feed/audit/blob-${n}`;

  await client.fetchContent(uri(0)); // warm-up: connection, token, JIT
  let next = 0;
  let bytes = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      while (next < o.blobs) {
        const n = next++;
        const blob = await client.fetchContent(uri(n));
        bytes += blob.bytes;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  server.close();
  server.closeAllConnections();
  const figures = {
    module: o.module,
    blobs: o.blobs,
    blobBytes: body.length,
    concurrency: o.concurrency,
    blobsPerSecond: Math.round(o.blobs / seconds),
    megabytesPerSecond: Number((bytes / seconds / 1e6).toFixed(1)),
    // the process's CPU, server included (same server for every module): differences are the client's
    cpuMsPerBlob: Number(((cpu.user + cpu.system) / 1000 / o.blobs).toFixed(3)),
  };
  if (o.json) console.log(JSON.stringify(figures));
  else console.log(`${figures.module}: ${figures.blobsPerSecond} blobs/s, ${figures.megabytesPerSecond} MB/s, ${figures.cpuMsPerBlob} ms CPU per blob (${figures.blobBytes}-byte blobs, ${o.concurrency} at a time)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
