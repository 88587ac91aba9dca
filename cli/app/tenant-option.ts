// `--tenant` for the admin commands: an id, or a domain resolved through the tenant's OpenID discovery document.
import { CliError } from "../output/cli-error";
import { ExitCode } from "../output/exit-codes";
import { resolveTenant, TenantResolveError } from "../tenants/resolve-tenant";

export async function tenantIdOf(tenant: string, opts: { authorityHost?: string; caPem?: string } = {}): Promise<string> {
  try {
    return (await resolveTenant(tenant, { authorityHost: opts.authorityHost, caPem: opts.caPem })).tenantId;
  } catch (e) {
    if (!(e instanceof TenantResolveError)) throw e;
    const exit = e.kind === "unreachable" ? ExitCode.Failed : ExitCode.Usage;
    throw new CliError("BadTenant", e.message, "Pass the tenant id (a GUID) or a verified domain of the tenant with --tenant.", exit);
  }
}

/** The app answered 404 UnknownTenant: the flag is what is wrong, so it is a usage error naming it. */
export function asTenantFlagError(error: unknown, tenant: string): unknown {
  if (error instanceof CliError && error.code === "UnknownTenant")
    return new CliError("UnknownTenant", `--tenant ${tenant}: ${error.message}`, error.next || "Check the tenant id, or onboard the tenant first.", ExitCode.Usage);
  return error;
}
