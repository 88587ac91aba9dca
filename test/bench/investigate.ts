// npm run bench:investigate -- [--records N] [--lake <dir>]: how fast `investigate --local` answers over the landed rows
// of a large tenant (default the 1,000,000-record tenant). Lands the tenant's week first (Exchange, Entra, SharePoint: emulator → the
// engine's transform → JSON lines, as a local run leaves them) unless --lake names a directory landed before, then
// runs the CLI in its own process under /usr/bin/time and prints wall time and peak RSS. Targets: < 10 s, < 500 MB.
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { transformBlob } from "../../functions/src/transform/transform";
import { Tables } from "../../kql/tables";
import { startManagementApiEmulator } from "../../local/management-api/index";
import { FeedClient, json, TestClock } from "../emulator/feed-client";

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};

interface Question {
  user: string;
  ip: string;
  from: string;
  to: string;
}

async function land(dir: string, records: number): Promise<{ question: Question; rows: number; seconds: number }> {
  const t0 = Date.now();
  const nowMs = Date.UTC(2024, 2, 14, 9, 30, 0);
  const emu = await startManagementApiEmulator({ seed: 7, users: 50, tenants: 1, now: new TestClock(nowMs).now, largeTenantRecords: records, initialSubscriptions: "enabled", requestBudgetPerMinute: 10_000_000 });
  try {
    const client = new FeedClient(emu);
    const db = join(dir, "adx", "tenant0");
    mkdirSync(db, { recursive: true });
    const mailFile = join(db, `${Tables.accessMail}.jsonl`);
    const ledgerFile = join(db, `${Tables.ledger}.jsonl`);
    const auditFile = join(db, `${Tables.unifiedAudit}.jsonl`);
    writeFileSync(mailFile, "");
    writeFileSync(ledgerFile, "");
    writeFileSync(auditFile, "");
    let rows = 0;
    // every content type the footprint reads (sign-ins, files), not only the mail
    for (const contentType of ["Audit.Exchange", "Audit.AzureActiveDirectory", "Audit.SharePoint"]) {
      const blobs = await client.listWeek(contentType, nowMs);
      for (const [i, blob] of blobs.entries()) {
        const r = await client.get(blob.contentUri);
        const result = transformBlob(json<unknown[]>(r), { tenantId: client.tenant.tenantId, contentType, contentId: blob.contentId });
        if (result.mailAccessRows.length) appendFileSync(mailFile, result.mailAccessRows.map((row) => JSON.stringify(row)).join("\n") + "\n");
        if (result.auditRows.length) appendFileSync(auditFile, result.auditRows.map((row) => JSON.stringify(row)).join("\n") + "\n");
        rows += result.mailAccessRows.length;
        appendFileSync(ledgerFile, JSON.stringify({ ContentType: contentType, ContentId: blob.contentId, ContentCreated: blob.contentCreated, IngestedAt: new Date().toISOString(), Status: "ingested" }) + "\n");
        if (i % 200 === 0) process.stderr.write(`  landing ${contentType}: ${i}/${blobs.length} blobs, ${rows.toLocaleString("en-US")} mail rows\n`);
      }
    }
    const incident = emu.truth.incident(client.tenant.tenantId);
    const question = { user: incident.victimUpn, ip: incident.attackerIp, from: incident.windowStart, to: incident.windowEnd };
    writeFileSync(join(dir, "question.json"), JSON.stringify(question));
    return { question, rows, seconds: (Date.now() - t0) / 1000 };
  } finally {
    await emu.close();
  }
}

async function main(): Promise<void> {
  const records = Number(arg("--records") ?? 1_000_000);
  let dir = arg("--lake");
  let question: Question;
  if (dir && existsSync(join(dir, "question.json"))) {
    question = JSON.parse(readFileSync(join(dir, "question.json"), "utf8")) as Question;
  } else {
    dir = dir ?? mkdtempSync(join(tmpdir(), "bench-investigate-"));
    const landed = await land(dir, records);
    question = landed.question;
    process.stdout.write(`landed ${landed.rows.toLocaleString("en-US")} mail-access rows of a ${records.toLocaleString("en-US")}-record tenant in ${landed.seconds.toFixed(1)} s → ${dir}\n`);
  }
  const tsx = join(__dirname, "..", "..", "node_modules", "tsx", "dist", "cli.mjs");
  const cli = join(__dirname, "..", "..", "cli", "investigate.ts");
  // the CLI in its own process, as a responder runs it: wall time and peak RSS from /usr/bin/time
  const run = spawnSync("/usr/bin/time", ["-f", "BENCH %e %M", process.execPath, tsx, cli, "--local", dir, "--user", question.user, "--ip", question.ip, "--from", question.from, "--to", question.to, "--format", "json", "--out", join(dir, "report.json")], { encoding: "utf8" });
  const m = /BENCH ([\d.]+) (\d+)/.exec(run.stderr);
  if (run.status !== 0 || !m) throw new Error(`investigate failed (exit ${run.status}):\n${run.stderr}`);
  const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as { answer: { messagesRead: number }; stillIn: { persistence: unknown[] }; reached: { data: unknown[]; signIns: unknown[] } };
  const mailBytes = statSync(join(dir, "adx", "tenant0", `${Tables.accessMail}.jsonl`)).size;
  const auditFile = join(dir, "adx", "tenant0", `${Tables.unifiedAudit}.jsonl`);
  const auditBytes = existsSync(auditFile) ? statSync(auditFile).size : 0;
  const footprint = report.stillIn.persistence.length + report.reached.data.length + report.reached.signIns.length;
  process.stdout.write(
    `investigate --local over ${(mailBytes / 1e6).toFixed(0)} MB of mail-access rows and ${(auditBytes / 1e6).toFixed(0)} MB of audit rows: ${Number(m[1]).toFixed(1)} s wall, ${(Number(m[2]) / 1024).toFixed(0)} MB peak RSS ` +
      `(targets < 10 s, < 500 MB); ${report.answer.messagesRead} messages read in scope, ${footprint} footprint rows\n`,
  );
}

main().catch((e: Error & { stderr?: string }) => {
  process.stderr.write(`bench:investigate: ${e.message}\n${e.stderr ?? ""}`);
  process.exit(1);
});
