// `m365-audit-lake stacks`: synthesize a deployment config offline and list its stacks in apply order, for pipelines
// that plan or apply each stack with terraform themselves (the CI/CD templates do).
import { Command, Option } from "commander";
import { resolve } from "node:path";
import { commandAction, withJson, type CommonOptions, type ExitCodeSink } from "../output/command-action";
import { writeResult, type CommandIo } from "../output/command-io";
import type { SynthFunction } from "./synthesized-stacks";

interface StacksCommandOptions extends CommonOptions {
  config: string;
  out: string;
}

export function stacksCommand(io: CommandIo, sink: ExitCodeSink, synth: SynthFunction): Command {
  const command = new Command("stacks")
    .summary("synthesize a deployment config and list its stacks in apply order (platform first)")
    .description(
      "Synthesize the CDKTF app offline into --out and print the stack names in the order they must be applied, one per line " +
        "(each is a terraform working directory: <out>/stacks/<name>). With --json: the stacks and what is known before apply " +
        "(resource group, Function App name and id).",
    )
    .requiredOption("--config <file>", "deployment config (YAML; see infra/examples/)")
    .addOption(new Option("--out <dir>", "where the stacks are synthesized").default("cdktf.out"));
  withJson(command);
  command.addHelpText("after", "\nExample (plan every stack):\n  for s in $(m365-audit-lake stacks --config deploy.yaml); do terraform -chdir=cdktf.out/stacks/$s init && terraform -chdir=cdktf.out/stacks/$s plan; done");
  return command.action(
    commandAction<StacksCommandOptions>(io, sink, async (o) => {
      const outcome = await synth(resolve(o.config), resolve(o.out));
      writeResult(io, o.json, { stacks: outcome.stacks, outputs: outcome.outputs ?? {} }, outcome.stacks.map((s) => s.name).join("\n"));
    }),
  );
}
