// The emulated tenant's week landed as a local run lands it: every Audit.Exchange blob fetched from the Management
// Activity API emulator (Microsoft's cross-blob repeats included), transformed by the engine's own transform, and
// written as <dir>/adx/<database>/<table>.jsonl with an ingestion_ledger row per blob. Faster than a whole npm start,
// and the same rows: the investigation reads nothing else.
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { transformBlob } from "../../functions/src/transform/transform";
import { Tables } from "../../kql/tables";
import { startManagementApiEmulator, type EmailEventRow, type IncidentTruth } from "../../local/management-api/index";
import { FeedClient, json, TestClock } from "../emulator/feed-client";

export const DATABASE = "tenant0";

export interface EmulatedLake {
  dir: string;
  incident: IncidentTruth;
  emailEvents: EmailEventRow[];
  /** Rows written to microsoft_unified_access_mail (before dedup). */
  mailRows: number;
}

export async function landEmulatedWeek(dir: string, nowMs: number): Promise<EmulatedLake> {
  const clock = new TestClock(nowMs);
  const emu = await startManagementApiEmulator({ seed: 2, users: 25, tenants: 1, now: clock.now, initialSubscriptions: "enabled", requestBudgetPerMinute: 1_000_000 });
  try {
    const client = new FeedClient(emu);
    const db = join(dir, "adx", DATABASE);
    mkdirSync(db, { recursive: true });
    const mailFile = join(db, `${Tables.accessMail}.jsonl`);
    const ledgerFile = join(db, `${Tables.ledger}.jsonl`);
    const auditFile = join(db, `${Tables.unifiedAudit}.jsonl`);
    writeFileSync(auditFile, "");
    writeFileSync(mailFile, "");
    writeFileSync(ledgerFile, "");
    let mailRows = 0;
    // SharePoint too: the attacker's file download is part of the footprint
    for (const contentType of ["Audit.Exchange", "Audit.AzureActiveDirectory", "Audit.SharePoint"]) {
      for (const blob of await client.listWeek(contentType, nowMs)) {
        const r = await client.get(blob.contentUri);
        if (r.status !== 200) throw new Error(`GET ${blob.contentUri} answered ${r.status}`);
        const result = transformBlob(json<unknown[]>(r), { tenantId: client.tenant.tenantId, contentType, contentId: blob.contentId });
        if (result.mailAccessRows.length) appendFileSync(mailFile, result.mailAccessRows.map((row) => JSON.stringify(row)).join("\n") + "\n");
        mailRows += result.mailAccessRows.length;
        if (result.auditRows.length) appendFileSync(auditFile, result.auditRows.map((row) => JSON.stringify(row)).join("\n") + "\n");
        appendFileSync(ledgerFile, JSON.stringify({
          IngestedAt: new Date(nowMs).toISOString(), TenantId: client.tenant.tenantId, ContentType: contentType, ContentId: blob.contentId,
          ContentCreated: blob.contentCreated, ContentExpiration: blob.contentExpiration, Records: result.auditRows.length,
          AuditRows: result.auditRows.length, MailAccessRows: result.mailAccessRows.length, DuplicatesInBlob: 0, QuarantinedRecords: 0, Status: "ingested",
        }) + "\n");
      }
    }
    return { dir, incident: emu.truth.incident(client.tenant.tenantId), emailEvents: emu.truth.emailEvents(client.tenant.tenantId), mailRows };
  } finally {
    await emu.close();
  }
}

/** EmailEvents beside the other tables, as Defender XDR's export would put it in the tenant's database. */
export function addEmailEvents(lake: EmulatedLake): void {
  writeFileSync(join(lake.dir, "adx", DATABASE, "EmailEvents.jsonl"), lake.emailEvents.map((e) => JSON.stringify(e)).join("\n") + "\n");
}
