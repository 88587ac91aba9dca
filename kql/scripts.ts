// The .kql scripts as the deployment sends them: placeholders such as `{{retentionDays}}` rendered from deploy-time
// parameters, comments stripped, tables before the functions that read them, functions after their dependencies.
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { z } from "zod";
import { describeCommand, deployableCommands } from "./commands";

export const KQL_DIR = __dirname;

export const ScriptParametersSchema = z
  .object({
    /** Soft-delete period of every table and dedup view. */
    retentionDays: z.number().int().min(1).max(36500),
    /** Hot-cache period (SSD) of every table and dedup view; at most the retention. */
    hotCacheDays: z.number().int().min(0).max(36500),
    /** How far back (by ingestion time) the dedup views look for an earlier copy of a record. */
    dedupLookbackDays: z.number().int().min(1).max(36500),
  })
  .refine((p) => p.hotCacheDays <= p.retentionDays, { message: "hotCacheDays must not exceed retentionDays", path: ["hotCacheDays"] })
  .refine((p) => p.dedupLookbackDays <= p.retentionDays, { message: "dedupLookbackDays must not exceed retentionDays", path: ["dedupLookbackDays"] });

export type ScriptParameters = z.infer<typeof ScriptParametersSchema>;

export const DEFAULT_SCRIPT_PARAMETERS: ScriptParameters = { retentionDays: 365, hotCacheDays: 31, dedupLookbackDays: 14 };

export type KqlScriptErrorCode = "InvalidScriptParameter" | "UnknownScriptPlaceholder";

export class KqlScriptError extends Error {
  constructor(
    readonly code: KqlScriptErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "KqlScriptError";
  }
}

/** Validated parameters: the defaults overridden by `overrides`. Throws KqlScriptError(InvalidScriptParameter). */
export function scriptParameters(overrides: Partial<ScriptParameters> = {}): ScriptParameters {
  const result = ScriptParametersSchema.safeParse({ ...DEFAULT_SCRIPT_PARAMETERS, ...overrides });
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new KqlScriptError("InvalidScriptParameter", `KQL script parameters are invalid (${detail}); fix them in the deployment configuration.`);
  }
  return result.data;
}

/** Replaces every `{{name}}` in a script. An unknown placeholder is an error, never left for ADX to reject. */
export function renderScript(text: string, overrides: Partial<ScriptParameters> = {}): string {
  const params = scriptParameters(overrides) as Record<string, number>;
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => {
    if (!(name in params)) {
      throw new KqlScriptError(
        "UnknownScriptPlaceholder",
        `KQL script placeholder {{${name}}} has no parameter; known parameters: ${Object.keys(params).join(", ")}. Rename the placeholder or add the parameter to ScriptParametersSchema.`,
      );
    }
    return String(params[name]);
  });
}

export type KqlScriptKind = "table" | "function" | "reference";

export interface KqlScript {
  kind: KqlScriptKind;
  /** Path relative to the repository root, e.g. `kql/tables/ingestion_ledger.kql`. */
  path: string;
  /** The script as written (placeholders not rendered). */
  text: string;
}

const FOLDERS: Array<[KqlScriptKind, string]> = [
  ["table", "tables"],
  ["reference", "reference"],
  ["function", "functions"],
];

/** Every .kql script under kql/ (tables, reference schemas, functions), in a stable order. */
export function loadScripts(dir: string = KQL_DIR): KqlScript[] {
  const root = join(dir, "..");
  return FOLDERS.flatMap(([kind, folder]) =>
    readdirSync(join(dir, folder))
      .filter((f) => f.endsWith(".kql"))
      .sort()
      .map((f) => {
        const file = join(dir, folder, f);
        return { kind, path: relative(root, file).split("\\").join("/"), text: readFileSync(file, "utf8") };
      }),
  );
}

export interface DeploymentOptions {
  parameters?: Partial<ScriptParameters>;
  /** Also create the EmailEvents table (for clients exporting Defender XDR data to this database). */
  includeEmailEvents?: boolean;
  dir?: string;
}

/**
 * The commands to run against a tenant database, in order: tables with their mappings, policies and dedup views;
 * optionally EmailEvents; then the functions, each after the functions it calls. Every command is idempotent.
 */
export function deploymentCommands(opts: DeploymentOptions = {}): string[] {
  const scripts = loadScripts(opts.dir);
  const render = (s: KqlScript) => deployableCommands(renderScript(s.text, opts.parameters));
  const tables = scripts.filter((s) => s.kind === "table").flatMap(render);
  const reference = opts.includeEmailEvents
    ? scripts.filter((s) => s.kind === "reference" && /\/EmailEvents\.kql$/.test(s.path)).flatMap(render)
    : [];
  const functions = orderFunctions(scripts.filter((s) => s.kind === "function").flatMap(render));
  return [...tables, ...reference, ...functions];
}

/** One script for `.execute database script` / a KustoScript resource: the commands one blank line apart. */
export function deploymentScript(opts: DeploymentOptions = {}): string {
  return deploymentCommands(opts).join("\n\n") + "\n";
}

// ADX validates a function body at creation: a function must be created after every function it calls.
function orderFunctions(commands: string[]): string[] {
  const byName = new Map<string, { text: string; body: string }>();
  for (const text of commands) {
    const info = describeCommand(text);
    if (info.kind !== "function") throw new Error(`kql: a script under functions/ holds a command that is not a function: ${text.slice(0, 80)}`);
    byName.set(info.name, { text, body: info.body });
  }
  const ordered: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting") throw new Error(`kql: functions call each other in a cycle: ${[...path, name].join(" → ")}`);
    state.set(name, "visiting");
    const body = byName.get(name)!.body;
    for (const other of byName.keys()) {
      if (other !== name && new RegExp(String.raw`\b${other}\s*\(`).test(body)) visit(other, [...path, name]);
    }
    state.set(name, "done");
    ordered.push(byName.get(name)!.text);
  };
  for (const name of [...byName.keys()].sort()) visit(name, []);
  return ordered;
}
