// What deploy needs from the infrastructure app's synthesis, and how the CLI is wired to it.
// main.ts passes infra/synth.ts's synthesize(), whose result is a superset of SynthOutcome (stacks in apply order,
// platform first; outputs.functionAppId and the rest of what is known before apply).
import { CliError } from "../output/cli-error";
import { ExitCode } from "../output/exit-codes";

export interface SynthOutcome {
  /** In the order they must be applied. `dir` holds cdk.tf.json. */
  stacks: Array<{ name: string; dir: string }>;
  /** Known before apply; when absent, deploy reads the applied stacks' `function_app_id` output instead. */
  outputs?: { functionAppId?: string; /** platform.azureCloud: which Resource Manager publish talks to */ azureCloud?: "public" | "usgovernment"; [name: string]: unknown };
}

export type SynthFunction = (configPath: string, outDir: string) => Promise<SynthOutcome>;

/** The stacks to apply: all, or the named ones (in synth order); an unknown name is refused with the list. */
export function selectStacks(all: SynthOutcome["stacks"], names: string[] | undefined): SynthOutcome["stacks"] {
  if (!names || names.length === 0) return all;
  const unknown = names.filter((n) => !all.some((s) => s.name === n));
  if (unknown.length > 0) {
    throw new CliError(
      "StackNotFound",
      `The config synthesizes no stack named ${unknown.map((n) => `'${n}'`).join(", ")}.`,
      `Pick from: ${all.map((s) => s.name).join(", ")} (or leave out --stack to deploy them all).`,
      ExitCode.NotFound,
    );
  }
  return all.filter((s) => names.includes(s.name));
}

const SITE_ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Web\/sites\/([^/]+)$/i;

/** Splits a Microsoft.Web/sites resource id into the coordinates publish takes. */
export function siteFromResourceId(id: string): { subscription: string; resourceGroup: string; site: string } | undefined {
  const m = SITE_ID.exec(id);
  return m ? { subscription: m[1], resourceGroup: m[2], site: m[3] } : undefined;
}
