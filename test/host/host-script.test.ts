// `npm run host` as an operator starts it: the first stdout line is one JSON object with the URL and the function key,
// the functions answer there with that key, and SIGTERM stops everything it started.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";

const root = join(__dirname, "..", "..");

test("npm run host prints { url, functionKey, cloud } first; health answers with the key, 401 without; SIGTERM ends it", async () => {
  const child = spawn(process.execPath, [require.resolve("tsx/cli"), join(root, "local", "host", "main.ts"), "--users", "3", "--timer-seconds", "3600"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  try {
    const first = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once("line", resolve);
      void exited.then((code) => reject(new Error(`host exited (${code}) before its first line: ${stderr}`)));
    });
    const info = JSON.parse(first) as { url: string; functionKey: string; cloud: { tenants: Array<{ tenantId: string }> } };
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.functionKey.length).toBeGreaterThanOrEqual(32);
    expect(info.cloud.tenants).toHaveLength(1);
    expect((await fetch(`${info.url}/api/health`)).status).toBe(401);
    const health = await fetch(`${info.url}/api/health`, { headers: { "x-functions-key": info.functionKey } });
    const body = (await health.json()) as { tenants: Array<{ tenantId: string }> };
    expect(body.tenants.map((t) => t.tenantId)).toContain(info.cloud.tenants[0].tenantId);
  } finally {
    child.kill("SIGTERM");
  }
  expect(await exited).toBe(0);
}, 120_000);
