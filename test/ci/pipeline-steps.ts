// The shell steps of both CI/CD templates as their CI systems would run them: every `run:` (GitHub Actions), `script:` /
// `bash:` and AzureCLI@2 inline script (Azure Pipelines), with the exact shell and flags, the variables substituted the
// way each system substitutes them, and the environment each system gives the step.
//   GitHub Actions: `run:` without a shell is `bash -e {0}`; `shell: bash` is `bash --noprofile --norc -eo pipefail {0}`.
//   Azure Pipelines: `script:` / `bash:` run `bash --noprofile --norc <file>` (no -e); AzureCLI@2 runs `bash <file>`.
// PIPELINE_ROOT reads the templates from another folder (e.g. an older commit's files) to show what the tests catch.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

export const templatesRoot = process.env.PIPELINE_ROOT ?? join(__dirname, "../..");

export type CiSystem = "github" | "ado";

export interface ShellStep {
  system: CiSystem;
  job: string;
  /** Position among the job's shell steps. */
  index: number;
  name: string;
  script: string;
  /** argv with `{0}` where the script file goes. */
  shell: string[];
  /** Environment the system sets for this step (before the job's runtime files are added). */
  env: Record<string, string>;
  /** AzureCLI@2: the service connection the task signs in with. */
  serviceConnection?: string;
}

/** Values a new user would have set: repository variables (GitHub) or pipeline variables (Azure DevOps). */
export interface Settings {
  vars: Record<string, string>;
  /** The GitHub event the run is for. */
  event: "push" | "pull_request";
}

export const SECRET_MARKERS = {
  systemAccessToken: "STUB-SYSTEM-ACCESS-TOKEN-7f3a",
  idTokenRequestToken: "STUB-ID-TOKEN-REQUEST-TOKEN-9c1e",
  functionKey: "STUB-FUNCTION-KEY-4b2d",
  healthBody: "STUB-HEALTH-REPORT-tenant-lag-failed-blobs",
};

type Step = { name?: string; displayName?: string; run?: string; shell?: string; env?: Record<string, string>; uses?: string; script?: string; bash?: string; task?: string; inputs?: Record<string, string>; template?: string; checkout?: string };

// ---------------------------------------------------------------- GitHub Actions

const GITHUB_SHELLS: Record<string, string[]> = {
  default: ["bash", "-e", "{0}"],
  bash: ["bash", "--noprofile", "--norc", "-eo", "pipefail", "{0}"],
};

/** `${{ a || 'b' }}` over vars/env/github: the subset the templates use; anything else is refused so no step runs half-substituted. */
function githubExpression(expr: string, context: Record<string, unknown>): string {
  for (const operand of expr.split("||").map((s) => s.trim())) {
    let value: unknown;
    const literal = /^'(.*)'$/.exec(operand);
    if (literal) value = literal[1];
    else if (/^[\w.-]+$/.test(operand)) value = operand.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], context);
    else throw new Error(`pipeline-steps: unsupported expression \${{ ${expr} }}`);
    if (value) return String(value);
  }
  return "";
}

function githubSubstitute(text: string, context: Record<string, unknown>): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => githubExpression(expr, context));
}

export function githubShellSteps(settings: Settings, text = readFileSync(join(templatesRoot, ".github/workflows/deploy.yml"), "utf8")): ShellStep[] {
  const wf = parse(text) as { env?: Record<string, string>; defaults?: { run?: { shell?: string } }; jobs: Record<string, { env?: Record<string, string>; defaults?: { run?: { shell?: string } }; steps: Step[]; permissions?: Record<string, string> }> };
  const github = { event_name: settings.event, ref: settings.event === "push" ? "refs/heads/main" : "refs/pull/7/merge", repository: "contoso/audit-lake" };
  const out: ShellStep[] = [];
  const wfEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(wf.env ?? {})) wfEnv[k] = githubSubstitute(String(v), { vars: settings.vars, github, env: wfEnv });
  for (const [jobName, job] of Object.entries(wf.jobs)) {
    const jobEnv: Record<string, string> = { ...wfEnv };
    for (const [k, v] of Object.entries(job.env ?? {})) jobEnv[k] = githubSubstitute(String(v), { vars: settings.vars, github, env: jobEnv });
    // The runner hands a job with id-token: write the means to ask for OIDC tokens.
    if (job.permissions?.["id-token"] === "write") {
      jobEnv.ACTIONS_ID_TOKEN_REQUEST_TOKEN = SECRET_MARKERS.idTokenRequestToken;
      jobEnv.ACTIONS_ID_TOKEN_REQUEST_URL = "http://127.0.0.1:9/token";
    }
    let index = 0;
    job.steps.forEach((step, i) => {
      if (step.run === undefined) return;
      const shellName = step.shell ?? job.defaults?.run?.shell ?? wf.defaults?.run?.shell ?? "default";
      const shell = GITHUB_SHELLS[shellName];
      if (!shell) throw new Error(`pipeline-steps: ${jobName} step ${i} uses shell '${shellName}', which these tests do not model`);
      const env = { ...jobEnv };
      for (const [k, v] of Object.entries(step.env ?? {})) env[k] = githubSubstitute(String(v), { vars: settings.vars, github, env });
      const context = { vars: settings.vars, github, env };
      out.push({ system: "github", job: jobName, index: index++, name: step.name ?? step.run.split("\n")[0], script: githubSubstitute(step.run, context), shell, env });
    });
  }
  return out;
}

// ---------------------------------------------------------------- Azure Pipelines

const ADO_SCRIPT_SHELL = ["bash", "--noprofile", "--norc", "{0}"];
const ADO_AZURECLI_SHELL = ["bash", "{0}"];

/** Predefined variables a run has; System.AccessToken is a secret, so it reaches a script only through `env:`. */
function adoPredefined(settings: Settings, tempDir: string, workDir: string): Array<{ name: string; value: string; secret?: boolean }> {
  return [
    { name: "Agent.TempDirectory", value: tempDir },
    { name: "System.DefaultWorkingDirectory", value: workDir },
    { name: "Build.SourceBranch", value: settings.event === "push" ? "refs/heads/main" : "refs/pull/7/merge" },
    { name: "Build.Reason", value: settings.event === "push" ? "IndividualCI" : "PullRequest" },
    { name: "System.AccessToken", value: SECRET_MARKERS.systemAccessToken, secret: true },
  ];
}

/** Macro syntax `$(name)`: replaced when the variable exists, left as written otherwise (so `$(seq 1 60)` stays shell). */
function adoMacro(text: string, variables: Map<string, string>): string {
  return text.replace(/\$\(([\w.]+)\)/g, (whole, name: string) => variables.get(name.toLowerCase()) ?? whole);
}

export interface AdoLayout {
  /** Agent.TempDirectory and System.DefaultWorkingDirectory: the harness makes both per run. */
  tempDir: string;
  workDir: string;
}

export function adoShellSteps(settings: Settings, layout: AdoLayout, root = templatesRoot): ShellStep[] {
  const pipeline = parse(readFileSync(join(root, ".azure-pipelines/deploy.yml"), "utf8")) as {
    variables?: Array<{ name: string; value: string }> | Record<string, string>;
    stages: Array<{ stage: string; jobs: Array<{ job?: string; deployment?: string; steps?: Step[]; strategy?: { runOnce: { deploy: { steps: Step[] } } } }> }>;
  };
  const yamlVariables = Array.isArray(pipeline.variables) ? pipeline.variables : Object.entries(pipeline.variables ?? {}).map(([name, value]) => ({ name, value }));
  // A variable defined in the YAML wins over one of the same name set in the UI (Learn, "Define variables").
  const all = [
    ...Object.entries(settings.vars).filter(([k]) => !yamlVariables.some((v) => v.name.toLowerCase() === k.toLowerCase())).map(([name, value]) => ({ name, value: String(value) })),
    ...yamlVariables.map((v) => ({ name: v.name, value: String(v.value) })),
    ...adoPredefined(settings, layout.tempDir, layout.workDir),
  ];
  const variables = new Map(all.map((v) => [v.name.toLowerCase(), v.value]));
  // Every non-secret variable reaches scripts as an environment variable: upper case, dots as underscores.
  const autoEnv = Object.fromEntries(all.filter((v) => !("secret" in v && v.secret)).map((v) => [v.name.toUpperCase().replace(/\./g, "_"), v.value]));
  const compile = (text: string) => text.replace(/\$\{\{\s*variables\.([\w.]+)\s*\}\}/g, (_, n: string) => yamlVariables.find((v) => v.name === n)?.value ?? "");
  const expand = (steps: Step[]): Step[] =>
    steps.flatMap((s) => (s.template ? expand((parse(readFileSync(join(root, ".azure-pipelines", s.template), "utf8")) as { steps: Step[] }).steps) : [s]));

  const out: ShellStep[] = [];
  for (const stage of pipeline.stages) {
    for (const job of stage.jobs) {
      const jobName = `${stage.stage}.${job.job ?? job.deployment}`;
      let index = 0;
      for (const step of expand(job.steps ?? job.strategy?.runOnce.deploy.steps ?? [])) {
        const env: Record<string, string> = { ...autoEnv };
        for (const [k, v] of Object.entries(step.env ?? {})) env[k] = adoMacro(compile(String(v)), variables);
        const script = step.script ?? step.bash;
        if (script !== undefined) {
          out.push({ system: "ado", job: jobName, index: index++, name: step.displayName ?? script.split("\n")[0], script: adoMacro(compile(script), variables), shell: ADO_SCRIPT_SHELL, env });
        } else if (step.task?.startsWith("AzureCLI@") && step.inputs?.inlineScript !== undefined) {
          if (step.inputs.scriptType !== "bash") throw new Error(`pipeline-steps: ${jobName} AzureCLI step is not bash`);
          const connection = adoMacro(compile(step.inputs.azureSubscription ?? step.inputs.connectedServiceNameARM ?? ""), variables);
          out.push({
            system: "ado", job: jobName, index: index++, name: step.displayName ?? "AzureCLI", script: adoMacro(compile(step.inputs.inlineScript), variables),
            shell: ADO_AZURECLI_SHELL, env, serviceConnection: connection,
          });
        }
      }
    }
  }
  return out;
}
