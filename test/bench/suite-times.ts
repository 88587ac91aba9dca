// npm run bench:tests [-- --top 10 --json] [-- <jest paths…>]
// Runs jest (the whole suite, or the paths given) and prints where the time goes: wall time, the CPU the run used
// (jest, its workers and every process they started), the load average around it (other work on the machine skews every
// figure), and the slowest suites. Suites of a parallel run share the cores, so their own times add up to more than the wall.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, relative } from "node:path";
import { Command } from "commander";

const program = new Command()
  .option("--top <n>", "how many of the slowest suites to list", (v) => Number(v), 10)
  .option("--json", "print one JSON line instead of a table")
  .argument("[paths...]", "test paths passed on to jest (default: every suite)")
  .parse();
const opts = program.opts<{ top: number; json?: boolean }>();
const root = join(__dirname, "..", "..");

interface JestJson {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  startTime: number;
  testResults: Array<{ name: string; startTime: number; endTime: number; status: string }>;
}

// CPU of reaped children, from /proc (Linux): jest reaps its workers and they reap what they started.
function childCpuSeconds(): number | null {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
    return (Number(fields[13]) + Number(fields[14])) / 100; // cutime + cstime, in clock ticks of 10 ms
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "suite-times-"));
  const out = join(dir, "jest.json");
  const loadBefore = loadavg()[0];
  const cpuBefore = childCpuSeconds();
  const started = Date.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [require.resolve("jest/bin/jest"), "--json", `--outputFile=${out}`, ...program.args], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
    child.on("exit", resolve);
  });
  const wallSeconds = (Date.now() - started) / 1000;
  const cpuAfter = childCpuSeconds();
  const run = JSON.parse(readFileSync(out, "utf8")) as JestJson;
  rmSync(dir, { recursive: true, force: true });
  const suites = run.testResults
    .map((t) => ({ suite: relative(root, t.name), seconds: (t.endTime - t.startTime) / 1000, status: t.status }))
    .sort((a, b) => b.seconds - a.seconds);
  const figures = {
    wallSeconds,
    cpuSeconds: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore,
    loadAverage: { before: loadBefore, after: loadavg()[0] },
    suites: suites.length,
    tests: { passed: run.numPassedTests, failed: run.numFailedTests, skipped: run.numPendingTests },
    slowest: suites.slice(0, opts.top),
  };
  if (opts.json) console.log(JSON.stringify(figures));
  else {
    console.log(`wall ${wallSeconds.toFixed(1)} s · CPU ${figures.cpuSeconds?.toFixed(1) ?? "?"} s · load ${loadBefore.toFixed(2)} → ${figures.loadAverage.after.toFixed(2)}`);
    console.log(`${figures.suites} suites · ${run.numPassedTests} tests passed, ${run.numFailedTests} failed, ${run.numPendingTests} skipped`);
    for (const s of figures.slowest) console.log(`${s.seconds.toFixed(1).padStart(7)} s  ${s.status === "passed" ? "" : `[${s.status}] `}${s.suite}`);
  }
  process.exitCode = code ?? 1;
}

main().catch((e) => {
  console.error(`bench:tests: ${(e as Error).message}`);
  process.exitCode = 1;
});
