// `m365-audit-lake requeue`: have the app re-admit a tenant's failed (or soon-expiring) blobs that the Management API
// still serves, through its normal intake: each blob once, however often the command runs at the same time.
import { Command, Option } from "commander";
import { AdminClient } from "./app/admin-client";
import { resolveAppEndpoint, withAppOptions, type AppEndpointOptions } from "./app/app-endpoint";
import { asTenantFlagError, tenantIdOf } from "./app/tenant-option";
import type { AzureAccess } from "./deploy/publish-command";
import { CliError } from "./output/cli-error";
import { commandAction, withDryRun, withJson, type CommonOptions, type ExitCodeSink } from "./output/command-action";
import { writeResult, type CommandIo } from "./output/command-io";
import { ExitCode } from "./output/exit-codes";

interface RequeueOptions extends CommonOptions, AppEndpointOptions {
  tenant: string;
  failed?: boolean;
  expiring?: boolean;
  expiredSoon?: boolean;
  from?: string;
  to?: string;
  dryRun?: boolean;
  authorityHost?: string;
}

export function requeueCommand(io: CommandIo, sink: ExitCodeSink, access?: AzureAccess, env: Record<string, string | undefined> = process.env): Command {
  const command = new Command("requeue")
    .summary("re-admit a tenant's failed or soon-expiring blobs that are still within the API's 7-day reach")
    .description(
      "Ask the Function App to re-admit a tenant's blobs through its normal intake: --failed (default) those quarantined as " +
        "failed, after you fixed the cause; --expiring those still pending within a day of their contentExpiration. Only blobs " +
        "the Management Activity API still serves (contentExpiration ahead) are re-admitted; each at most once, whoever else " +
        "requeues at the same time. --from/--to bound the blobs' contentCreated (default: the last 7 days).",
    )
    .requiredOption("--tenant <id|domain>", "the tenant whose blobs to requeue")
    .addOption(new Option("--failed", "requeue blobs quarantined as failed (the default)").conflicts("expiring"))
    .addOption(new Option("--expiring", "requeue pending blobs close to their contentExpiration").conflicts("failed"))
    // the spelling of --expiring
    .addOption(new Option("--expired-soon").hideHelp().conflicts("failed"))
    .option("--from <time>", "only blobs created at or after this time, ISO 8601 UTC (e.g. 2026-11-28T00:00:00Z)")
    .option("--to <time>", "only blobs created before this time, ISO 8601 UTC")
    .option("--authority-host <url>", "login host for resolving a --tenant domain (default the public cloud's)");
  withAppOptions(command, access);
  withDryRun(command);
  withJson(command);
  command.addHelpText(
    "after",
    "\nExamples:\n  m365-audit-lake requeue --tenant contoso.onmicrosoft.com --failed --dry-run --app-url https://func-audit-lake.azurewebsites.net --function-key <key>\n" +
      "  m365-audit-lake requeue --tenant <id> --expiring --subscription <id> --resource-group rg-audit-lake --site func-audit-lake --json\n" +
      "\nExit codes: 0 requeued (or nothing to requeue), 2 bad arguments (an unknown --tenant, a bad --from/--to), 3 the function key\n" +
      "or Azure credential was refused, 4 the app or site was not found.",
  );
  return command.action(
    commandAction<RequeueOptions>(io, sink, async (o) => {
      const select = o.expiring || o.expiredSoon ? "expiring" : "failed";
      const from = o.from === undefined ? undefined : isoTime("--from", o.from);
      const to = o.to === undefined ? undefined : isoTime("--to", o.to);
      if (from && to && Date.parse(to) <= Date.parse(from)) throw usage("--to", `${o.to} is not after --from ${o.from}; swap them or fix the date.`);
      const endpoint = await resolveAppEndpoint(o, env, access);
      const tenantId = await tenantIdOf(o.tenant, { authorityHost: o.authorityHost, caPem: endpoint.caPem });
      const result = await new AdminClient(endpoint)
        .requeue({ tenantId, select, from, to, dryRun: Boolean(o.dryRun) })
        .catch((e) => Promise.reject(asTenantFlagError(e, o.tenant)));
      const skipped = result.skipped.map((s) => `  skipped ${s.count}: ${s.reason}`);
      const verb = result.dryRun ? "would requeue" : "requeued";
      writeResult(io, o.json, { tenantId, select, from: from ?? null, to: to ?? null, ...result }, [`${tenantId}: ${verb} ${result.requeued} ${select} blob(s)${result.dryRun ? " (dry run: nothing changed)" : ""}.`, ...skipped].join("\n"));
    }),
  );
}

function isoTime(flag: string, text: string): string {
  const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(text.trim()) && !Number.isNaN(Date.parse(text));
  if (!ok) throw usage(flag, `"${text}" is not a time; give ISO 8601 with a zone, e.g. ${flag} 2026-11-28T00:00:00Z.`);
  return new Date(text).toISOString();
}

function usage(flag: string, message: string): CliError {
  return new CliError("BadOption", `${flag}: ${message}`, `Fix ${flag} and run again; \`m365-audit-lake requeue --help\` lists the options.`, ExitCode.Usage);
}
