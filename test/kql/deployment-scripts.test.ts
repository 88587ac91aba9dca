// What the deployment sends to a tenant database: rendered, idempotent, ordered; and what Sentinel gets.
import { describeCommand } from "../../kql/commands";
import { loadHuntingQueries } from "../../kql/hunting";
import {
  DEFAULT_SCRIPT_PARAMETERS,
  KqlScriptError,
  deploymentCommands,
  deploymentScript,
  renderScript,
  scriptParameters,
} from "../../kql/scripts";
import { sentinelWorkspaceFunctions } from "../../kql/sentinel";
import { DedupViews, Tables, dedupViewName } from "../../kql/tables";

describe("script parameters", () => {
  it("default to 365 days of retention, 31 days hot and a 14-day dedup lookback", () => {
    expect(DEFAULT_SCRIPT_PARAMETERS).toEqual({ retentionDays: 365, hotCacheDays: 31, dedupLookbackDays: 14 });
    expect(renderScript("softdelete = {{retentionDays}}d, hot = {{ hotCacheDays }}d")).toBe("softdelete = 365d, hot = 31d");
  });

  it("are set at deploy time", () => {
    expect(renderScript("softdelete = {{retentionDays}}d", { retentionDays: 730 })).toBe("softdelete = 730d");
    const commands = deploymentCommands({ parameters: { retentionDays: 730, hotCacheDays: 90 } });
    const retention = commands.filter((c) => describeCommand(c).kind === "policy" && /policy retention/.test(c));
    expect(retention).toHaveLength(8); // four tables, four dedup views
    for (const c of retention) expect(c).toMatch(/softdelete = 730d recoverability = enabled$/);
    expect(commands.filter((c) => /policy caching hot = 90d$/.test(c))).toHaveLength(8);
  });

  it("are refused with a typed error that says what to fix", () => {
    expect(() => scriptParameters({ retentionDays: 0 })).toThrow(KqlScriptError);
    expect(() => scriptParameters({ hotCacheDays: 400 })).toThrow(/hotCacheDays must not exceed retentionDays/);
    try {
      renderScript("{{retentionDay}}");
      throw new Error("rendered an unknown placeholder");
    } catch (e) {
      expect(e).toBeInstanceOf(KqlScriptError);
      expect((e as KqlScriptError).code).toBe("UnknownScriptPlaceholder");
      expect((e as Error).message).toMatch(/\{\{retentionDay\}\} has no parameter; known parameters: retentionDays, hotCacheDays, dedupLookbackDays/);
    }
  });
});

describe("the deployment script", () => {
  const commands = deploymentCommands();

  it("leaves no placeholder and no comment behind", () => {
    for (const c of commands) {
      expect(c).not.toMatch(/\{\{/);
      expect(c.split("\n").filter((l) => /^\s*\/\//.test(l))).toEqual([]);
    }
  });

  it("is idempotent command by command, so re-running it is safe", () => {
    for (const c of commands) {
      const info = describeCommand(c);
      const idempotent =
        (info.kind === "table" && /^\.create-merge table /.test(c)) ||
        (info.kind === "mapping" && /^\.create-or-alter table /.test(c)) ||
        (info.kind === "policy" && /^\.alter(-merge)? /.test(c)) ||
        (info.kind === "materialized-view" && /^\.create ifnotexists materialized-view /.test(c)) ||
        (info.kind === "function" && /^\.create-or-alter function /.test(c));
      if (!idempotent) throw new Error(`not idempotent: ${c.slice(0, 120)}`);
    }
  });

  it("creates each table with its mapping, policies and dedup view before any function", () => {
    const firstFunction = commands.findIndex((c) => describeCommand(c).kind === "function");
    for (const table of Object.values(Tables)) {
      const view = commands.findIndex((c) => {
        const info = describeCommand(c);
        return info.kind === "materialized-view" && info.name === dedupViewName(table) && info.source === table;
      });
      expect(view).toBeGreaterThan(commands.findIndex((c) => c.startsWith(`.create-merge table ${table} (`)));
      expect(view).toBeLessThan(firstFunction);
    }
    expect(commands.filter((c) => /^\.alter column \w+\.\w+ policy encoding type = 'BigObject32'$/.test(c)).map((c) => c.split(" ")[2])).toEqual([
      "ingestion_errors.Payload",
      "microsoft_unified_audit.Record",
    ]);
  });

  it("creates every function after the functions it calls", () => {
    const names = commands.map((c) => describeCommand(c)).flatMap((i) => (i.kind === "function" ? [i.name] : []));
    expect(names.indexOf("NormalizedIp")).toBeLessThan(names.indexOf("MailAccessScope"));
    expect(names.indexOf("MailAccessScope")).toBeLessThan(names.indexOf("MailAccessWithEmailEvents"));
  });

  it("creates EmailEvents only when asked", () => {
    expect(deploymentScript()).not.toMatch(/\.create-merge table EmailEvents/);
    expect(deploymentScript({ includeEmailEvents: true })).toMatch(/\.create-merge table EmailEvents \(/);
  });

  it("separates commands with one blank line and has none inside a command (Kusto editors stop at a blank line)", () => {
    const script = deploymentScript();
    expect(script.split("\n\n")).toHaveLength(commands.length);
  });
});

describe("Sentinel linkage", () => {
  it("names one workspace function per dedup view and per table, each wrapping adx() of the tenant database", () => {
    const functions = sentinelWorkspaceFunctions("https://lake.westeurope.kusto.windows.net/", "audit_1a2b3c4d");
    expect(functions.map((f) => f.name).sort()).toEqual([...Object.values(DedupViews), ...Object.values(Tables)].sort());
    expect(functions.find((f) => f.name === DedupViews.accessMail)!.query).toBe(
      "adx('https://lake.westeurope.kusto.windows.net/audit_1a2b3c4d').microsoft_unified_access_mail_dedup",
    );
  });

  it("refuses an endpoint that is not an ADX https cluster URI", () => {
    expect(() => sentinelWorkspaceFunctions("http://lake.kusto.windows.net", "db")).toThrow(/is not an ADX query endpoint/);
    expect(() => sentinelWorkspaceFunctions("https://lake.kusto.windows.net", "bad name'")).toThrow(/is not an ADX database name/);
  });

  it("hands the infrastructure every hunting query, typed, with its tactics", () => {
    const queries = loadHuntingQueries();
    expect(queries.length).toBeGreaterThanOrEqual(9);
    for (const q of queries) {
      expect(q.path).toMatch(/^kql\/hunting\/[\w-]+\.yaml$/);
      expect(q.tactics.length).toBeGreaterThan(0);
      expect(q.query.trim().length).toBeGreaterThan(0);
    }
  });
});
