// `npm start`: the main job, locally. Starts the emulated cloud (or uses a --source endpoint), runs the real function
// handlers through the local host until every blob landed, and prints what landed against the ground truth.
import { Command, InvalidArgumentError, Option } from "commander";
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { runLocally, type LocalRunDescription, type SourceEndpoint } from "../local/runner/local-run";
import { progressDisplay } from "../local/runner/progress-display";
import { summaryReport } from "./summary-report";

interface StartOptions {
  seed: number;
  users?: number;
  tenants?: number;
  faults: string;
  summary?: string;
  timeout: number;
  sentinel: boolean;
  keepData: boolean;
  verbose: boolean;
  source?: string;
  login?: string;
  tenant?: string;
  clientId?: string;
  clientSecret?: string;
  publisherId?: string;
}

function integer(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number >= ${min}.`);
    return n;
  };
}

function url(name: string) {
  return (value: string): string => {
    try {
      const u = new URL(value);
      if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error();
      return value;
    } catch {
      throw new InvalidArgumentError(`${name} must be an http(s) URL such as https://manage.office.com.`);
    }
  };
}

const program = new Command()
  .name("npm start --")
  .description(
    "Run the ingestion job locally: the real function handlers against the emulated cloud (Management Activity API, " +
      "Azure Data Explorer, Logs Ingestion, Azurite), then a summary of what landed against the emulator's ground truth.",
  )
  .option("--seed <n>", "scenario seed", integer("--seed", 0), 1)
  .option("--users <n>", "users per emulated tenant (emulator default: 50)", integer("--users", 3))
  .option("--tenants <k>", "number of emulated tenants (default 1)", integer("--tenants", 1))
  .option("--faults <spec>", 'Management API faults: "none", "standard" or e.g. "server-error=0.03,throttle=0.02"', "none")
  .option("--summary <file>", "also write the summary as JSON to this file")
  .option("--timeout <seconds>", "give up after this long", integer("--timeout", 10), 300)
  .option("--no-sentinel", "do not forward mail-access rows to the emulated Sentinel (Logs Ingestion API)")
  .option("--no-keep-data", "delete the rows and the function log when done")
  .option("--verbose", "print the function log's errors as they happen (they always go to the log file)", false)
  .addOption(new Option("--source <api url>", "read from this Management Activity API instead of the emulator").argParser(url("--source")))
  .addOption(new Option("--login <authority url>", "token authority for --source (Entra ID style)").argParser(url("--login")))
  .option("--tenant <id>", "tenant id for --source")
  .option("--client-id <id>", "app (client) id for --source")
  .option("--client-secret <secret>", "client secret for --source")
  .option("--publisher-id <guid>", "PublisherIdentifier for --source (default: the tenant id)")
  .addHelpText(
    "after",
    "\nExamples:\n  npm start\n  npm start -- --faults standard --summary summary.json\n  npm start -- --tenants 3 --users 20\n" +
      "  npm start -- --source https://api.example --login https://login.example --tenant <guid> --client-id <id> --client-secret <secret>\n" +
      "\nExits 1 when completeness is below 100% or a record would appear twice in the _dedup views (emulator runs), or the job did not finish.",
  );

function sourceEndpoint(o: StartOptions): SourceEndpoint | undefined {
  const given = { "--source": o.source, "--login": o.login, "--tenant": o.tenant, "--client-id": o.clientId, "--client-secret": o.clientSecret };
  const present = Object.entries(given).filter(([, v]) => v !== undefined);
  if (present.length === 0) return undefined;
  const missing = Object.entries(given).filter(([, v]) => v === undefined).map(([k]) => k);
  if (missing.length > 0)
    program.error(`--source needs all of --source, --login, --tenant, --client-id and --client-secret; missing: ${missing.join(", ")}.`);
  const emulatorOnly = (["users", "tenants"] as const).filter((k) => o[k] !== undefined).map((k) => `--${k}`);
  if (o.faults !== "none") emulatorOnly.push("--faults");
  if (emulatorOnly.length > 0) program.error(`${emulatorOnly.join(", ")} configure the emulator and cannot be used with --source.`);
  return {
    managementApiUrl: o.source!,
    loginUrl: o.login!,
    tenantId: o.tenant!,
    clientId: o.clientId!,
    clientSecret: o.clientSecret!,
    publisherId: o.publisherId ?? o.tenant,
  };
}

function header(d: LocalRunDescription, o: StartOptions): string {
  const scenario =
    d.mode === "emulator"
      ? `emulated cloud · seed ${o.seed} · ${d.tenants.length} tenant${d.tenants.length > 1 ? "s" : ""}` +
        ` · ${o.users ?? 50} users each · faults ${o.faults}`
      : `source ${d.managementApi} (tenant ${d.tenants[0].tenantId})`;
  return [
    `m365-audit-lake · local run (${scenario})`,
    `  Management Activity API ${d.managementApi}`,
    `  ADX ingestion           ${d.adx}  → databases ${d.tenants.map((t) => t.database).join(", ")}`,
    `  Azurite queues          ${d.storage}`,
    d.sentinel ? "  Sentinel (Logs Ingestion API, HTTPS with a per-run CA) on" : "  Sentinel forwarding     off",
    "",
  ].join("\n");
}

async function main(): Promise<number> {
  program.parse();
  const o = program.opts<StartOptions>();
  const source = sourceEndpoint(o);
  const display = progressDisplay();
  const run = await runLocally({
    emulator: source ? undefined : { seed: o.seed, users: o.users, tenants: o.tenants, faults: o.faults },
    source,
    sentinel: o.sentinel && !source,
    keepData: o.keepData,
    timeBoundMs: o.timeout * 1000,
    onReady: (d) => process.stdout.write(header(d, o) + "\n"),
    onProgress: (p) => display.update(p),
    echoLog: o.verbose ? (line) => display.log(line) : undefined,
  }).finally(() => display.stop());

  const summaryFile = o.summary ? resolve(o.summary) : undefined;
  if (summaryFile) writeFileSync(summaryFile, JSON.stringify(run.summary, null, 2) + "\n");
  process.stdout.write(
    summaryReport(run.summary, {
      logFile: o.keepData ? run.logFile : undefined,
      logCounts: run.logCounts,
      dataDir: run.adxDataDir ?? undefined,
      summaryFile,
    }) + "\n",
  );
  return run.summary.problems.length === 0 ? 0 : 1;
}

// Exit once stdout has drained (pipes are asynchronous on some platforms); an SDK's idle keep-alive socket must not
// hold the process open, hence the unref'd deadline.
function exit(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 1000).unref();
}

main().then(exit, (error: Error & { code?: string }) => {
  process.stderr.write(`npm start: ${error.message}${error.code ? ` [${error.code}]` : ""}\n`);
  exit(2);
});
