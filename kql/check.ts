// `npm run kql:check`: analyses every KQL asset (scripts, functions, views, mappings, hunting queries) with Microsoft's
// Kusto language service and prints one line per file — OK, or its problems; exits 1 when any file has one.
import { Command } from "commander";
import { checkAssets, type FileReport } from "./analysis/asset-check";
import { KQL_DIR } from "./scripts";

export function formatReport(file: FileReport): string {
  if (file.problems.length === 0) {
    const unit = file.kind === "hunting" || file.kind === "alert" ? "query" : file.items === 1 ? "command" : "commands";
    return `OK    ${file.path} (${file.items} ${unit})`;
  }
  const detail = file.problems.map((p) => `${p.line}:${p.column} ${p.code} ${p.message}`).join(" | ");
  return `FAIL  ${file.path}: ${detail}`;
}

/** Runs the check as the CLI does; returns the exit code. `print` receives each output line. */
export function runKqlCheck(argv: string[], print: (line: string) => void = console.log): number {
  const options = new Command()
    .name("kql:check")
    .description("Analyse every KQL asset under kql/ and print one line per file.")
    .option("--dir <path>", "the kql folder to check", KQL_DIR)
    .parse(argv, { from: "user" })
    .opts<{ dir: string }>();
  const started = Date.now();
  const { files } = checkAssets({ dir: options.dir });
  for (const file of files) print(formatReport(file));
  const failed = files.filter((f) => f.problems.length > 0).length;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  print(
    failed === 0
      ? `kql:check: ${files.length} files OK (${seconds} s)`
      : `kql:check: ${failed} of ${files.length} files have problems (${seconds} s); fix them, then run npm run kql:check again`,
  );
  return failed === 0 ? 0 : 1;
}

if (require.main === module) process.exitCode = runKqlCheck(process.argv.slice(2));
