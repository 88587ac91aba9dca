// Figures for back-fill through the Graph audit log query API against the emulator: how fast the emulated history is
// generated, and how many records per second the client pages out of a succeeded query (HTTPS, JSON, unwrap).
// Run: npx tsx test/graph-audit/bench.ts [--days 90] [--users 50]
import { GraphAuditLogClient, unwrapAuditLogRecord } from "../../functions/src/graph-audit/index";
import { startGraphAuditEmulator } from "../../local/graph-audit/index";
import { CHUNK_MS, OlderHistory } from "../../local/management-api/scenario/older-history";
import { EmulatedGraphCredential } from "./graph-credential";
import { FastClock } from "./graph-http";

const DAY = 86_400_000;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const days = arg("days", 90);
  const users = arg("users", 50);
  const anchorMs = Math.floor(Date.now() / 60_000) * 60_000;

  const history = new OlderHistory({ seed: 1, index: 0, users, anchorMs, multiTenantApp: false });
  let t = performance.now();
  let generated = 0;
  for (let c = OlderHistory.chunkStart(anchorMs - days * DAY); c < history.weekStartMs; c += CHUNK_MS) generated += history.chunk(c).length;
  const genMs = performance.now() - t;
  console.log(`history generation   ${generated.toLocaleString()} records (${days - 7} days, ${users} users) in ${(genMs / 1000).toFixed(1)} s = ${Math.round(generated / (genMs / 1000)).toLocaleString()} records/s`);

  // 20,000× real time: the query's emulated minutes pass in milliseconds; only paging is measured
  const emu = await startGraphAuditEmulator({ users, anchor: new Date(anchorMs), now: new FastClock(anchorMs, 20_000).now, failedShare: 0, requestsPerWindow: 1_000_000 });
  try {
    const client = new GraphAuditLogClient(new EmulatedGraphCredential(emu), { baseUrl: `${emu.url}/beta`, tls: { ca: emu.caPem }, pollIntervalMs: 20 });
    const q = await client.createQuery({ from: new Date(anchorMs - days * DAY), to: new Date(anchorMs - 2 * DAY) });
    t = performance.now();
    await client.waitForQuery(q.id);
    // the first records page makes the emulator run the search: timed apart from paging
    const pages = client.recordPages(q.id);
    const first = await pages.next();
    const searchMs = performance.now() - t;
    let records = first.done ? 0 : first.value.length;
    let bytes = first.done ? 0 : JSON.stringify(first.value).length;
    let n = 1;
    t = performance.now();
    for await (const page of pages) {
      for (const r of page) unwrapAuditLogRecord(r);
      records += page.length;
      bytes += JSON.stringify(page).length;
      n++;
    }
    const pageMs = performance.now() - t;
    console.log(`emulator search      ${(searchMs / 1000).toFixed(1)} s until the first page (${days - 2} days searched)`);
    console.log(`client paging        ${records.toLocaleString()} records in ${n} pages in ${(pageMs / 1000).toFixed(1)} s = ${Math.round(records / (pageMs / 1000)).toLocaleString()} records/s, ${(bytes / 1e6 / (pageMs / 1000)).toFixed(1)} MB/s (unwrap included)`);
    console.log(`requests             ${JSON.stringify(emu.truth.requests(emu.tenants[0].tenantId))}`);
  } finally {
    await emu.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
