import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";

const ROOT = join(__dirname, "../..");

interface EmulateDescription {
  managementApi: string;
  login: string;
  adx: string;
  logsIngestion: string;
  ca: string;
  storage: { connectionString: string; blob: string; queue: string; table: string };
  tenants: Array<{ tenantId: string; clientId: string; clientSecret: string; publisherId: string; database: string }>;
  sentinel: { dcrImmutableId: string; streamName: string };
  dataDir: string;
}

async function refused(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch {
    return true;
  }
}

describe("npm run emulate", () => {
  let child: ChildProcessWithoutNullStreams;
  let stderr = "";
  let closed: Promise<number | null>;
  let description: EmulateDescription;

  beforeAll(async () => {
    child = spawn("npm", ["run", "--silent", "emulate", "--", "--seed", "5", "--tenants", "2", "--users", "5"], { cwd: ROOT, stdio: "pipe" });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    // 'close' comes once every process holding the pipes (npm, sh, tsx, node) has exited.
    closed = new Promise((resolve) => child.once("close", (code) => resolve(code)));
    const firstLine = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once("line", resolve);
      child.once("exit", (code) => reject(new Error(`npm run emulate exited (${code}) before printing its description:\n${stderr}`)));
    });
    description = JSON.parse(firstLine);
  }, 60_000);

  afterAll(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    if (description?.dataDir) rmSync(description.dataDir, { recursive: true, force: true });
  });

  test("prints one JSON object first with every endpoint, the CA and the tenants' credentials", async () => {
    expect(description).toMatchObject({
      managementApi: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      login: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/),
      adx: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      logsIngestion: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/),
      storage: { connectionString: expect.stringContaining("QueueEndpoint=http://127.0.0.1:") },
      sentinel: { dcrImmutableId: expect.stringMatching(/^dcr-[0-9a-f]{32}$/), streamName: expect.stringMatching(/^Custom-/) },
    });
    expect(existsSync(description.ca)).toBe(true);
    expect(description.tenants).toHaveLength(2);
    for (const t of description.tenants) {
      expect(t).toEqual({ tenantId: expect.any(String), clientId: expect.any(String), clientSecret: expect.any(String), publisherId: expect.any(String), database: `audit_${t.tenantId.replace(/-/g, "").slice(0, 8)}` });
    }
    const metadata = await fetch(`${description.adx}/v1/rest/auth/metadata`);
    expect(metadata.status).toBe(200);
  });

  test("SIGTERM to npm shuts the whole emulated cloud down, Azurite included, and keeps the data folder", async () => {
    child.kill("SIGTERM");
    await closed;
    expect(stderr).toMatch(/shutting down/);
    expect(stderr).toMatch(/stopped; data kept in/);
    expect(await refused(`${description.adx}/v1/rest/auth/metadata`)).toBe(true);
    expect(await refused(`${description.storage.queue}?comp=list`)).toBe(true);
    expect(existsSync(join(description.dataDir, "tls", "ca.pem"))).toBe(true);
  }, 30_000);
});
