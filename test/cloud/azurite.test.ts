import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { QueueServiceClient } from "@azure/storage-queue";
import { startAzurite } from "../../local/azurite";

const ROOT = join(__dirname, "../..");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return condition();
}

describe("Azurite, started by the project's own code", () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "azurite-test-"));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test("listens on free loopback ports and keeps a folder's data across restarts; stop() ends the child", async () => {
    const location = join(dir, "data");
    const first = await startAzurite({ location });
    expect([first.blob, first.queue, first.table].every((u) => /^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/.test(u))).toBe(true);
    expect(new Set([first.blob, first.queue, first.table]).size).toBe(3);
    expect(first.connectionString).toContain(`QueueEndpoint=${first.queue};`);
    await QueueServiceClient.fromConnectionString(first.connectionString).getQueueClient("kept-queue").create();
    await first.stop();
    expect(alive(first.pid)).toBe(false);
    expect(readdirSync(location).length).toBeGreaterThan(0);

    const second = await startAzurite({ location });
    try {
      const names: string[] = [];
      for await (const q of QueueServiceClient.fromConnectionString(second.connectionString).listQueues()) names.push(q.name);
      expect(names).toEqual(["kept-queue"]);
    } finally {
      await second.stop();
    }
  });

  test("it dies with its parent, even when the parent is SIGKILLed", async () => {
    const script = `require(${JSON.stringify(join(ROOT, "local/azurite"))}).startAzurite().then((a) => console.log(a.pid))`;
    const parent = spawn(process.execPath, ["--require", require.resolve("tsx/cjs"), "-e", script], { cwd: dir, stdio: ["ignore", "pipe", "inherit"] });
    const pid = await new Promise<number>((resolve, reject) => {
      parent.stdout.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
      parent.once("exit", (code) => reject(new Error(`the parent exited early (${code})`)));
    });
    expect(alive(pid)).toBe(true);
    parent.kill("SIGKILL");
    expect(await waitFor(() => !alive(pid), 10_000)).toBe(true);
  });

  test("a data folder that cannot be created is a typed error saying what to do", async () => {
    const file = join(dir, "a-file");
    writeFileSync(file, "x");
    await expect(startAzurite({ location: join(file, "sub") })).rejects.toMatchObject({
      code: "AzuriteStartFailed",
      message: expect.stringContaining("Choose a writable folder"),
    });
  });
});
