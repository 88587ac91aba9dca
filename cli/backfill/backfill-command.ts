// `backfill`: starts a back-fill job beyond the Management API's 7 days through the app's admin endpoint (only the
// app can get the client tenant's Graph token) and follows it to the end with a progress bar.
import { Command, Option } from "commander";
import type { BackfillJob } from "../../functions/src/backfill/backfill-job";
import { AdminClient } from "../app/admin-client";
import { resolveAppEndpoint, withAppOptions, type AppEndpointOptions } from "../app/app-endpoint";
import type { AzureAccess } from "../deploy/publish-command";
import { CliError } from "../output/cli-error";
import { commandAction, withDryRun, withJson, type CommonOptions, type ExitCodeSink } from "../output/command-action";
import { writeResult, type CommandIo } from "../output/command-io";
import { ExitCode } from "../output/exit-codes";
import { resolveTenant } from "../tenants/resolve-tenant";
import { checkInput, listOption, plannedQueries } from "./backfill-input";
import { followBackfill } from "./backfill-follow";

interface BackfillOptions extends CommonOptions, AppEndpointOptions {
  tenant: string;
  from: string;
  to?: string;
  operations?: string[];
  recordTypes?: string[];
  tenantRetentionDays?: number;
  wait: boolean;
  dryRun?: boolean;
  pollSeconds: number;
}

export function backfillCommand(io: CommandIo, sink: ExitCodeSink, access?: AzureAccess, env: Record<string, string | undefined> = process.env): Command {
  const command = new Command("backfill")
    .summary("land a tenant's audit log older than 7 days (Microsoft Graph audit log queries, run by the app)")
    .description(
      "Start a back-fill job in the Function App: the period is searched with Microsoft Graph's audit log query API, one query per day, " +
        "and every record lands in the same tables as the live feed (the _dedup views keep each once). Needs back-fill enabled for the " +
        "tenant and AuditLogsQuery.Read.All consented. Global cloud only (not GCC High / DoD).",
    )
    .requiredOption("--tenant <id|domain>", "the tenant to back-fill (its id, or its primary domain)")
    .requiredOption("--from <date>", "start of the period: 2026-09-01 (midnight UTC) or an ISO 8601 date-time")
    .option("--to <date>", "end of the period (exclusive; default now)")
    .option("--operations <names>", "only these operations, comma-separated (e.g. MailItemsAccessed,Send)", listOption)
    .option("--record-types <names>", "only these Graph record types, comma-separated (e.g. exchangeItem,exchangeItemAggregated)", listOption)
    .option("--tenant-retention-days <n>", "the tenant's audit retention, to back-fill more than 365 days (e.g. 3650 with 10-Year Audit Log Retention)", (v) => Number(v))
    .option("--no-wait", "start the job and return at once (follow it later with status)")
    .addOption(new Option("--poll-seconds <n>", "how often the job is read while following it").default(15).argParser((v) => Math.max(1, Number(v) || 15)));
  withAppOptions(command, access);
  withDryRun(command);
  withJson(command);
  return command.action(
    commandAction<BackfillOptions>(io, sink, async (o) => {
      const tenantId = /^[0-9a-f-]{36}$/i.test(o.tenant) ? o.tenant.toLowerCase() : (await resolveTenant(o.tenant, { caPem: access?.caPem })).tenantId;
      const input = checkInput(o, tenantId);
      const plan = plannedQueries(input);
      if (o.dryRun) {
        writeResult(io, o.json, { dryRun: true, request: input, plan }, `Would start a back-fill of tenant ${tenantId}: ${input.from} – ${input.to}, ${plan.intervals} Graph quer${plan.intervals === 1 ? "y" : "ies"} of ${plan.intervalHours} h` + (input.operations.length ? `, operations ${input.operations.join(", ")}` : "") + (input.recordTypes.length ? `, record types ${input.recordTypes.join(", ")}` : "") + ".");
        return;
      }
      const client = new AdminClient(await resolveAppEndpoint(o, env, access));
      const { job: started } = await client.startBackfill(input);
      if (!o.json) io.stderr(`back-fill ${started.id} queued: ${started.intervals.total} interval(s); the app's run-backfills timer works through them (queries take minutes to hours).\n`);
      if (!o.wait) {
        writeResult(io, o.json, { job: started }, `Back-fill ${started.id} started. Follow it with: m365-audit-lake status (or GET /api/operator/backfills/${started.id}).`);
        return;
      }
      const job = await followBackfill(started, { io, json: o.json, pollMs: o.pollSeconds * 1000, read: async () => (await client.backfill(started.id)).job });
      if (job.state === "failed") throw failedJob(job);
      writeResult(io, o.json, { job }, `Back-fill ${job.id} succeeded: ${job.intervals.done} interval(s), ${job.records.landed} records landed (${job.records.fetched} fetched).`);
    }),
  );
}

function failedJob(job: BackfillJob): CliError {
  return new CliError(
    job.errors[0]?.code ?? "BackfillFailed",
    `Back-fill ${job.id} failed: ${job.intervals.failed} of ${job.intervals.total} interval(s) failed, ${job.records.landed} records landed.`,
    job.errors.some((e) => e.interval === "job")
      ? "Fix what stopped the job (the first line below), then start it again."
      : "Start a back-fill again for the failed intervals below (their records are in ingestion_errors, Stage backfill).",
    ExitCode.Failed,
    job.errors.map((e) => `${e.interval} [${e.code}] ${e.message}`),
  );
}
