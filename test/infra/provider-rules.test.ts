// Every resource both examples (and the MSSP one with operator sign-in) synthesize, checked against the providers' and Resource Manager's rules
// (test/infra/provider-rules.ts): what would stop `terraform plan` or `apply` stops here first.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { attributesWithoutRules, PROVIDER_RULES, typesWithoutRules, violations } from "./provider-rules";
import { EXAMPLES, synthesizeExample, type SynthesizedExample } from "./synthesized-stacks";

// Operator sign-in is off in both examples: the MSSP example with it on stands for it (Entra app, authsettingsV2).
const WITH_SIGN_IN = "mssp.yaml with platform.operatorSignIn";
const examples: Array<[string, SynthesizedExample?]> = [["single-tenant.yaml"], ["mssp.yaml"], [WITH_SIGN_IN]];
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "audit-lake-rules-"));
  const doc = parseDocument(readFileSync(join(EXAMPLES, "mssp.yaml"), "utf8"));
  doc.setIn(["platform", "operatorSignIn"], { tenantGroups: { "0a0a0a0a-0000-4000-8000-0000000000aa": ["c1c1c1c1-0000-4000-8000-000000000001"] } });
  writeFileSync(join(dir, "mssp-sign-in.yaml"), doc.toString());
  for (const e of examples) e[1] = await synthesizeExample(e[0] === WITH_SIGN_IN ? join(dir, "mssp-sign-in.yaml") : e[0]);
}, 60_000);
afterAll(() => {
  examples.forEach(([, e]) => e?.remove());
  rmSync(dir, { recursive: true, force: true });
});

test("every rule names its source", () => {
  for (const r of PROVIDER_RULES) expect({ rule: `${r.resource}.${r.attribute}`, source: r.source.length > 10 }).toEqual({ rule: `${r.resource}.${r.attribute}`, source: true });
});

describe.each(examples.map(([name]) => [name]))("%s", (name) => {
  const example = () => examples.find(([n]) => n === name)![1]!;

  test("every synthesized resource passes the providers' and ARM's rules", () => {
    const found = [...example().json].flatMap(([stack, json]) => violations(stack, json));
    expect(found).toEqual([]);
  });

  test("every resource type written has its rules in the table", () => {
    for (const [stack, json] of example().json) expect({ stack, missing: typesWithoutRules(json) }).toEqual({ stack, missing: [] });
  });

  test("every attribute written has its rule (or its 'no validation' entry) in the table", () => {
    for (const [stack, json] of example().json) expect({ stack, missing: attributesWithoutRules(json) }).toEqual({ stack, missing: [] });
  });
});

test("the operator sign-in variant writes what it stands for: the operator API's app roles and its authsettingsV2", () => {
  const stacks = [...examples.find(([n]) => n === WITH_SIGN_IN)![1]!.json.values()];
  const apps = stacks.flatMap((j) => Object.values(j.resource?.azuread_application ?? {})) as Array<{ app_role?: unknown[] }>;
  expect(apps.some((a) => (a.app_role ?? []).length === 2)).toBe(true);
  const templates = stacks.flatMap((j) => Object.values(j.resource?.azurerm_resource_group_template_deployment ?? {})) as Array<{ template_content: string }>;
  expect(templates.some((t) => t.template_content.includes("authsettingsV2"))).toBe(true);
});
