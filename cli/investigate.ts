// `investigate`: which emails did the attacker read? Runs Microsoft's four MailItemsAccessed steps (corrected) against
// ADX (the kql/ functions) or a local run's rows (the same logic in TypeScript) and writes the breach-scope report.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Command, Option } from "commander";
import { breachScope } from "../investigation/breach-scope";
import { InvestigationInputError } from "../investigation/input-error";
import { isIpAddressText } from "../investigation/ip-key";
import type { Lake } from "../investigation/lake";
import { renderCsv } from "../investigation/report-csv";
import { renderHtml } from "../investigation/report-html";
import type { ScopeQuestion } from "../investigation/scope";
import { openLocalLake } from "../investigation/sources/local-lake";

export interface InvestigateOptions {
  user?: string;
  ip: string[];
  session: string[];
  aadSession: string[];
  app: string[];
  clientInfo: string[];
  from: string;
  to: string;
  cluster?: string;
  database?: string;
  local?: string;
  format: "html" | "csv" | "json";
  out?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function investigateCommand(): Command {
  return new Command("investigate")
    .description("Which emails did the attacker read? The breach-scope report for an account, the attacker's identifiers and a time window.")
    .option("--user <upn>", "the compromised account (UPN); omit to search every account for the identifiers")
    .option("--ip <address>", "an attacker IP address, in any form (port, brackets, IPv6 spelling); repeatable", collect, [])
    .option("--session <id>", "an attacker Exchange SessionId; repeatable", collect, [])
    .option("--aad-session <id>", "an attacker Entra sign-in session (AADSessionId); repeatable", collect, [])
    .option("--app <id>", "an app id used by the attacker (AppId or ClientAppId, e.g. app-only access); repeatable", collect, [])
    .option("--client-info <text>", "narrow to this exact ClientInfoString; repeatable", collect, [])
    .requiredOption("--from <time>", "start of the window, ISO 8601 UTC (e.g. 2026-11-20T08:00:00Z)")
    .requiredOption("--to <time>", "end of the window, ISO 8601 UTC")
    .option("--cluster <url>", "ADX cluster URL (https://<cluster>.<region>.kusto.windows.net); with --database")
    .option("--database <name>", "the tenant's ADX database (with --local: which local database, when several)")
    .option("--local <data dir>", "the data directory a local run (npm start) left")
    .addOption(new Option("--format <format>", "report format").choices(["html", "csv", "json"]).default("html"))
    .option("--out <path>", "file to write (html, json); directory for csv (one file per section); default: stdout for html/json")
    .option("--json", "the same as --format json (the CLI's common flag)")
    .action(async (o: InvestigateOptions & { json?: boolean }) => {
      if (o.json) o.format = "json";
      process.exitCode = await investigate(o, (s) => process.stdout.write(s), (s) => process.stderr.write(s));
    });
}

/** Runs one investigation; returns the exit code (0 done, 2 bad input, 1 failure). */
export async function investigate(o: InvestigateOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  let lake: Lake | null = null;
  try {
    const question = questionFrom(o);
    lake = await lakeFrom(o);
    const report = await breachScope(lake, question);
    if (o.format === "csv") {
      if (!o.out) throw new InvestigationInputError("--out", "CSV is one file per section: name a directory with --out.");
      const dir = resolve(o.out);
      mkdirSync(dir, { recursive: true });
      for (const [section, text] of Object.entries(renderCsv(report))) writeFileSync(join(dir, `${section}.csv`), text);
      err(`breach-scope CSV written to ${dir}\n`);
    } else {
      const text = o.format === "json" ? JSON.stringify(report, null, 2) + "\n" : renderHtml(report);
      if (o.out) {
        writeFileSync(resolve(o.out), text);
        err(`breach-scope report (${o.format}) written to ${resolve(o.out)}\n`);
      } else out(text);
    }
    err(`${report.answer.summary}\n`);
    return 0;
  } catch (e) {
    if (e instanceof InvestigationInputError) {
      err(`investigate: ${e.message}\n`);
      return 2;
    }
    err(`investigate: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await lake?.close();
  }
}

/** The validated question; every problem names its flag and the fix. */
export function questionFrom(o: InvestigateOptions): ScopeQuestion {
  const startMs = timeFlag("--from", o.from);
  const endMs = timeFlag("--to", o.to);
  if (endMs < startMs) throw new InvestigationInputError("--to", `${o.to} is before --from ${o.from}; swap them or fix the date.`);
  for (const ip of o.ip) if (!isIpAddressText(ip)) throw new InvestigationInputError("--ip", `"${ip}" is not an IP address; give an IPv4 or IPv6 address (a port or [brackets] are fine), e.g. --ip 203.0.113.45.`);
  const user = (o.user ?? "").trim();
  if (user !== "" && !/^[^@\s]+@[^@\s]+$/.test(user)) throw new InvestigationInputError("--user", `"${o.user}" is not a UPN; give the account as user@domain, e.g. --user alice@contoso.onmicrosoft.com.`);
  if (o.ip.length + o.session.length + o.aadSession.length + o.app.length === 0)
    throw new InvestigationInputError("--ip", "no attacker identifier given: pass at least one --ip, --session, --aad-session or --app (from the sign-in logs or the alert).");
  return { user, ips: o.ip, sessions: o.session, aadSessions: o.aadSession, apps: o.app, clientInfoStrings: o.clientInfo, startMs, endMs };
}

function timeFlag(flag: string, text: string): number {
  // a date and a time; no zone means UTC, as in the audit records
  const m = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(text.trim());
  const ms = m ? Date.parse(m[4] ? text.trim() : `${text.trim().replace(" ", "T")}${m[1] ? "" : "T00:00:00"}Z`) : NaN;
  if (Number.isNaN(ms)) throw new InvestigationInputError(flag, `"${text}" is not a time; give ISO 8601 UTC, e.g. ${flag} 2026-11-20T08:00:00Z.`);
  return ms;
}

async function lakeFrom(o: InvestigateOptions): Promise<Lake> {
  if (o.local && o.cluster) throw new InvestigationInputError("--local", "give either --local <data dir> or --cluster with --database, not both.");
  if (o.local) return openLocalLake(resolve(o.local), o.database);
  if (!o.cluster) throw new InvestigationInputError("--cluster", "say where the logs are: --cluster https://<cluster>.<region>.kusto.windows.net --database <tenant database>, or --local <data dir> of a local run.");
  if (!/^https:\/\/[^/\s]+\/?$/.test(o.cluster)) throw new InvestigationInputError("--cluster", `"${o.cluster}" is not a cluster URL; give https://<cluster>.<region>.kusto.windows.net.`);
  if (!o.database) throw new InvestigationInputError("--database", "name the tenant's ADX database with --database.");
  // loaded only for ADX: the Kusto and identity SDKs cost a local investigation seconds of start-up
  const { openAdxLake } = await import("../investigation/sources/adx-lake");
  return openAdxLake({ cluster: o.cluster.replace(/\/$/, ""), database: o.database });
}

// `npm run investigate -- …` runs this file on its own; the CLI root mounts investigateCommand() as a subcommand.
if (require.main === module) {
  investigateCommand()
    .name("investigate")
    .parseAsync(process.argv)
    .then(() => setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref());
}
