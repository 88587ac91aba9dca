// Every resource both examples synthesize, checked against the providers' and Resource Manager's rules
// (test/infra/provider-rules.ts): what would stop `terraform plan` or `apply` stops here first.
import { attributesWithoutRules, PROVIDER_RULES, typesWithoutRules, violations } from "./provider-rules";
import { synthesizeExample, type SynthesizedExample } from "./synthesized-stacks";

const examples: Array<[string, SynthesizedExample?]> = [["single-tenant.yaml"], ["mssp.yaml"]];

beforeAll(async () => {
  for (const e of examples) e[1] = await synthesizeExample(e[0]);
}, 60_000);
afterAll(() => examples.forEach(([, e]) => e?.remove()));

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
