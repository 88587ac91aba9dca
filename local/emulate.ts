// `npm run emulate`: the whole emulated cloud in one process. The FIRST stdout line is one JSON object describing
// every endpoint and the tenants' credentials (other tools parse it); diagnostics go to stderr.
import { Command, InvalidArgumentError } from "commander";
import { startEmulatedCloud } from "./cloud";
import { watchLauncher } from "./launcher-watch";

function integer(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}.`);
    return n;
  };
}

function rates(value: string): { transient?: number; permanent?: number } {
  const out: { transient?: number; permanent?: number } = {};
  for (const part of value.split(",").filter(Boolean)) {
    const [key, raw] = part.split("=");
    const rate = Number(raw);
    if ((key !== "transient" && key !== "permanent") || !(rate >= 0 && rate <= 1)) {
      throw new InvalidArgumentError(`'${part}' is not a fault rate; use transient=0.05,permanent=0.01 (rates between 0 and 1).`);
    }
    out[key] = rate;
  }
  return out;
}

async function main(): Promise<void> {
  const program = new Command()
    .name("emulate")
    .description("Start the emulated cloud (Management Activity API, ADX ingestion, Logs Ingestion, Azurite) until SIGINT/SIGTERM.")
    .option("--seed <n>", "scenario seed", integer("--seed", 0), 1)
    .option("--tenants <k>", "number of emulated tenants", integer("--tenants", 1), 1)
    .option("--users <n>", "users per tenant", integer("--users", 3), 50)
    .option("--faults <spec>", 'Management API faults: "none", "standard" or "server-error=0.03,throttle=0.02,..."', "none")
    .option("--adx-faults <spec>", "ADX ingestion faults, e.g. transient=0.05,permanent=0.01", rates)
    .option("--data-dir <dir>", "keep ADX rows, Sentinel rows and Azurite data here (default: a new temp folder, kept on exit)")
    .option("--large-tenant-records <n>", "tenant 0 also holds this many lazily generated records", integer("--large-tenant-records", 1))
    .option("--page-size <n>", "content listing page size", integer("--page-size", 1))
    .parse();
  const o = program.opts<{
    seed: number; tenants: number; users: number; faults: string; adxFaults?: { transient?: number; permanent?: number };
    dataDir?: string; largeTenantRecords?: number; pageSize?: number;
  }>();

  const cloud = await startEmulatedCloud({
    seed: o.seed,
    tenants: o.tenants,
    users: o.users,
    faults: o.faults,
    adxFaults: o.adxFaults,
    dataDir: o.dataDir,
    keepDataDir: true, // whoever ran the emulator may want to open the rows afterwards
    largeTenantRecords: o.largeTenantRecords,
    pageSize: o.pageSize,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  // Whoever reads our output may go away first; a broken pipe must not crash the shutdown.
  process.stdout.on("error", () => undefined);
  process.stderr.on("error", () => undefined);
  process.stdout.write(`${JSON.stringify(cloud.describe())}\n`);
  process.stderr.write(`emulated cloud ready; data in ${cloud.dataDir}. Ctrl-C to stop.\n`);

  let stopping = false;
  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${reason}: shutting down\n`);
    const force = setTimeout(() => {
      process.stderr.write("shutdown took longer than 15 s; exiting anyway\n");
      process.exit(1);
    }, 15_000);
    force.unref();
    cloud.close().then(
      () => {
        process.stderr.write(`stopped; data kept in ${cloud.dataDir}\n`);
        process.exit(0);
      },
      (e: Error) => {
        process.stderr.write(`shutdown failed: ${e.message}\n`);
        process.exit(1);
      },
    );
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => stop(signal));
  watchLauncher(() => stop("launcher gone"));
}

main().catch((e: Error) => {
  process.stderr.write(`emulate: ${e.message}\n`);
  process.exit(1);
});
