// Terraform (or OpenTofu) run directly in a synthesized stack folder: `init` then `apply`, output streamed line by
// line. cdktf-cli is not needed for that, and its weight (~250 MB) buys nothing here.
import { spawn } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { CliError } from "../output/cli-error";
import { ExitCode } from "../output/exit-codes";

export const TERRAFORM_INSTALL_HINT =
  "Install Terraform >= 1.5 (https://developer.hashicorp.com/terraform/install) or OpenTofu (https://opentofu.org/docs/intro/install/) " +
  "and put `terraform` or `tofu` on PATH, or pass --terraform <path to the binary>.";

export interface TerraformBinary {
  path: string;
  flavor: "terraform" | "tofu";
}

export interface FindTerraformOptions {
  /** An explicit binary (--terraform): used as given, never searched for. */
  binary?: string;
  /** The PATH to search (default process.env.PATH). */
  searchPath?: string;
}

/** terraform first, then tofu, on PATH; a clear error with the install hint when neither is there. */
export function findTerraform(options: FindTerraformOptions = {}): TerraformBinary {
  if (options.binary) {
    if (!isExecutable(options.binary)) {
      throw new CliError("TerraformNotFound", `--terraform ${options.binary} is not an executable file.`, TERRAFORM_INSTALL_HINT, ExitCode.Prerequisite);
    }
    return { path: options.binary, flavor: /tofu[^/\\]*$/.test(options.binary) ? "tofu" : "terraform" };
  }
  const dirs = (options.searchPath ?? process.env.PATH ?? "").split(delimiter).filter(Boolean);
  for (const flavor of ["terraform", "tofu"] as const) {
    for (const dir of dirs) {
      const path = join(dir, flavor);
      if (isExecutable(path)) return { path, flavor };
    }
  }
  throw new CliError("TerraformNotFound", "Neither terraform nor tofu (OpenTofu) is on PATH; deploy applies the synthesized stacks with one of them.", TERRAFORM_INSTALL_HINT, ExitCode.Prerequisite);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export interface TerraformRun {
  /** Each line the binary writes, as it writes it. */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
  signal?: AbortSignal;
}

/** Runs `<binary> <args>` in `cwd` non-interactively; throws TerraformFailed with the last lines when it exits non-zero. */
export function runTerraform(binary: TerraformBinary, args: string[], cwd: string, run: TerraformRun = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary.path, args, {
      cwd,
      env: { ...process.env, TF_IN_AUTOMATION: "1", TF_INPUT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
      signal: run.signal,
    });
    const tail: string[] = [];
    let stdout = "";
    const lines = (stream: "stdout" | "stderr") => {
      let pending = "";
      return (chunk: Buffer) => {
        const text = pending + chunk.toString("utf8");
        if (stream === "stdout") stdout += chunk.toString("utf8");
        const parts = text.split("\n");
        pending = parts.pop() ?? "";
        for (const line of parts) {
          tail.push(line);
          if (tail.length > 20) tail.shift();
          run.onLine?.(line, stream);
        }
      };
    };
    child.stdout.on("data", lines("stdout"));
    child.stderr.on("data", lines("stderr"));
    child.on("error", (e) =>
      reject(new CliError("TerraformFailed", `${binary.flavor} ${args[0]} could not start in ${cwd}: ${e.message}`, TERRAFORM_INSTALL_HINT, ExitCode.Prerequisite)),
    );
    child.on("close", (code) => {
      if (code === 0) return resolve(stdout);
      reject(
        new CliError(
          "TerraformFailed",
          `${binary.flavor} ${args.join(" ")} exited with ${code} in ${cwd}.`,
          `Read ${binary.flavor}'s output above, fix the cause (permissions, quota, a name taken), then run deploy again: applied resources are kept and ${binary.flavor} continues from its state.`,
          ExitCode.Failed,
          tail.filter((l) => l.trim()),
        ),
      );
    });
  });
}

/** The two steps that deploy one stack. */
export function stackCommands(): string[][] {
  return [
    ["init", "-input=false", "-no-color"],
    ["apply", "-input=false", "-auto-approve", "-no-color"],
  ];
}

/** `output -json` of an applied stack: output name → value. */
export async function stackOutputs(binary: TerraformBinary, dir: string, run: TerraformRun = {}): Promise<Record<string, unknown>> {
  const text = await runTerraform(binary, ["output", "-json", "-no-color"], dir, { signal: run.signal });
  const outputs = JSON.parse(text || "{}") as Record<string, { value: unknown }>;
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value]));
}
