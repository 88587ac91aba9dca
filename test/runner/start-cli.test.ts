import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// `npm start` as a user runs it: a child process, small options, bounded time.

jest.setTimeout(200_000);

const root = join(__dirname, "..", "..");
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "start-cli-"));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function start(args: string[], timeoutMs = 170_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, "node_modules", "tsx", "dist", "cli.mjs"), "cli/start.ts", ...args], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`cli/start.ts did not end within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test("--summary writes the summary as JSON with the keys CI and tools rely on, and the run exits 0", async () => {
  const file = join(dir, "summary.json");
  const run = await start(["--users", "4", "--seed", "5", "--summary", file, "--no-keep-data", "--timeout", "150"]);
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
  const summary = JSON.parse(readFileSync(file, "utf8"));
  for (const key of ["blobs", "records", "rowsPerTable", "duplicatesRemoved", "recordsTwiceInViews", "rawDuplicateRowsByTable", "quarantined", "completeness", "incident"])
    expect(summary).toHaveProperty(key);
  expect(typeof summary.blobs).toBe("number");
  expect(typeof summary.records).toBe("number");
  expect(Object.keys(summary.rowsPerTable).sort()).toEqual(
    ["ingestion_errors", "ingestion_ledger", "microsoft_unified_access_mail", "microsoft_unified_audit"].sort(),
  );
  expect(summary.completeness).toBe(1);
  expect(summary.recordsTwiceInViews).toBe(0);
  // no faults: the incident's scope from the rows is exactly the ground truth
  expect(summary.incident.matchesGroundTruth).toBe(true);
  expect(summary.incident.messagesRead.found).toBeGreaterThan(0);
  // what else the attacker did (rule, forwarding set then removed, consent, attachment, file, search, mail sent) is the truth too
  expect(summary.incident.footprint.missing).toEqual([]);
  expect(summary.incident.footprint.unexpected).toEqual([]);
  expect(summary.incident.footprint.found).toBeGreaterThanOrEqual(10);
  // the human summary says the same
  expect(run.stdout).toMatch(/completeness\s+100\.00%/);
  expect(run.stdout).toMatch(/in the _dedup views\s+no record twice/);
  expect(run.stdout).toContain("Incident scope from the ingested rows");
  expect(run.stdout).toMatch(/footprint \(other acts\)\s+\d+.*= ground truth ✓/);
});

test("--source without its companions is refused with a message saying what is missing", async () => {
  const run = await start(["--source", "http://127.0.0.1:9"], 30_000);
  expect(run.code).not.toBe(0);
  expect(run.stderr).toContain("missing: --login, --tenant, --client-id, --client-secret");
});
