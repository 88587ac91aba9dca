// `npm run host`: the emulated cloud and, over it, the local Functions host serving the app's HTTP functions (health,
// the admin API, the webhook) while its queue drains and its timers fire. The FIRST stdout line is one JSON object
// ({ url, functionKey, cloud }) that the CLI's --app-url / --function-key take; diagnostics go to stderr.
import { Command, InvalidArgumentError } from "commander";
import { startEmulatedCloud } from "../cloud";
import { watchLauncher } from "../launcher-watch";
import { TENANT_CONSENT, type TenantConsent } from "../management-api/types";
import { InvocationLog } from "../runner/invocation-log";
import { emulatedAppSettings } from "./emulated-app";
import { startLocalFunctionsHost } from "./functions-host";

function integer(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}.`);
    return n;
  };
}

function consent(value: string, previous: Record<number, TenantConsent> = {}): Record<number, TenantConsent> {
  const m = /^(\d+)=(.+)$/.exec(value);
  if (!m || !TENANT_CONSENT.includes(m[2] as TenantConsent)) throw new InvalidArgumentError(`'${value}' is not <tenant index>=${TENANT_CONSENT.join("|")}.`);
  return { ...previous, [Number(m[1])]: m[2] as TenantConsent };
}

async function main(): Promise<void> {
  const o = new Command()
    .name("host")
    .description("Start the emulated cloud and the local Functions host over it, until SIGINT/SIGTERM.")
    .option("--seed <n>", "scenario seed", integer("--seed", 0), 1)
    .option("--tenants <k>", "number of emulated tenants", integer("--tenants", 1), 1)
    .option("--users <n>", "users per tenant", integer("--users", 3), 50)
    .option("--consent <index=state>", `a tenant's admin consent (${TENANT_CONSENT.join(", ")}); repeat per tenant`, consent)
    .option("--port <n>", "the host's loopback port (default a free one)", integer("--port", 0), 0)
    .option("--function-key <key>", "the function key callers must present (default a new random one)")
    .option("--timer-seconds <n>", "how often the plan and settle-adx-failures timers fire", integer("--timer-seconds", 1), 300)
    .parse()
    .opts<{ seed: number; tenants: number; users: number; consent?: Record<number, TenantConsent>; port: number; functionKey?: string; timerSeconds: number }>();

  const log = new InvocationLog({ echo: (line) => process.stderr.write(`${line}\n`), echoLevel: "warning" });
  const cloud = await startEmulatedCloud({ seed: o.seed, tenants: o.tenants, users: o.users, consent: o.consent, keepDataDir: true, log: (l) => process.stderr.write(`${l}\n`) });
  const host = await startLocalFunctionsHost({ settings: emulatedAppSettings(cloud), port: o.port, functionKey: o.functionKey, timerIntervalMs: o.timerSeconds * 1000, log }).catch(async (e) => {
    await cloud.close();
    throw e;
  });
  process.stdout.on("error", () => undefined);
  process.stdout.write(`${JSON.stringify({ url: host.url, functionKey: host.functionKey, cloud: cloud.describe() })}\n`);
  process.stderr.write(`local Functions host at ${host.url}/api/ (timers every ${o.timerSeconds} s); Ctrl-C to stop.\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal}: shutting down\n`);
    setTimeout(() => process.exit(1), 15_000).unref();
    host.close().then(() => cloud.close()).then(() => process.exit(0), (e: Error) => {
      process.stderr.write(`shutdown failed: ${e.message}\n`);
      process.exit(1);
    });
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => stop(signal));
  watchLauncher(() => stop("launcher gone"));
}

main().catch((e: Error) => {
  process.stderr.write(`host: ${e.message}\n`);
  process.exit(1);
});
