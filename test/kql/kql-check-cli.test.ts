// `npm run kql:check` as an operator runs it: one line per file, a summary, exit code 1 when any file has a problem.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { FILES, writeBrokenAssets } from "./broken-assets";

const ROOT = join(__dirname, "..", "..");
const KEPT = ["tables/good_table.kql", "reference/RefTable.kql", "hunting/good.yaml", "functions/broken-body.kql"];

it("prints one line per file and exits 1 when a file has a problem", () => {
  const { dir, cleanup } = writeBrokenAssets();
  try {
    for (const path of Object.keys(FILES)) if (!KEPT.includes(path)) rmSync(join(dir, path));
    const result = spawnSync(join(ROOT, "node_modules", ".bin", "tsx"), ["kql/check.ts", "--dir", dir], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    const lines = result.stdout.trim().split("\n");
    expect(lines.slice(0, -1)).toEqual([
      "OK    kql/tables/good_table.kql (4 commands)",
      "OK    kql/reference/RefTable.kql (1 command)",
      expect.stringMatching(/^FAIL  kql\/functions\/broken-body\.kql: 6:19 KS142 The name 'Nope' does not refer to any known column/),
      "OK    kql/hunting/good.yaml (1 query)",
    ]);
    expect(lines[lines.length - 1]).toMatch(/^kql:check: 1 of 4 files have problems \(\d+\.\d s\); fix them, then run npm run kql:check again$/);
    expect(result.status).toBe(1);
  } finally {
    cleanup();
  }
}, 60_000);
