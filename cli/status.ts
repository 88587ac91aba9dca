// `m365-audit-lake status`: per tenant × content type lag, pending, failed and expiring blobs (the app's health), whether
// the app can read each tenant's feed and what fixes it if not, running back-fills, and the last day's records per
// workload × operation from the lake.
import { Command } from "commander";
import type { TenantAccess } from "../functions/src/admin/tenant-access";
import type { ContentTypeHealth } from "../functions/src/use-cases/health";
import { accessAdvice, type AccessFix } from "./app/access-advice";
import { AdminClient, type BackfillJobSummary } from "./app/admin-client";
import { resolveAppEndpoint, withAppOptions, type AppEndpointOptions } from "./app/app-endpoint";
import { asTenantFlagError, tenantIdOf } from "./app/tenant-option";
import type { AzureAccess } from "./deploy/publish-command";
import { commandAction, withJson, type CommonOptions, type ExitCodeSink } from "./output/command-action";
import { writeResult, type CommandIo } from "./output/command-io";
import { CliError } from "./output/cli-error";
import { ExitCode } from "./output/exit-codes";
import { lakeActivity, type LakeActivity } from "./status-activity";
import { checkProblems, DEFAULT_MAX_LAG_MINUTES, renderCheck } from "./status-check";
import { renderStatus } from "./status-text";

interface StatusOptions extends CommonOptions, AppEndpointOptions {
  tenant?: string;
  authorityHost?: string;
  local?: string;
  cluster?: string;
  database?: string;
  check?: boolean;
  maxLag?: string;
}

export interface TenantStatus {
  tenantId: string;
  ready: boolean;
  access: TenantAccess;
  fixes: AccessFix[];
  contentTypes: Array<Pick<ContentTypeHealth, "contentType" | "status" | "lagMinutes" | "landed" | "pending" | "failed" | "failedCodes" | "expiring" | "expired" | "problems" | "lastIngestedAt">>;
}

export interface StatusResult {
  app: string;
  checkedAt: string;
  health: "ok" | "degraded" | "unhealthy";
  tenants: TenantStatus[];
  /** null: the app has no back-fill route (shown as "none"). */
  backfills: BackfillJobSummary[] | null;
  /** null: no lake named (--local or --cluster/--database). */
  activity: LakeActivity | null;
}

export function statusCommand(io: CommandIo, sink: ExitCodeSink, access?: AzureAccess, env: Record<string, string | undefined> = process.env): Command {
  const command = new Command("status")
    .summary("lag, pending/failed/expiring blobs, tenant access with fixes, back-fills and the last day's records")
    .description(
      "Ask the Function App how each tenant is doing: per content type the listing lag and the pending, failed and expiring " +
        "blobs (GET /api/health); whether the app can read the tenant's audit feed — token, roles, subscriptions, last plan " +
        "error — and the fix when it cannot (the app answers this with its own identity: your machine cannot get a client " +
        "tenant's token); running back-fills; and, with --local or --cluster/--database, the records per workload and " +
        "operation that landed over the last day.",
    )
    .option("--tenant <id|domain>", "only this tenant (default: every tenant the app serves)")
    .option("--authority-host <url>", "login host for resolving a --tenant domain (default the public cloud's)")
    .option("--local <data dir>", "read record counts from a local run's landed rows")
    .option("--cluster <url>", "read record counts from this ADX cluster (with --database), as you (az login)")
    .option("--database <name>", "the tenant's ADX database (with --cluster, or --local when it holds several)")
    .option("--check", "print only the problems, one line each with its fix; exit 1 when there is one (for cron, a pipeline gate, a monitor)")
    .option("--max-lag <minutes>", `with --check: the listing lag that counts as a problem (default ${DEFAULT_MAX_LAG_MINUTES}, as the ingestion-lag alert)`);
  withAppOptions(command, access);
  withJson(command);
  command.addHelpText(
    "after",
    "\nExamples:\n  m365-audit-lake status --app-url https://func-audit-lake.azurewebsites.net --function-key <key>\n" +
      "  m365-audit-lake status --subscription <id> --resource-group rg-audit-lake --site func-audit-lake --tenant contoso.com --json\n" +
      "  m365-audit-lake status --app-url http://127.0.0.1:7071 --function-key <key> --local /tmp/m365-audit-lake-XXXX --database audit_1a2b3c4d\n" +
      "  m365-audit-lake status --check --app-url https://func-audit-lake.azurewebsites.net --function-key <key>\n" +
      "\nExit codes: 0 every tenant ready and healthy (--check: no problem), 1 a tenant not ready or unhealthy (the output says why; --check: at least one problem), 2 bad arguments\n" +
      "(an unknown --tenant included), 3 the function key or Azure credential was refused, 4 the app or site was not found.",
  );
  return command.action(
    commandAction<StatusOptions>(io, sink, async (o) => {
      const maxLagMinutes = o.maxLag === undefined ? DEFAULT_MAX_LAG_MINUTES : Number(o.maxLag);
      if (!Number.isInteger(maxLagMinutes) || maxLagMinutes < 1) throw new CliError("BadOption", `--max-lag: "${o.maxLag}" is not a whole number of minutes.`, "Give the lag in minutes, e.g. --max-lag 120.", ExitCode.Usage);
      const endpoint = await resolveAppEndpoint(o, env, access);
      const tenantId = o.tenant ? await tenantIdOf(o.tenant, { authorityHost: o.authorityHost, caPem: endpoint.caPem }) : undefined;
      const activityRead = lakeActivity({ local: o.local, cluster: o.cluster, database: o.database });
      const client = new AdminClient(endpoint);
      const [health, tenants, backfills, activity] = await Promise.all([
        client.health(),
        client.tenants(tenantId).catch((e) => Promise.reject(asTenantFlagError(e, o.tenant!))),
        client.backfills(tenantId),
        activityRead,
      ]);
      const result: StatusResult = {
        app: endpoint.url,
        checkedAt: tenants.checkedAt,
        health: health.status,
        tenants: tenants.tenants.map((access) => ({
          tenantId: access.tenantId,
          ready: access.ready,
          access,
          fixes: accessAdvice(access),
          contentTypes: health.tenants
            .filter((h) => h.tenantId.toLowerCase() === access.tenantId.toLowerCase())
            .map(({ contentType, status, lagMinutes, landed, pending, failed, failedCodes, expiring, expired, problems, lastIngestedAt }) => ({ contentType, status, lagMinutes, landed, pending, failed, failedCodes, expiring, expired, problems, lastIngestedAt })),
        })),
        backfills: backfills ? backfills.jobs.filter((j) => j.state === "queued" || j.state === "running") : null,
        activity,
      };
      if (o.check) {
        const problems = checkProblems(result, { maxLagMinutes });
        writeResult(io, o.json, { app: result.app, checkedAt: result.checkedAt, health: result.health, problems }, renderCheck(problems, result.app));
        return problems.length ? ExitCode.Failed : ExitCode.Success;
      }
      writeResult(io, o.json, result, renderStatus(result));
      const bad = result.tenants.some((t) => !t.ready || t.contentTypes.some((c) => c.status === "unhealthy"));
      return bad ? ExitCode.Failed : ExitCode.Success;
    }),
  );
}
