// Whatever the config schema accepts, the providers accept: configs drawn from across the schema's range (seeded,
// test/infra/config-generator.ts) are synthesized and every resource is checked against the providers' and ARM's rules
// (test/infra/provider-rules.ts). A draw the providers would refuse must be refused by the loader first, naming the
// field and the fix.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { DeploymentConfigError } from "../../infra/config/load";
import { synthesize } from "../../infra/synth";
import { generateConfig, seeded } from "./config-generator";
import { violations } from "./provider-rules";
import type { TerraformJson } from "./synthesized-stacks";
import { readFileSync } from "node:fs";

const SEED = 20261206;
const DRAWS = 30;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "audit-lake-property-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test(`${DRAWS} configs across the schema's range: each synthesizes to resources the providers accept, or is refused naming the field and the fix`, async () => {
  const r = seeded(SEED);
  const outcomes = { accepted: 0, refused: 0, overLimit: 0, tenants: [] as number[] };
  for (let i = 0; i < DRAWS; i++) {
    // Mostly small deployments; every fifth an MSSP of up to 100 clients (past 50 the loader must refuse).
    const { config, refusedAt } = generateConfig(r, i % 5 === 4 ? 100 : 6);
    const file = join(dir, `draw-${i}.yaml`);
    writeFileSync(file, stringify(config));
    const out = join(dir, `out-${i}`);
    const draw = `draw ${i} (seed ${SEED}): ${file}`;
    try {
      const result = await synthesize({ configPath: file, outDir: out });
      expect({ draw, refusedAt }).toEqual({ draw, refusedAt: undefined });
      const found = result.stacks.flatMap((s) => violations(s.name, JSON.parse(readFileSync(join(s.dir, "cdk.tf.json"), "utf8")) as TerraformJson));
      expect({ draw, found }).toEqual({ draw, found: [] });
      outcomes.accepted++;
      outcomes.tenants.push(result.config.tenants.length);
    } catch (e) {
      if (!(e instanceof DeploymentConfigError)) throw e;
      // Every problem names its field and says what to do (a sentence after the message).
      for (const p of e.problems) expect({ draw, p, named: /^[\w.[\]]+: .+\. \S.+/.test(p) }).toEqual({ draw, p, named: true });
      // Past 50 tenants the cross-field check must say so (it runs once the fields themselves are valid).
      const fieldsValid = e.problems.every((p) => !p.startsWith("platform."));
      if (refusedAt && fieldsValid) {
        expect({ draw, problems: e.problems.filter((p) => p.startsWith(`${refusedAt}:`)).length }).toEqual({ draw, problems: 1 });
        outcomes.overLimit++;
      }
      outcomes.refused++;
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
  // The draws must mostly reach synthesis, or the property says little.
  expect(outcomes.accepted).toBeGreaterThanOrEqual(DRAWS / 2);
  expect(outcomes.overLimit).toBeGreaterThan(0);
  process.stderr.write(`\n[config-property] ${outcomes.accepted} accepted (tenants ${Math.min(...outcomes.tenants)}-${Math.max(...outcomes.tenants)}), ${outcomes.refused} refused (${outcomes.overLimit} past the 50-tenant limit)\n`);
}, 300_000);
