// Reads what `synthesize` wrote: each stack's cdk.tf.json, and its resources by type, the way a reviewer reads a plan.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LoadOptions } from "../../infra/config/load";
import { synthesize, type SynthResult } from "../../infra/synth";

export type TerraformJson = {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, { value: unknown }>;
  provider?: Record<string, Array<Record<string, unknown>>>;
  terraform?: { backend?: Record<string, Record<string, unknown>> };
};

export interface SynthesizedExample {
  result: SynthResult;
  seconds: number;
  /** Stack name → its Terraform JSON text. */
  text: Map<string, string>;
  json: Map<string, TerraformJson>;
  remove(): void;
}

export const EXAMPLES = join(__dirname, "..", "..", "infra", "examples");

export async function synthesizeExample(file: string, opts: LoadOptions = {}): Promise<SynthesizedExample> {
  const outDir = mkdtempSync(join(tmpdir(), "audit-lake-synth-"));
  const started = performance.now();
  const result = await synthesize({ ...opts, configPath: file.includes("/") ? file : join(EXAMPLES, file), outDir });
  const seconds = (performance.now() - started) / 1000;
  const text = new Map(result.stacks.map((s) => [s.name, readFileSync(join(s.dir, "cdk.tf.json"), "utf8")]));
  const json = new Map([...text].map(([name, t]) => [name, JSON.parse(t) as TerraformJson]));
  return { result, seconds, text, json, remove: () => rmSync(outDir, { recursive: true, force: true }) };
}

/** Every resource of one type in a stack. */
export function resourcesOf(stack: TerraformJson, type: string): Array<Record<string, unknown>> {
  return Object.values(stack.resource?.[type] ?? {});
}

/** Every resource of every stack, with its type and stack. */
export function allResources(example: SynthesizedExample): Array<{ stack: string; type: string; name: string; body: Record<string, unknown> }> {
  return [...example.json].flatMap(([stack, j]) =>
    Object.entries(j.resource ?? {}).flatMap(([type, byName]) => Object.entries(byName).map(([name, body]) => ({ stack, type, name, body }))),
  );
}
