// shellcheck over every shell step of both templates, as the CI system would hand it to bash (variables substituted).
// Debian's shellcheck package provides it; where it is not installed this test skips and says so.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { adoShellSteps, githubShellSteps, type Settings } from "./pipeline-steps";

const shellcheck = spawnSync("shellcheck", ["--version"], { encoding: "utf8" });
const available = shellcheck.status === 0;
if (!available) console.log("pipeline-shellcheck.test: shellcheck is not installed here (Debian package `shellcheck`), so the templates' scripts are not linted.");

const settings: Settings = { event: "push", vars: { AUDIT_LAKE_CONFIG: "deploy/contoso.yaml", auditLakeConfig: "deploy/contoso.yaml" } };
const steps = [...githubShellSteps(settings), ...adoShellSteps(settings, { tempDir: "/agent/_temp", workDir: "/agent/s" })];

(available ? describe : describe.skip)("shellcheck", () => {
  const dir = mkdtempSync(join(tmpdir(), "ci-shellcheck-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(steps.map((s) => [`${s.system} ${s.job} › ${s.name}`, s] as const))("%s", (_label, step) => {
    const file = join(dir, `${step.system}-${step.job}-${step.index}.sh`);
    // The shebang only tells shellcheck the dialect; the CI system runs the file with bash itself.
    writeFileSync(file, `#!/usr/bin/env bash\n${step.script}`);
    const r = spawnSync("shellcheck", ["--format=gcc", "--severity=style", file], { encoding: "utf8" });
    expect(r.stdout.replaceAll(`${file}:`, "line ")).toBe("");
  });
});
