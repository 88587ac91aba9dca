// Records per workload × operation over the last day, read from the lake where people read (the audit table's _dedup
// view): "why is operation X missing?" is answered by the counts next to the ingestion figures.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadDedupViews, viewKey } from "../kql/dedup-views";
import { DedupViews, Tables } from "../kql/tables";
import { jsonLines } from "../investigation/sources/json-lines";
import { CliError } from "./output/cli-error";
import { ExitCode } from "./output/exit-codes";

export interface OperationCount {
  workload: string;
  operation: string;
  records: number;
}

export interface LakeActivity {
  where: string;
  since: string;
  operations: OperationCount[];
}

export interface ActivitySource {
  local?: string;
  cluster?: string;
  database?: string;
}

const DAY_MS = 24 * 3600_000;

/** The last day's counts, or null when no lake was named (status then says how to name one). */
export async function lakeActivity(src: ActivitySource, now = new Date()): Promise<LakeActivity | null> {
  const since = new Date(now.getTime() - DAY_MS);
  if (src.local && src.cluster) throw usage("--local", "give either --local <data dir> or --cluster with --database, not both.");
  if (src.local) return localActivity(resolve(src.local), src.database, since);
  if (src.cluster) return adxActivity(src.cluster, src.database, since);
  if (src.database) throw usage("--database", "--database goes with --cluster <url> or --local <data dir>.");
  return null;
}

function localActivity(dir: string, database: string | undefined, since: Date): LakeActivity {
  const adxDir = [join(dir, "cloud", "adx"), join(dir, "adx"), dir].find((d) => existsSync(d) && statSync(d).isDirectory() && databasesIn(d).length > 0);
  if (!adxDir) throw usage("--local", `${dir} holds no landed rows (no <database>/${Tables.unifiedAudit}.jsonl under it, its adx/ or its cloud/adx/): pass the data directory of a local run.`);
  const databases = databasesIn(adxDir);
  if (database !== undefined && !databases.includes(database)) throw usage("--database", `database ${database} is not in ${adxDir}; it holds: ${databases.join(", ")}.`);
  if (database === undefined && databases.length !== 1) throw usage("--database", `${adxDir} holds several databases (${databases.join(", ")}); name the tenant's with --database.`);
  const db = database ?? databases[0];
  const view = loadDedupViews().get(Tables.unifiedAudit)!;
  const seen = new Set<string>();
  const counts = new Map<string, OperationCount>();
  for (const row of jsonLines(join(adxDir, db, `${Tables.unifiedAudit}.jsonl`))) {
    if (!(Date.parse(String(row.CreationTime ?? "")) >= since.getTime())) continue;
    // what the view holds: one row per key
    const key = viewKey(view, row);
    if (seen.has(key)) continue;
    seen.add(key);
    const workload = String(row.Workload ?? "");
    const operation = String(row.Operation ?? "");
    const c = counts.get(`${workload}\u0000${operation}`) ?? { workload, operation, records: 0 };
    c.records++;
    counts.set(`${workload}\u0000${operation}`, c);
  }
  return { where: `local run ${dir}, database ${db}`, since: since.toISOString(), operations: ordered([...counts.values()]) };
}

async function adxActivity(cluster: string, database: string | undefined, since: Date): Promise<LakeActivity> {
  if (!/^https:\/\/[^/\s]+\/?$/.test(cluster)) throw usage("--cluster", `"${cluster}" is not a cluster URL; give https://<cluster>.<region>.kusto.windows.net.`);
  if (!database) throw usage("--database", "name the tenant's ADX database with --database.");
  // loaded only for ADX: the Kusto and identity SDKs cost seconds of start-up
  const { Client, ClientRequestProperties, KustoConnectionStringBuilder } = await import("azure-kusto-data");
  const { DefaultAzureCredential } = await import("@azure/identity");
  const client = new Client(KustoConnectionStringBuilder.withTokenCredential(cluster.replace(/\/$/, ""), new DefaultAzureCredential()));
  try {
    const props = new ClientRequestProperties();
    props.setParameter("since", since.toISOString());
    const text = `declare query_parameters(since:datetime);\n${DedupViews.unifiedAudit}\n| where CreationTime >= since\n| summarize Records = count() by Workload, Operation`;
    const response = await client.execute(database, text, props);
    const rows = response.primaryResults[0].toJSON<{ Workload: string; Operation: string; Records: number }>().data;
    return { where: `ADX ${cluster}, database ${database}`, since: since.toISOString(), operations: ordered(rows.map((r) => ({ workload: r.Workload, operation: r.Operation, records: Number(r.Records) }))) };
  } catch (e) {
    throw new CliError("AdxQueryFailed", `Reading record counts from ${cluster} (${database}) failed: ${(e as Error).message.split("\n")[0]}`, "Check --cluster and --database and that you (az login) have Viewer on the database.", ExitCode.Failed);
  } finally {
    client.close();
  }
}

function ordered(list: OperationCount[]): OperationCount[] {
  return list.sort((a, b) => a.workload.localeCompare(b.workload) || b.records - a.records || a.operation.localeCompare(b.operation));
}

function databasesIn(dir: string): string[] {
  return readdirSync(dir).filter((d) => existsSync(join(dir, d, `${Tables.unifiedAudit}.jsonl`))).sort();
}

function usage(flag: string, message: string): CliError {
  return new CliError("BadOption", `${flag}: ${message}`, `Fix ${flag} and run again; \`m365-audit-lake status --help\` lists the options.`, ExitCode.Usage);
}
