// Azure Data Explorer: the kql/ functions (MailAccessScope, MailAccessWithEmailEvents) run in the tenant's database,
// with the question passed as query parameters (never spliced into the text), as the responder's own identity
// (@azure/identity's DefaultAzureCredential: az login, managed identity, environment).
import { DefaultAzureCredential, type TokenCredential } from "@azure/identity";
import { Client, ClientRequestProperties, KustoConnectionStringBuilder } from "azure-kusto-data";
import { DedupViews } from "../../kql/tables";
import type { EmailMetadata, Freshness, Lake, QueryRecord, UserActivity } from "../lake";
import type { FootprintRow } from "../footprint";
import type { ScopeQuestion, ScopeRow } from "../scope";
import { questionParameters } from "./local-lake";

type Parameters = Record<string, { type: "string" | "datetime" | "dynamic"; value: string }>;

const SCOPE_PARAMETERS = "user:string, ips:dynamic, sessions:dynamic, start:datetime, end:datetime, clientInfoStrings:dynamic, aadSessions:dynamic, apps:dynamic";
const SCOPE_CALL = "MailAccessScope(user, ips, sessions, start, end, clientInfoStrings, aadSessions, apps)";

export interface AdxLakeOptions {
  cluster: string;
  database: string;
  credential?: TokenCredential;
}

export function openAdxLake(opts: AdxLakeOptions): Lake {
  const client = new Client(KustoConnectionStringBuilder.withTokenCredential(opts.cluster, opts.credential ?? new DefaultAzureCredential()));
  const queries: QueryRecord[] = [];

  const run = async (name: string, declare: string, body: string, params: Parameters): Promise<Record<string, unknown>[]> => {
    const text = declare ? `declare query_parameters(${declare});\n${body}` : body;
    queries.push({ name, text, parameters: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.value])) });
    const props = new ClientRequestProperties();
    for (const [k, v] of Object.entries(params)) props.setParameter(k, v.value);
    const response = await client.execute(opts.database, text, props);
    return response.primaryResults[0].toJSON<Record<string, unknown>>().data;
  };
  const scopeParams = (q: ScopeQuestion): Parameters => {
    const p = questionParameters(q);
    return Object.fromEntries(
      SCOPE_PARAMETERS.split(", ").map((d) => {
        const [name, type] = d.split(":") as [string, "string" | "datetime" | "dynamic"];
        return [name, { type, value: p[name] }];
      }),
    );
  };
  let lastQuestion: ScopeQuestion | null = null;

  return {
    where: `ADX ${opts.cluster}, database ${opts.database}`,
    queries,
    async scope(q) {
      lastQuestion = q;
      const rows = await run("MailAccessScope (kql/functions/mail-access-scope.kql)", SCOPE_PARAMETERS, SCOPE_CALL, scopeParams(q));
      return rows.map(scopeRow);
    },
    async footprint(q): Promise<FootprintRow[] | null> {
      const params = scopeParams(q);
      const declare = "user:string, ips:dynamic, sessions:dynamic, start:datetime, end:datetime, aadSessions:dynamic, apps:dynamic";
      const used = Object.fromEntries(declare.split(", ").map((d) => d.split(":")[0]).map((k) => [k, params[k]]));
      const rows = await run("AttackerFootprint (kql/functions/attacker-footprint.kql)", declare, "AttackerFootprint(user, ips, sessions, start, end, aadSessions, apps)", used);
      return rows.map(footprintRow);
    },
    async userActivity({ user, startMs, endMs }): Promise<UserActivity> {
      const [r] = await run(
        "user activity",
        "user:string, start:datetime, end:datetime",
        `${DedupViews.accessMail}\n| where UserId =~ user or MailboxOwnerUPN =~ user\n| summarize MailRows = count(), MailRowsInWindow = countif(CreationTime between (start .. end))\n` +
          `| extend AuditRows = toscalar(${DedupViews.unifiedAudit} | where UserId =~ user | take 1000 | count)`,
        { user: { type: "string", value: user }, start: { type: "datetime", value: new Date(startMs).toISOString() }, end: { type: "datetime", value: new Date(endMs).toISOString() } },
      );
      return { mailRows: Number(r?.MailRows ?? 0), mailRowsInWindow: Number(r?.MailRowsInWindow ?? 0), auditRows: Number(r?.AuditRows ?? 0) };
    },
    async emailMetadata(): Promise<EmailMetadata[] | null> {
      if (!lastQuestion) return [];
      try {
        const rows = await run("MailAccessWithEmailEvents (kql/functions/mail-access-with-email-events.kql)", SCOPE_PARAMETERS,
          SCOPE_CALL.replace("MailAccessScope", "MailAccessWithEmailEvents"), scopeParams(lastQuestion));
        return rows.filter((r) => r.InEmailEvents === true).map((r) => ({
          InternetMessageId: String(r.InternetMessageId), DeliveredAt: iso(r.DeliveredAt), SenderFromAddress: String(r.SenderFromAddress ?? ""),
          SenderDisplayName: String(r.SenderDisplayName ?? ""), Subject: String(r.Subject ?? ""), Recipients: (r.Recipients as string[]) ?? [],
        }));
      } catch (e) {
        // the function deploys without EmailEvents (skipvalidation) and names the missing table when called
        if (/EmailEvents/.test(String((e as Error).message))) return null;
        throw e;
      }
    },
    async freshness(): Promise<Freshness[]> {
      const rows = await run("data freshness", "", `${DedupViews.ledger}\n| where Status == "ingested"\n| summarize LastContentCreated = max(ContentCreated), LastIngestedAt = max(IngestedAt), Blobs = count() by ContentType\n| order by ContentType asc`, {});
      return rows.map((r) => ({ contentType: String(r.ContentType), lastContentCreated: iso(r.LastContentCreated), lastIngestedAt: iso(r.LastIngestedAt), blobs: Number(r.Blobs) }));
    },
    async close() {
      client.close();
    },
  };
}

const iso = (v: unknown) => (v == null || v === "" ? "" : new Date(v as string).toISOString());

/** A MailAccessScope result row as the TypeScript scope types it. */
export function scopeRow(r: Record<string, unknown>): ScopeRow {
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : typeof v === "string" && v.startsWith("[") ? (JSON.parse(v) as string[]) : []);
  return {
    Step: Number(r.Step) as ScopeRow["Step"],
    ExposureKind: String(r.ExposureKind) as ScopeRow["ExposureKind"],
    PresumedExposed: r.PresumedExposed === true,
    MailboxOwnerUPN: String(r.MailboxOwnerUPN ?? ""),
    FolderPath: String(r.FolderPath ?? ""),
    InternetMessageId: String(r.InternetMessageId ?? ""),
    ItemId: String(r.ItemId ?? ""),
    FirstAccess: iso(r.FirstAccess),
    LastAccess: iso(r.LastAccess),
    AccessCount: Number(r.AccessCount),
    SizeInBytes: r.SizeInBytes == null ? null : Number(r.SizeInBytes),
    ClientIPAddresses: list(r.ClientIPAddresses),
    SessionIds: list(r.SessionIds),
    AADSessionIds: list(r.AADSessionIds),
    AppIds: list(r.AppIds),
    ClientInfoStrings: list(r.ClientInfoStrings),
    UserIds: list(r.UserIds),
    RecordIds: list(r.RecordIds),
    Evidence: String(r.Evidence ?? ""),
  };
}

/** An AttackerFootprint result row as the TypeScript footprint types it. */
export function footprintRow(r: Record<string, unknown>): FootprintRow {
  const t = (v: unknown) => (v == null ? "" : String(v));
  return {
    Category: t(r.Category) as FootprintRow["Category"],
    Kind: t(r.Kind) as FootprintRow["Kind"],
    Time: iso(r.Time),
    UserId: t(r.UserId),
    Mailbox: t(r.Mailbox),
    Operation: t(r.Operation),
    Target: t(r.Target),
    Detail: t(r.Detail),
    ClientIP: t(r.ClientIP),
    SessionId: t(r.SessionId),
    AADSessionId: t(r.AADSessionId),
    RecordId: t(r.RecordId),
    StillActive: r.StillActive == null ? null : r.StillActive === true,
    Remediation: t(r.Remediation),
  };
}
