// npm run bench:emulator [-- --records 1000000 --concurrency 4 --json]
// Starts the Management API emulator with a large lazy tenant, lists every content type over the last 7 days
// (following NextPageUri), fetches every blob over HTTP, and reports the serve rate and peak memory.
import { Agent, request } from "node:http";
import { ClientSecretCredential } from "@azure/identity";
import { Command } from "commander";
import { startManagementApiEmulator, CONTENT_TYPES } from "../../local/management-api/index";

const program = new Command()
  .option("--records <n>", "records in the large tenant", (v) => Number(v), 1_000_000)
  .option("--concurrency <n>", "parallel blob downloads", (v) => Number(v), 4)
  .option("--json", "print one JSON line instead of prose")
  .parse();
const opts = program.opts<{ records: number; concurrency: number; json?: boolean }>();

/** Downloads a URL and returns its size in bytes, without keeping the body. */
function download(url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Authorization: `Bearer ${token}` }, agent }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`GET ${url} answered ${res.statusCode}`));
      let bytes = 0;
      res.on("data", (c: Buffer) => (bytes += c.length));
      res.on("end", () => resolve(bytes));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

async function main() {
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const startedAt = performance.now();
  const emu = await startManagementApiEmulator({
    largeTenantRecords: opts.records,
    requestBudgetPerMinute: 10_000_000,
    initialSubscriptions: "enabled",
    pageSize: 1000,
  });
  try {
    const t = emu.tenants[0];
    // The login endpoint is HTTPS with the emulator's own CA, as @azure/identity reaches it.
    const credential = new ClientSecretCredential(t.tenantId, t.clientId, t.clientSecret, {
      authorityHost: emu.login,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: emu.loginCaPem },
    });
    const token = (await credential.getToken("https://manage.office.com/.default")).token;

    // list: 7 windows of 24 h per content type, ending now
    const uris: string[] = [];
    const end = Date.now();
    for (const contentType of CONTENT_TYPES) {
      for (let w = 7; w >= 1; w--) {
        const start = new Date(end - w * 86_400_000 + (w === 7 ? 60_000 : 0)).toISOString();
        const stop = new Date(end - (w - 1) * 86_400_000).toISOString();
        let url: string | null =
          `${emu.managementApi}/api/v1.0/${t.tenantId}/activity/feed/subscriptions/content?contentType=${contentType}&startTime=${start}&endTime=${stop}&PublisherIdentifier=${t.publisherId}`;
        while (url) {
          const r: Response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
          if (r.status !== 200) throw new Error(`listing answered ${r.status}: ${await r.text()}`);
          for (const item of (await r.json()) as Array<{ contentUri: string }>) uris.push(item.contentUri);
          url = r.headers.get("NextPageUri");
        }
      }
    }
    const unique = [...new Set(uris)];
    const setupSeconds = (performance.now() - startedAt) / 1000;

    const fetchStart = performance.now();
    const cpuStart = process.cpuUsage();
    let bytes = 0;
    let next = 0;
    await Promise.all(
      Array.from({ length: opts.concurrency }, async () => {
        while (next < unique.length) {
          const size = await download(unique[next++], token);
          bytes += size; // not `bytes += await ...`: that reads `bytes` before the await and loses updates
        }
      }),
    );
    const seconds = (performance.now() - fetchStart) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    // on a shared machine wall time depends on the neighbours; CPU time says what serving itself costs
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    clearInterval(sampler);

    let records = 0;
    for (const contentType of CONTENT_TYPES) for (const b of emu.truth.availableBlobs(t.tenantId, contentType)) records += b.recordIds.length;
    const result = {
      records,
      blobs: unique.length,
      megabytes: Number((bytes / 1e6).toFixed(1)),
      seconds: Number(seconds.toFixed(2)),
      mbPerSecond: Number((bytes / 1e6 / seconds).toFixed(1)),
      recordsPerSecond: Math.round(records / seconds),
      cpuSeconds: Number(cpuSeconds.toFixed(2)),
      mbPerCpuSecond: Number((bytes / 1e6 / cpuSeconds).toFixed(1)),
      peakRssMb: Math.round(peakRss / 1e6),
      setupSeconds: Number(setupSeconds.toFixed(2)),
      concurrency: opts.concurrency,
    };
    if (opts.json) console.log(JSON.stringify(result));
    else {
      console.log(`Fetched ${result.blobs} blobs, ${result.records.toLocaleString("en-US")} records, ${result.megabytes} MB in ${result.seconds} s`);
      console.log(`Serve rate: ${result.mbPerSecond} MB/s, ${result.recordsPerSecond.toLocaleString("en-US")} records/s (concurrency ${result.concurrency})`);
      console.log(`CPU: ${result.cpuSeconds} s for serving and fetching (${result.mbPerCpuSecond} MB per CPU second; the machine is shared)`);
      console.log(`Peak RSS: ${result.peakRssMb} MB (emulator and client in one process); setup ${result.setupSeconds} s`);
    }
  } finally {
    clearInterval(sampler);
    agent.destroy();
    await emu.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
