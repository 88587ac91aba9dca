// The alerting both examples deploy, read as a reviewer reads a plan: who is told (and no webhook URL in the output),
// the availability test of the anonymous probe, one log alert per rule of kql/alerts.ts with its fix and the
// tenants' names, the Sentinel gap rule per linked workspace — each within what azurerm 4.55 validates.
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { ALERT_RULES } from "../../kql/alerts";
import { logAlertDuration } from "../../infra/constructs/alerts";
import { alertsSchema } from "../../infra/config/alerts-schema";
import { DeploymentConfigError, loadDeploymentConfig } from "../../infra/config/load";
import { allResources, EXAMPLES, synthesizeExample, type SynthesizedExample } from "./synthesized-stacks";

const examples: Array<[string, SynthesizedExample?]> = [["single-tenant.yaml"], ["mssp.yaml"]];
beforeAll(async () => {
  for (const e of examples) e[1] = await synthesizeExample(e[0]);
}, 60_000);
afterAll(() => examples.forEach(([, e]) => e?.remove()));

// azurerm 4.55.0: monitor_scheduled_query_rules_alert_v2 evaluation_frequency / window_duration, metric alert,
// web test frequency, Sentinel query_frequency/query_period (PT5M..P14D) and severity
const FREQUENCIES = ["PT1M", "PT5M", "PT10M", "PT15M", "PT30M", "PT45M", "PT1H", "PT2H", "PT3H", "PT4H", "PT5H", "PT6H", "P1D"];
const WINDOWS = [...FREQUENCIES, "P2D"];
const QUERY_RANGES = ["PT5M", "PT10M", "PT15M", "PT20M", "PT30M", "PT45M", "PT1H", "PT2H", "PT3H", "PT4H", "PT5H", "PT6H", "P1D", "P2D"];
const SENTINEL_SEVERITIES = ["High", "Medium", "Low", "Informational"];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function of(example: SynthesizedExample, type: string) {
  return allResources(example).filter((r) => r.type === type);
}

describe.each(examples.map(([name]) => [name]))("%s", (name) => {
  const example = () => examples.find(([n]) => n === name)![1]!;
  const config = () => parseDocument(readFileSync(join(EXAMPLES, name), "utf8")).toJS() as any;

  test("one action group: the config's e-mail addresses, and the webhook by reference only", () => {
    const [group] = of(example(), "azurerm_monitor_action_group");
    const body = group!.body as any;
    expect(body.short_name.length).toBeLessThanOrEqual(12);
    expect(body.email_receiver.map((r: { email_address: string }) => r.email_address)).toEqual(config().alerts.email);
    expect(body.webhook_receiver).toHaveLength(1);
    // a Terraform reference (a Key Vault secret's value or a sensitive variable), never a literal URL
    expect(body.webhook_receiver[0].service_uri).toMatch(/^\$\{(data\.azurerm_key_vault_secret\.[\w-]+\.value|var\.[\w-]+)\}$/);
    for (const text of example().text.values()) expect(text).not.toMatch(/https:\/\/[^"]*(webhook|pagerduty|office\.com)/i);
    if (config().alerts.webhook.setting) {
      const platform = example().json.get(example().result.stacks[0]!.name)! as any;
      const variable = Object.values(platform.variable ?? {})[0] as { sensitive: boolean };
      expect(variable.sensitive).toBe(true);
    }
  });

  test("the availability test calls the anonymous probe with no secret, and alerts on failure from several locations", () => {
    const [test] = of(example(), "azurerm_application_insights_standard_web_test");
    const body = test!.body as any;
    expect(body.request.url).toMatch(/^https:\/\/\$\{.*defaultHostName.*\}\/api\/health\/probe$/);
    expect(body.request.header).toBeUndefined();
    expect([300, 600, 900]).toContain(body.frequency);
    expect(body.validation_rules.expected_status_code).toBe(200);
    expect(body.geo_locations.length).toBeGreaterThanOrEqual(2);
    const [alert] = of(example(), "azurerm_monitor_metric_alert");
    expect((alert!.body as any).application_insights_web_test_location_availability_criteria).toMatchObject({ failed_location_count: 2 });
    expect((alert!.body as any).action[0].action_group_id).toMatch(/azurerm_monitor_action_group/);
  });

  test("one log alert per rule over Application Insights, its fix as description, the config's threshold, tenants by name", () => {
    const rules = of(example(), "azurerm_monitor_scheduled_query_rules_alert_v2").map((r) => r.body as any);
    expect(rules.map((r) => r.name.replace(/^[a-z0-9]+-/, "")).sort()).toEqual(ALERT_RULES.map((r) => r.id).sort());
    const overrides = config().alerts.rules ?? {};
    for (const rule of ALERT_RULES) {
      const body = rules.find((r) => r.name.endsWith(`-${rule.id}`))!;
      expect(body.description).toBe(rule.fix);
      expect(body.scopes[0]).toMatch(/azurerm_application_insights\./);
      expect(FREQUENCIES).toContain(body.evaluation_frequency);
      expect(WINDOWS).toContain(body.window_duration);
      expect(body.window_duration).toBe(body.evaluation_frequency);
      // the rule's lookback (the lag rule's 2 days) as the query time range: within PT5M..P2D, never below the window
      if (rule.windowMinutes > rule.frequencyMinutes) expect(QUERY_RANGES).toContain(body.query_time_range_override);
      else expect(body.query_time_range_override).toBeUndefined();
      expect(body.severity).toBe(overrides[rule.id]?.severity ?? rule.severity);
      const threshold = overrides[rule.id]?.threshold ?? rule.threshold;
      expect(body.criteria[0].query).toContain(rule.unit === "minutes" ? `let threshold = ${threshold}m;` : `let threshold = ${threshold};`);
      for (const t of config().tenants) expect(body.criteria[0].query).toContain(`"${t.displayName}"`);
      expect(body.criteria[0].dimension.map((d: { name: string }) => d.name)).toContain("tenantName");
      expect(body.action.action_groups).toHaveLength(1);
    }
  });

  test("a Sentinel ingestion-gap rule in each linked workspace, naming the tenant, within the provider's rules", () => {
    const linked = config().tenants.filter((t: { sentinel: { workspace: string } }) => t.sentinel.workspace !== "none");
    const rules = of(example(), "azurerm_sentinel_alert_rule_scheduled").map((r) => r.body as any);
    expect(rules).toHaveLength(linked.length);
    for (const t of linked) {
      const rule = rules.find((r) => r.display_name.endsWith(t.displayName))!;
      expect(rule.name).toMatch(GUID);
      expect(SENTINEL_SEVERITIES).toContain(rule.severity);
      expect(rule.query).toContain(`let tenantId = "${t.tenant}";`);
      // the query itself (not its header comment) reads the platform workspace's AppTraces, never the tenant workspace's
      const code = rule.query.split("\n").filter((l: string) => !l.trimStart().startsWith("//")).join("\n");
      expect(code).toMatch(/workspace\("\/subscriptions\/.*\/workspaces\/[\w-]+-logs"\)\.AppTraces/);
      expect(code.replace(/workspace\("[^"]+"\)\.AppTraces/g, "")).not.toMatch(/\bAppTraces\b/);
      expect(rule.query_frequency).toBe("PT15M");
      expect(rule.query_period).toBe("P2D");
      expect(rule.tactics).toEqual(["DefenseEvasion"]);
    }
  });
});

test("alerts: a webhook written inline, a bad address or an unknown rule is refused with what to write instead", () => {
  const inline = alertsSchema.safeParse({ webhook: "https://contoso.webhook.office.com/x" });
  expect(inline.success).toBe(false);
  expect(inline.error!.issues[0]!.message).toMatch(/never sits in the config/);
  expect(alertsSchema.safeParse({ email: ["not an address"] }).success).toBe(false);
  expect(alertsSchema.safeParse({ rules: { "no-such-rule": { threshold: 1 } } }).success).toBe(false);
  expect(alertsSchema.safeParse({ availability: { frequencySeconds: 60 } }).success).toBe(false);
  // the defaults: every rule on, the availability test on, the Sentinel rule on
  expect(alertsSchema.parse({})).toMatchObject({ email: [], rules: {}, availability: { enabled: true, frequencySeconds: 300 }, sentinel: { enabled: true, gapMinutes: 120 } });
});

test("a config without alerts deploys every rule with its defaults; a rule turned off is not deployed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alerts-config-"));
  try {
    const doc = parseDocument(readFileSync(join(EXAMPLES, "single-tenant.yaml"), "utf8")).toJS() as any;
    delete doc.alerts;
    writeFileSync(join(dir, "none.yaml"), JSON.stringify(doc));
    const bare = await synthesizeExample(join(dir, "none.yaml"));
    expect(of(bare, "azurerm_monitor_scheduled_query_rules_alert_v2")).toHaveLength(ALERT_RULES.length);
    const [group] = of(bare, "azurerm_monitor_action_group");
    expect((group!.body as any).email_receiver).toEqual([]);
    bare.remove();

    doc.alerts = { rules: { "planner-failing": { enabled: false } }, availability: { enabled: false }, sentinel: { enabled: false } };
    writeFileSync(join(dir, "off.yaml"), JSON.stringify(doc));
    const off = await synthesizeExample(join(dir, "off.yaml"));
    expect(of(off, "azurerm_monitor_scheduled_query_rules_alert_v2").map((r) => (r.body as any).name)).not.toContain("contosoal-planner-failing");
    expect(of(off, "azurerm_application_insights_standard_web_test")).toEqual([]);
    expect(of(off, "azurerm_sentinel_alert_rule_scheduled")).toEqual([]);
    off.remove();

    doc.alerts = { webhook: "https://contoso.webhook.office.com/x" };
    writeFileSync(join(dir, "inline.yaml"), JSON.stringify(doc));
    await expect(synthesizeExample(join(dir, "inline.yaml"))).rejects.toBeInstanceOf(DeploymentConfigError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

test("availability locations: an unknown tag, a tag of the other cloud, or more failed locations than locations is refused naming the field and the tags", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alerts-locations-"));
  const refusal = async (availability: Record<string, unknown>) => {
    const doc = parseDocument(readFileSync(join(EXAMPLES, "single-tenant.yaml"), "utf8")).toJS() as any;
    doc.alerts.availability = availability;
    const file = join(dir, "c.yaml");
    writeFileSync(file, JSON.stringify(doc));
    try {
      await loadDeploymentConfig(file);
      return undefined;
    } catch (e) {
      if (!(e instanceof DeploymentConfigError)) throw e;
      return e.problems;
    }
  };
  try {
    // westeurope is a region, not a population tag: ARM refuses it (azurerm checks only that it is not empty)
    expect(await refusal({ locations: ["westeurope"] })).toEqual([expect.stringMatching(/^alerts\.availability\.locations\[0\]: westeurope is not an availability test location\. .*emea-nl-ams-azr.*usgov-va-azr/)]);
    expect(await refusal({ locations: ["usgov-va-azr", "emea-nl-ams-azr"] })).toEqual([expect.stringMatching(/^alerts\.availability\.locations: usgov-va-azr is not a location of the public cloud\. List population tags/)]);
    expect(await refusal({ failedLocations: 6 })).toEqual([expect.stringMatching(/^alerts\.availability\.failedLocations: is 6, but the test runs from 5 locations: it could never alert\. /)]);
    expect(await refusal({ locations: ["emea-nl-ams-azr", "us-va-ash-azr", "apac-sg-sin-azr"], failedLocations: 3 })).toBeUndefined();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("log alert durations follow azurerm's three lists: no P2D frequency, no PT1M query time range, PT20M only as a time range", () => {
  expect(logAlertDuration(2880, "rule", "window")).toBe("P2D");
  expect(() => logAlertDuration(2880, "rule", "frequency")).toThrow(/rule: 2880 minutes is not a log alert frequency/);
  expect(logAlertDuration(1, "rule", "frequency")).toBe("PT1M");
  expect(() => logAlertDuration(1, "rule", "timeRange")).toThrow(/not a log alert timeRange/);
  expect(logAlertDuration(20, "rule", "timeRange")).toBe("PT20M");
  expect(() => logAlertDuration(20, "rule", "window")).toThrow();
});
