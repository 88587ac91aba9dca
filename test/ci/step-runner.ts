// Runs the templates' shell steps for real, under their CI system's shell, with stand-ins on PATH for the commands that
// would reach Azure, the registry or the network (terraform, npx, npm, az, curl, unzip, sha256sum, sleep). Each
// stand-in logs its call and succeeds with plausible output, or fails when the case asks it to: the n-th call of one
// command, or every call of it from the n-th on.
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { adoShellSteps, githubShellSteps, SECRET_MARKERS, templatesRoot, type CiSystem, type Settings, type ShellStep } from "./pipeline-steps";

export const STUBBED = ["terraform", "npx", "npm", "az", "curl", "unzip", "sha256sum", "sleep"] as const;
export type Stubbed = (typeof STUBBED)[number];

/** What the stand-ins answer; the defaults are a working deployment with an azurerm backend. */
export interface World {
  stacks: string[];
  backend: "azurerm" | "local";
  httpStatus: number;
  /** Delegate `npx m365-audit-lake stacks` to the real CLI (and record what it printed in stacks-real.log). */
  realStacks?: boolean;
}

export const DEFAULT_WORLD: World = { stacks: ["contosoal-platform", "contosoal-tenant-contoso"], backend: "azurerm", httpStatus: 200 };

export interface Failure {
  command: Stubbed;
  /** 1-based call number of that command within the step under test. */
  call: number;
  /** Also fail every later call of that command. */
  sticky?: boolean;
}

export interface StepRun {
  step: ShellStep;
  status: number;
  stdout: string;
  stderr: string;
  /** Calls of stubbed commands made by the step under test, in order: "terraform -chdir=x plan ...". */
  calls: string[];
  /** Job summary text written by the step (GitHub step summary, Azure Pipelines uploadsummary files). */
  summary: string;
  /** Everything the run left where a reader of the run could see it: output and summaries. */
  visible: string;
  /** With realStacks: what the real `stacks` command printed. */
  realStacksOutput: string;
}

const STUB = String.raw`#!/usr/bin/env bash
# Stand-in for a command a pipeline step would run against Azure, the registry or the network.
name=$(basename "$0")
state="$STUB_STATE"
printf '%s\n' "$name $*" >> "$state/calls.log"
n=$(( $(cat "$state/count.$name" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$state/count.$name"
if [ -n "$STUB_FAIL_COMMAND" ] && [ "$STUB_FAIL_COMMAND" = "$name" ]; then
  if [ "$n" = "$STUB_FAIL_CALL" ] || { [ "$STUB_FAIL_STICKY" = 1 ] && [ "$n" -ge "$STUB_FAIL_CALL" ]; }; then
    echo "stub $name: call $n fails as the test asks" >&2
    exit 3
  fi
fi
case "$name" in
  npx)
    if [ "$1 $2" = "m365-audit-lake stacks" ]; then
      if [ "$STUB_REAL_STACKS" = 1 ]; then
        shift
        # The real synthesis, once per config file per test run (it takes seconds); the list is what it printed.
        config=""; prev=""
        for a in "$@"; do [ "$prev" = --config ] && config="$a"; prev="$a"; done
        cached="$STUB_REAL_CACHE/$(basename "$config").stacks"
        if [ ! -f "$cached" ]; then
          PATH="$STUB_REAL_PATH" node "$STUB_REAL_CLI" "$@" > "$cached.tmp" || { cat "$cached.tmp"; exit 1; }
          mv "$cached.tmp" "$cached"
        fi
        tee -a "$state/stacks-real.log" < "$cached"
        exit 0
      fi
      shift 2; out=cdktf.out; json=0
      while [ $# -gt 0 ]; do case "$1" in --out) out="$2"; shift ;; --json) json=1 ;; esac; shift; done
      case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
      sep=""; items=""
      for s in $STUB_STACKS; do
        mkdir -p "$out/stacks/$s"
        echo "{\"terraform\":{\"backend\":{\"$STUB_BACKEND\":{}}}}" > "$out/stacks/$s/cdk.tf.json"
        items="$items$sep{\"name\":\"$s\",\"dir\":\"$out/stacks/$s\"}"; sep=","
      done
      if [ "$json" = 1 ]; then
        echo "{\"ok\":true,\"stacks\":[$items],\"outputs\":{\"resourceGroup\":\"contosoal-rg\",\"functionAppName\":\"contosoal-func-d92d9c\"}}"
      else
        for s in $STUB_STACKS; do echo "$s"; done
      fi
    fi ;;
  terraform)
    for a in "$@"; do if [ "$a" = show ]; then echo '{"resource_changes":[{"change":{"actions":["create"]}}]}'; exit 0; fi; done
    echo "terraform: done" ;;
  az)
    case "$*" in
      *"keys list"*) echo "$STUB_FUNCTION_KEY" ;;
      *"functionapp show"*) echo "contosoal-func-d92d9c.azurewebsites.net" ;;
      *"account show"*) echo "22222222-2222-4222-8222-222222222222" ;;
    esac ;;
  curl)
    out=""; fmt=""
    while [ $# -gt 0 ]; do case "$1" in -o) out="$2"; shift ;; -w) fmt="$2"; shift ;; esac; shift; done
    if [ -n "$out" ]; then echo "{\"report\":\"$STUB_HEALTH_BODY\"}" > "$out"; else echo "{\"report\":\"$STUB_HEALTH_BODY\"}" > /dev/null; fi
    case "$fmt" in *http_code*) printf '%s' "$STUB_HTTP_STATUS" ;; esac ;;
esac
exit 0
`;

let binDir: string | undefined;
function stubBin(): string {
  if (binDir && existsSync(binDir)) return binDir;
  binDir = mkdtempSync(join(tmpdir(), "ci-stubs-"));
  for (const name of STUBBED) {
    writeFileSync(join(binDir, name), STUB);
    chmodSync(join(binDir, name), 0o755);
  }
  return binDir;
}

let realCacheDir: string | undefined;
function realCache(): string {
  realCacheDir ??= mkdtempSync(join(tmpdir(), "ci-real-stacks-"));
  return realCacheDir;
}

/** The project's own CLI bin, run in place of `npx m365-audit-lake` when a case wants the real synthesis. */
const realCli = join(__dirname, "../../cli/m365-audit-lake.cjs");

/** A workspace laid out like a checkout: the example configs (the build job's validate step reads them). */
function workspace(): { dir: string; work: string; temp: string; state: string } {
  const dir = mkdtempSync(join(tmpdir(), "ci-step-"));
  const work = join(dir, "s");
  const temp = join(dir, "tmp");
  const state = join(dir, "state");
  for (const d of [work, temp, state, join(work, "infra/examples")]) mkdirSync(d, { recursive: true });
  const examples = join(templatesRoot, "infra/examples");
  const source = existsSync(examples) ? examples : join(__dirname, "../../infra/examples");
  for (const f of readdirSync(source)) copyFileSync(join(source, f), join(work, "infra/examples", f));
  return { dir, work, temp, state };
}

/** Steps of one system for the given settings, with paths that belong to a fresh workspace. */
export function stepsOf(system: CiSystem, settings: Settings, layout = { tempDir: "/AGENT_TEMP", workDir: "/WORK" }): ShellStep[] {
  return system === "github" ? githubShellSteps(settings) : adoShellSteps(settings, layout);
}

const CONNECTION_IDS: Record<string, string> = {};
function connectionId(name: string): string {
  CONNECTION_IDS[name] ??= `0c0c0c0c-0000-4000-8000-${String(Object.keys(CONNECTION_IDS).length + 1).padStart(12, "0")}`;
  return CONNECTION_IDS[name];
}

/** Runs the job's shell steps before `target` (they must succeed), then `target` with the failure asked for. */
export function runStep(target: ShellStep, settings: Settings, world: World = DEFAULT_WORLD, failure?: Failure): StepRun {
  const ws = workspace();
  try {
    const steps = stepsOf(target.system, settings, { tempDir: ws.temp, workDir: ws.work }).filter((s) => s.job === target.job);
    const summaryFile = join(ws.dir, "step-summary.md");
    const githubEnvFile = join(ws.dir, "github-env");
    writeFileSync(githubEnvFile, "");
    let carried: Record<string, string> = {};
    for (const step of steps) {
      if (step.index > target.index) break;
      const isTarget = step.index === target.index;
      rmSync(ws.state, { recursive: true, force: true });
      mkdirSync(ws.state);
      writeFileSync(summaryFile, "");
      const scriptFile = join(ws.dir, `step-${step.index}.sh`);
      writeFileSync(scriptFile, step.script);
      const env: Record<string, string> = {
        PATH: `${stubBin()}:${process.env.PATH}`,
        HOME: process.env.HOME ?? ws.dir,
        LANG: "C.UTF-8",
        ...step.env,
        ...carried,
        STUB_STATE: ws.state,
        STUB_STACKS: world.stacks.join(" "),
        STUB_BACKEND: world.backend,
        STUB_HTTP_STATUS: String(world.httpStatus),
        STUB_REAL_STACKS: world.realStacks ? "1" : "0",
        STUB_REAL_CLI: realCli,
        STUB_REAL_CACHE: realCache(),
        STUB_REAL_PATH: process.env.PATH ?? "",
        STUB_FUNCTION_KEY: SECRET_MARKERS.functionKey,
        STUB_HEALTH_BODY: SECRET_MARKERS.healthBody,
        STUB_FAIL_COMMAND: isTarget && failure ? failure.command : "",
        STUB_FAIL_CALL: isTarget && failure ? String(failure.call) : "0",
        STUB_FAIL_STICKY: isTarget && failure?.sticky ? "1" : "0",
      };
      if (step.system === "github") Object.assign(env, { RUNNER_TEMP: ws.temp, GITHUB_STEP_SUMMARY: summaryFile, GITHUB_ENV: githubEnvFile, GITHUB_WORKSPACE: ws.work, GITHUB_ACTIONS: "true", CI: "true" });
      else Object.assign(env, { TF_BUILD: "True", AGENT_TEMPDIRECTORY: ws.temp });
      if (step.serviceConnection) {
        // What AzureCLI@2 sets after signing in with a workload identity federation connection.
        Object.assign(env, { AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: connectionId(step.serviceConnection), AZURESUBSCRIPTION_CLIENT_ID: "5e5e5e5e-0000-4000-8000-000000000001", AZURESUBSCRIPTION_TENANT_ID: "11111111-1111-4111-8111-111111111111" });
      }
      const argv = step.shell.map((a) => (a === "{0}" ? scriptFile : a));
      const r = spawnSync(argv[0], argv.slice(1), { cwd: ws.work, env, encoding: "utf8", timeout: 120_000 });
      const status = r.status ?? 128;
      // GITHUB_ENV lines become the environment of the job's later steps.
      if (step.system === "github") {
        for (const line of readFileSync(githubEnvFile, "utf8").split("\n")) {
          const m = /^(\w+)=(.*)$/.exec(line);
          if (m) carried = { ...carried, [m[1]]: m[2] };
        }
      }
      const calls = existsSync(join(ws.state, "calls.log")) ? readFileSync(join(ws.state, "calls.log"), "utf8").split("\n").filter(Boolean) : [];
      if (!isTarget) {
        if (status !== 0) throw new Error(`step before the one under test failed: ${step.job} › ${step.name} (exit ${status})\n${r.stdout}\n${r.stderr}`);
        continue;
      }
      const uploaded = [...(r.stdout ?? "").matchAll(/##vso\[task\.uploadsummary\](.+)/g)].map((m) => (existsSync(m[1].trim()) ? readFileSync(m[1].trim(), "utf8") : ""));
      const summary = readFileSync(summaryFile, "utf8") + uploaded.join("\n");
      // Lines the CI system consumes to mask a value are not shown in the log.
      const shown = (text: string) => text.split("\n").filter((l) => !/^::add-mask::|^##vso\[task\.setsecret\]/.test(l)).join("\n");
      const realStacks = existsSync(join(ws.state, "stacks-real.log")) ? readFileSync(join(ws.state, "stacks-real.log"), "utf8") : "";
      return { step, status, stdout: r.stdout ?? "", stderr: r.stderr ?? "", calls, summary, visible: `${shown(r.stdout ?? "")}\n${shown(r.stderr ?? "")}\n${summary}`, realStacksOutput: realStacks };
    }
    throw new Error(`step not found: ${target.job} › ${target.name}`);
  } finally {
    rmSync(ws.dir, { recursive: true, force: true });
  }
}

/** The command a logged call was to. */
export function commandOf(call: string): Stubbed {
  return call.split(" ")[0] as Stubbed;
}
