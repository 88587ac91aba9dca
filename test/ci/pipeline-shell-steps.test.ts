// The templates' shell steps, run as their CI systems run them (see pipeline-steps.ts and step-runner.ts): with the
// settings the README asks a new user to make, every step succeeds; any one failing command fails its step (or is
// retried, and failing every time fails it); a failing `stacks` never leaves a loop that ran zero times green; no step
// shows a token, the function key or the health report; plan and deploy refuse a missing config or a local backend;
// the build job validates every stack of every example config.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { SECRET_MARKERS, templatesRoot, type CiSystem, type Settings, type ShellStep } from "./pipeline-steps";
import { commandOf, DEFAULT_WORLD, runStep, stepsOf, type StepRun } from "./step-runner";

jest.setTimeout(180_000);

/** What the README tells a new user to set. */
const SETTINGS: Record<CiSystem, Record<Settings["event"], Settings>> = {
  github: {
    push: { event: "push", vars: { AZURE_PLANNER_CLIENT_ID: "aaaa0000-0000-4000-8000-000000000001", AZURE_DEPLOYER_CLIENT_ID: "aaaa0000-0000-4000-8000-000000000002", AZURE_TENANT_ID: "11111111-1111-4111-8111-111111111111", AZURE_SUBSCRIPTION_ID: "22222222-2222-4222-8222-222222222222", AUDIT_LAKE_CONFIG: "deploy/contoso.yaml" } },
    pull_request: { event: "pull_request", vars: {} },
  },
  ado: {
    push: { event: "push", vars: { auditLakeConfig: "deploy/contoso.yaml" } },
    pull_request: { event: "pull_request", vars: {} },
  },
};
for (const system of ["github", "ado"] as const) SETTINGS[system].pull_request.vars = SETTINGS[system].push.vars;

// Template (or older-template) variables the README of its time told the user to set, where they differ.
if (process.env.PIPELINE_ROOT) {
  Object.assign(SETTINGS.github.push.vars, { AZURE_CLIENT_ID: "aaaa0000-0000-4000-8000-000000000002" });
  Object.assign(SETTINGS.ado.push.vars, { serviceConnectionId: "0c0c0c0c-0000-4000-8000-000000000001", azureClientId: "aaaa0000-0000-4000-8000-000000000002", azureTenantId: "11111111-1111-4111-8111-111111111111", azureSubscriptionId: "22222222-2222-4222-8222-222222222222" });
}

/** Which event runs a job: plan jobs run for pull requests, everything else is exercised as a push to main. */
function eventFor(step: ShellStep): Settings["event"] {
  return /plan/i.test(step.job) ? "pull_request" : "push";
}

const allSteps: Array<[string, ShellStep]> = (["github", "ado"] as const).flatMap((system) =>
  stepsOf(system, SETTINGS[system].push).map((s) => [`${system} ${s.job} › ${s.name}`, s] as [string, ShellStep]),
);

function explain(run: StepRun): string {
  return `exit ${run.status}\n--- calls\n${run.calls.join("\n")}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
}

describe.each(allSteps)("%s", (_label, step) => {
  const settings = SETTINGS[step.system][eventFor(step)];
  let ok: StepRun;
  beforeAll(() => {
    ok = runStep(step, settings);
  });

  it("succeeds with the settings the README asks for", () => {
    expect({ status: ok.status, output: ok.status === 0 ? "" : explain(ok) }).toEqual({ status: 0, output: "" });
  });

  it("fails when any command it runs fails, unless it retries that command and fails when every try fails", () => {
    const problems: string[] = [];
    const seen: Record<string, number> = {};
    for (const call of ok.calls) {
      const command = commandOf(call);
      const n = (seen[command] = (seen[command] ?? 0) + 1);
      const once = runStep(step, settings, DEFAULT_WORLD, { command, call: n });
      if (once.status !== 0) continue;
      const retried = once.calls.slice(once.calls.indexOf(call) + 1).includes(call);
      if (!retried) {
        problems.push(`call ${n} of ${command} failed ("${call}") and the step still ended green`);
        continue;
      }
      const always = runStep(step, settings, DEFAULT_WORLD, { command, call: n, sticky: true });
      if (always.status === 0) problems.push(`every call of ${command} from call ${n} on failed and the step still ended green`);
    }
    expect(problems).toEqual([]);
  });

  it("shows no token, function key or health report in its output or summary", () => {
    const leaked = Object.entries(SECRET_MARKERS).filter(([, marker]) => ok.visible.includes(marker)).map(([what]) => what);
    expect(leaked).toEqual([]);
  });
});

describe("the stack loops", () => {
  const loops = allSteps.filter(([, s]) => /npx m365-audit-lake stacks/.test(s.script));

  it.each(loops)("%s fails when `stacks` fails", (_label, step) => {
    const settings = SETTINGS[step.system][eventFor(step)];
    const calls = runStep(step, settings).calls;
    const n = calls.filter((c) => commandOf(c) === "npx").findIndex((c) => c.startsWith("npx m365-audit-lake stacks")) + 1;
    expect(n).toBeGreaterThan(0);
    const run = runStep(step, settings, DEFAULT_WORLD, { command: "npx", call: n });
    expect(run.status).not.toBe(0);
  });

  it.each(allSteps.filter(([, s]) => /terraform -chdir=\S+ (plan|apply)/.test(s.script)))("%s fails when the first of two stacks fails and the second succeeds", (_label, step) => {
    const settings = SETTINGS[step.system][eventFor(step)];
    const calls = runStep(step, settings).calls.filter((c) => commandOf(c) === "terraform");
    const first = calls.findIndex((c) => / (plan|apply) /.test(c)) + 1;
    expect(first).toBeGreaterThan(0);
    const run = runStep(step, settings, DEFAULT_WORLD, { command: "terraform", call: first });
    expect(run.status).not.toBe(0);
  });
});

describe("the deployment config in plan and deploy", () => {
  const checks = allSteps.filter(([, s]) => /stacks --config "\$\{?(AUDIT_LAKE_CONFIG|AUDITLAKECONFIG)/.test(s.script));

  it("is checked in every plan and deploy job of both templates", () => {
    const jobs = checks.map(([, s]) => `${s.system} ${s.job}`).sort();
    expect(jobs).toEqual(["ado Deploy.Deploy", "ado Plan.Plan", "github deploy", "github plan"]);
  });

  it.each(checks)("%s refuses to run without one, naming the variable to set", (_label, step) => {
    const base = SETTINGS[step.system][eventFor(step)];
    const vars = Object.fromEntries(Object.entries(base.vars).filter(([k]) => !/^(AUDIT_LAKE_CONFIG|auditLakeConfig)$/.test(k)));
    const run = runStep(step, { ...base, vars });
    expect(run.status).not.toBe(0);
    expect(run.stdout).toMatch(step.system === "github" ? /::error::Set the repository variable AUDIT_LAKE_CONFIG/ : /##vso\[task\.logissue type=error\]Set the pipeline variable auditLakeConfig/);
    expect(run.calls.filter((c) => c.startsWith("terraform"))).toEqual([]);
  });

  it.each(checks)("%s refuses a config whose state backend is local, saying why", (_label, step) => {
    const run = runStep(step, SETTINGS[step.system][eventFor(step)], { ...DEFAULT_WORLD, backend: "local" });
    expect(run.status).not.toBe(0);
    expect(run.stdout).toMatch(/keeps terraform state in a local backend .*thrown away after every job/);
  });
});

describe("terraform validate in the build job", () => {
  const examples = readdirSync(join(templatesRoot, "infra/examples")).filter((f) => f.endsWith(".yaml")).sort();
  const validates = (system: CiSystem) => allSteps.filter(([, s]) => s.system === system && /\bvalidate\b/.test(s.script)).map(([, s]) => s);

  it.each(["github", "ado"] as const)("%s: runs init -backend=false and validate for every stack of every example config, as the real synthesis lists them", (system) => {
    const steps = validates(system);
    expect(steps).toHaveLength(1);
    const step = steps[0];
    expect(step.job).toBe(system === "github" ? "build" : "Build.Test");
    const run = runStep(step, SETTINGS[system].push, { ...DEFAULT_WORLD, realStacks: true });
    expect({ status: run.status, output: run.status === 0 ? "" : explain(run) }).toEqual({ status: 0, output: "" });
    const configs = run.calls.filter((c) => c.startsWith("npx m365-audit-lake stacks")).map((c) => /--config (\S+)/.exec(c)![1].replace(/^infra\/examples\//, ""));
    expect(configs.sort()).toEqual(examples);
    const listed = run.realStacksOutput.split("\n").filter(Boolean);
    expect(listed.length).toBeGreaterThanOrEqual(examples.length * 2);
    for (const stack of listed) {
      const init = run.calls.findIndex((c) => new RegExp(`^terraform -chdir=\\S+/stacks/${stack} init -backend=false`).test(c));
      const validate = run.calls.findIndex((c) => new RegExp(`^terraform -chdir=\\S+/stacks/${stack} validate`).test(c));
      expect({ stack, init: init >= 0, validateAfterInit: validate > init }).toEqual({ stack, init: true, validateAfterInit: true });
    }
  });
});
