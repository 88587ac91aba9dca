// Adding a tenant to a deployment config file: the new text is built with the yaml Document API (comments, order and
// the author's layout survive), validated with the infra config's own loader, and only then written — atomically.
// A tenant already listed with the same settings changes nothing; with other settings, nothing is written either.
import { existsSync, readFileSync, statSync } from "node:fs";
import { Document, isMap, isScalar, isSeq, parseDocument } from "yaml";
import { DeploymentConfigError, parseDeploymentConfig, type DeploymentConfig, type LoadOptions, type Tenant } from "../../infra/config/load";
import { CliError } from "../output/cli-error";
import { ExitCode } from "../output/exit-codes";
import { replaceFileAtomically } from "./atomic-file";

export const TENANT_CLOUDS = ["Enterprise", "GCC", "GCCHigh", "DoD"] as const;
export type TenantCloud = (typeof TENANT_CLOUDS)[number];

/** What the operator asked for; a field left undefined takes its default and is not compared with an existing entry. */
export interface TenantRequest {
  tenantId: string;
  /** The domain the operator named the tenant by (written as a comment beside the id). */
  domain?: string;
  name?: string;
  key?: string;
  cloud?: TenantCloud;
  /** true: an MSSP client (the multi-tenant app, consented by the client); false/undefined: the platform's own tenant. */
  mssp?: boolean;
}

export interface TenantAddition {
  file: string;
  /** False when the tenant is already listed with the same settings: the file stays as it is. */
  changed: boolean;
  /** The config as it will be once written (validated). */
  config: DeploymentConfig;
  /** The tenant as the config lists it. */
  tenant: Tenant;
  /** The file's new text (the current text when unchanged). */
  text: string;
}

/** Builds and validates the config with the tenant added; writes nothing (see writeTenantAddition). */
export async function tenantAddition(file: string, request: TenantRequest, opts: LoadOptions = {}): Promise<TenantAddition> {
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new CliError("ConfigNotFound", `The deployment config ${file} does not exist.`, "Pass --config <file>; copy infra/examples/single-tenant.yaml or mssp.yaml to start one.", ExitCode.NotFound);
  }
  const text = readFileSync(file, "utf8");
  const current = await validated(text, file, opts, "CurrentConfigInvalid", `${file} does not validate as it is, so no tenant was added.`, "Fix each field listed (the line says how) and run again; infra/examples/ shows every field.");

  const listed = current.tenants.find((t) => t.tenantId === request.tenantId);
  if (listed) {
    const differences = differencesFrom(listed, request);
    if (differences.length > 0) {
      throw new CliError(
        "TenantListedDifferently",
        `${file} already lists tenant ${request.tenantId} (key ${listed.key}) with other settings: ${differences.join("; ")}.`,
        `Run again without those options (or with the listed values) to onboard it as configured, or edit tenants[key=${listed.key}] in ${file} first.`,
        ExitCode.Usage,
      );
    }
    return { file, changed: false, config: current, tenant: listed, text };
  }

  const next = withTenant(text, newEntry(request, current), request.domain);
  const config = await validated(next, file, opts, "TenantRejected", `Adding tenant ${request.tenantId} would make ${file} invalid, so it was left unchanged.`, nextStepFor(request));
  const tenant = config.tenants.find((t) => t.tenantId === request.tenantId)!;
  return { file, changed: true, config, tenant, text: next };
}

/** Writes an addition's text (temp file + rename); an unchanged addition touches nothing. */
export function writeTenantAddition(addition: TenantAddition): void {
  if (addition.changed) replaceFileAtomically(addition.file, addition.text);
}

async function validated(text: string, file: string, opts: LoadOptions, code: string, message: string, next: string): Promise<DeploymentConfig> {
  try {
    return await parseDeploymentConfig(text, file, opts);
  } catch (e) {
    if (!(e instanceof DeploymentConfigError)) throw e;
    throw new CliError(code, message, next, ExitCode.Usage, e.problems);
  }
}

function nextStepFor(request: TenantRequest): string {
  const identity = request.mssp ? "" : " A tenant other than the platform's own is an MSSP client: pass --mssp.";
  return `Fix what each line names (pass --key, --name or --cloud to choose other values) and run again.${identity}`;
}

function differencesFrom(listed: Tenant, r: TenantRequest): string[] {
  const out: string[] = [];
  if (r.name !== undefined && r.name !== listed.displayName) out.push(`displayName is '${listed.displayName}', --name says '${r.name}'`);
  if (r.key !== undefined && r.key !== listed.key) out.push(`key is '${listed.key}', --key says '${r.key}'`);
  if (r.cloud !== undefined && r.cloud !== listed.cloud) out.push(`cloud is ${listed.cloud}, --cloud says ${r.cloud}`);
  if (r.mssp !== undefined && (listed.identity === "msspClient") !== r.mssp) out.push(`identity is ${listed.identity}, ${r.mssp ? "--mssp asks for msspClient" : "not --mssp asks for ownTenant"}`);
  return out;
}

interface NewEntry {
  tenant: string;
  key: string;
  displayName: string;
  cloud?: TenantCloud;
  identity: "ownTenant" | "msspClient";
}

function newEntry(r: TenantRequest, current: DeploymentConfig): NewEntry {
  const key = r.key ?? uniqueKey(r, new Set(current.tenants.map((t) => t.key)));
  const entry: NewEntry = { tenant: r.tenantId, key, displayName: r.name ?? r.domain ?? `Tenant ${r.tenantId}`, identity: r.mssp ? "msspClient" : "ownTenant" };
  // Enterprise is the schema's default: written only when another cloud was asked for
  if (r.cloud && r.cloud !== "Enterprise") entry.cloud = r.cloud;
  return entry;
}

/** A key the schema accepts (2-16 lower-case letters and digits, a letter first), from the domain, the name or the id. */
export function uniqueKey(r: Pick<TenantRequest, "tenantId" | "domain" | "name">, taken: Set<string>): string {
  const source = r.domain?.split(".")[0] ?? r.name ?? r.tenantId.slice(0, 8);
  let base = source.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (!/^[a-z]/.test(base)) base = `t${base}`;
  if (base.length < 2) base = `t${r.tenantId.replace(/-/g, "").slice(0, 8)}`;
  base = base.slice(0, 16);
  for (let n = 1; ; n++) {
    const key = n === 1 ? base : `${base.slice(0, 16 - String(n).length)}${n}`;
    if (!taken.has(key)) return key;
  }
}

/**
 * The text with the entry appended to the tenants list. A block list gets the entry's lines spliced in after its last
 * item, so every other byte stays as the author wrote it (alignment of comments included); a flow list is rewritten
 * through the Document API, which keeps comments and order but not the layout.
 */
function withTenant(text: string, entry: NewEntry, domain: string | undefined): string {
  const doc = parseDocument(text);
  const tenants = doc.get("tenants", true);
  if (!isSeq(tenants)) throw new CliError("CurrentConfigInvalid", "The config's tenants field is not a list.", "Make tenants a YAML list of tenant entries (see infra/examples/).", ExitCode.Usage);
  const node = doc.createNode(entry);
  if (domain && isMap(node)) {
    const id = node.get("tenant", true);
    if (isScalar(id)) id.comment = ` ${domain}`;
  }
  const last = tenants.items[tenants.items.length - 1] as { range?: [number, number, number]; spaceBefore?: boolean } | undefined;
  // follow the author's layout: a blank line between entries when the last entry has one before it
  const blank = Boolean(last?.spaceBefore);
  if (!tenants.flow && tenants.range && last?.range) {
    const column = tenants.range[0] - (text.lastIndexOf("\n", tenants.range[0] - 1) + 1);
    const lines = new Document([node]).toString({ lineWidth: 0 }).trimEnd().split("\n");
    const at = last.range[2];
    const lead = text[at - 1] === "\n" ? "" : "\n";
    return text.slice(0, at) + lead + (blank ? "\n" : "") + lines.map((l) => " ".repeat(column) + l).join("\n") + "\n" + text.slice(at);
  }
  if (blank) node.spaceBefore = true;
  tenants.items.push(node);
  // no folding of long lines, no padding inside [a, b]: untouched entries keep their look
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
