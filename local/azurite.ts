import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
export const DEV_ACCOUNT_NAME = "devstoreaccount1";
export const DEV_ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface AzuriteOptions {
  /** Folder for Azurite's data; when absent Azurite keeps everything in memory. */
  location?: string;
  /** Cap for in-memory blob/queue extents (MB). Default 1024. */
  extentMemoryLimitMb?: number;
  /** How long to wait for the three services to listen. Default 30 s. */
  startTimeoutMs?: number;
}

export interface Azurite {
  connectionString: string;
  blob: string; // http://127.0.0.1:P/devstoreaccount1
  queue: string;
  table: string;
  accountName: string;
  accountKey: string;
  pid: number;
  stop(): Promise<void>;
}

export class AzuriteError extends Error {
  constructor(
    readonly code: "AzuriteStartFailed" | "AzuriteStartTimeout",
    message: string,
  ) {
    super(message);
    this.name = "AzuriteError";
  }
}

const LISTENING = /Azurite (Blob|Queue|Table) service is successfully listening at (http:\/\/[\d.]+:\d+)/;

// Azurite's CLI reads process.argv; the wrapper puts its entry back in argv[1], then loads it in this process.
// It also ends Azurite when our IPC channel closes, so a crashed or SIGKILLed parent never leaves Azurite running.
const WRAPPER = `
const entry = process.argv[1];
process.argv = [process.argv[0], entry, ...process.argv.slice(2)];
process.on("disconnect", () => { process.kill(process.pid, "SIGTERM"); setTimeout(() => process.exit(0), 3000).unref(); });
if (process.channel) process.channel.unref();
require(entry);
`;

function azuriteEntry(): string {
  return require.resolve("azurite/dist/src/azurite.js");
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

// Last resort: whatever happens to the parent's event loop, its children die with it.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const child of running) child.kill("SIGKILL");
  });
}

/** Starts Azurite (blob, queue, table) on free loopback ports as a child process. */
export async function startAzurite(opts: AzuriteOptions = {}): Promise<Azurite> {
  const inMemory = opts.location === undefined;
  // Azurite refuses --location with --inMemoryPersistence, and its workspace then defaults to the cwd (where in-memory
  // mode writes nothing): run it in the temp folder rather than wherever we were started.
  const location = opts.location ?? tmpdir();
  try {
    mkdirSync(location, { recursive: true });
  } catch (e) {
    throw new AzuriteError("AzuriteStartFailed", `Cannot create Azurite's data folder ${location}: ${(e as Error).message}. Choose a writable folder.`);
  }
  const args = [
    "--blobHost", "127.0.0.1", "--blobPort", "0",
    "--queueHost", "127.0.0.1", "--queuePort", "0",
    "--tableHost", "127.0.0.1", "--tablePort", "0",
    "--disableTelemetry", "--skipApiVersionCheck", "--silent",
    ...(inMemory ? ["--inMemoryPersistence", "--extentMemoryLimit", String(opts.extentMemoryLimitMb ?? 1024)] : ["--location", location]),
  ];
  const child = spawn(process.execPath, ["-e", WRAPPER, azuriteEntry(), ...args], {
    cwd: location,
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    windowsHide: true,
  });
  running.add(child);
  installExitHook();
  // The IPC channel exists only to tell the child we died; it must not keep this process alive.
  child.channel?.unref();

  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("exit", () => running.delete(child));

  const endpoints: Record<string, string> = {};
  let output = "";
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new AzuriteError("AzuriteStartTimeout", `Azurite did not start within ${opts.startTimeoutMs ?? 30000} ms. Output so far:\n${output}`)),
        opts.startTimeoutMs ?? 30000,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        for (const line of output.split("\n")) {
          const m = LISTENING.exec(line);
          if (m) endpoints[m[1].toLowerCase()] = m[2];
        }
        if (endpoints.blob && endpoints.queue && endpoints.table) {
          clearTimeout(timer);
          child.stdout?.off("data", onData);
          resolve();
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new AzuriteError("AzuriteStartFailed", `Azurite exited during start-up (code ${code}, signal ${signal}). Output:\n${output}\nIs the npm package 'azurite' installed (npm ci), and is the data folder writable?`));
      });
    });
  } catch (e) {
    child.kill("SIGKILL");
    await exited;
    throw e;
  }
  // Keep draining the pipes so a chatty child never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();

  const blob = `${endpoints.blob}/${DEV_ACCOUNT_NAME}`;
  const queue = `${endpoints.queue}/${DEV_ACCOUNT_NAME}`;
  const table = `${endpoints.table}/${DEV_ACCOUNT_NAME}`;
  const connectionString =
    `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT_NAME};AccountKey=${DEV_ACCOUNT_KEY};` +
    `BlobEndpoint=${blob};QueueEndpoint=${queue};TableEndpoint=${table};`;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM"); // Azurite closes its servers (and flushes a persisted workspace) on SIGTERM
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };

  return { connectionString, blob, queue, table, accountName: DEV_ACCOUNT_NAME, accountKey: DEV_ACCOUNT_KEY, pid: child.pid!, stop };
}
