// Where the operator's Resource Manager token and the app's function key may go: the Resource Manager origin itself,
// and the cloud's own App Service hosts. A site resource names its SCM and default hosts, and a page names its
// nextLink; none of them is followed to a host outside the cloud the operator signed in to.
import { CliError } from "../output/cli-error";
import { ExitCode } from "../output/exit-codes";

/** Each cloud's Resource Manager host and the domain its App Service sites (and their SCM sites) live under. */
const SITE_DOMAINS: Record<string, string> = {
  "management.azure.com": "azurewebsites.net",
  "management.usgovcloudapi.net": "azurewebsites.us",
  "management.chinacloudapi.cn": "chinacloudsites.cn",
};

// The emulated cloud: Resource Manager and every site on this machine (its certificate names 127.0.0.1 and localhost only).
const LOOPBACK_NAMES = new Set(["127.0.0.1", "localhost"]);

export type SiteHostKind = "scm" | "app";

export class SiteHosts {
  readonly resourceManagerOrigin: string;
  /** The cloud's site domain; undefined for the emulated cloud (loopback names) */
  private readonly domain: string | undefined;
  private readonly emulated: boolean;

  constructor(resourceManagerEndpoint: string) {
    const rm = new URL(resourceManagerEndpoint);
    this.resourceManagerOrigin = rm.origin;
    this.emulated = LOOPBACK_NAMES.has(rm.hostname);
    this.domain = SITE_DOMAINS[rm.host.toLowerCase()];
    if (!this.emulated && (!this.domain || rm.protocol !== "https:")) {
      throw new CliError(
        "UnknownCloud",
        `--resource-manager ${rm.origin} is not a Resource Manager endpoint this CLI knows, so it cannot tell which hosts may receive its token.`,
        `Use one of ${Object.keys(SITE_DOMAINS).map((h) => `https://${h}`).join(", ")}.`,
        ExitCode.Usage,
      );
    }
  }

  /**
   * The host, when it is one of the cloud's App Service hosts of that kind: `{name}.scm[.{region}-01].{domain}` for
   * Kudu, `{name}[.{region}-01].{domain}` for the app (Flex Consumption hosts carry the region label). Else throws.
   */
  check(host: string, kind: SiteHostKind, what: string): string {
    if (this.isAllowed(host, kind)) return host.toLowerCase();
    const expected = this.emulated ? "localhost or 127.0.0.1 (the emulated cloud)" : kind === "scm" ? `<name>.scm.[<region>.]${this.domain}` : `<name>.[<region>.]${this.domain}`;
    throw new CliError(
      "HostNotAllowed",
      `${what} names ${JSON.stringify(host.slice(0, 200))}, which is not a ${kind === "scm" ? "Kudu (SCM)" : "Function App"} host of this cloud (${expected}): nothing was sent to it.`,
      "Check that --subscription, --resource-group and --site name your m365-audit-lake app and that --resource-manager is your cloud's; a site whose hosts point elsewhere has been tampered with.",
      ExitCode.Failed,
    );
  }

  /** A URL Resource Manager handed back (a nextLink): followed only on the Resource Manager origin. */
  checkResourceManagerLink(url: string, what: string): string {
    let u: URL | undefined;
    try {
      u = new URL(url);
    } catch {
      // refused below
    }
    if (u && u.origin === this.resourceManagerOrigin && !u.username && !u.password) return u.toString();
    throw new CliError(
      "HostNotAllowed",
      `${what} points at ${u ? u.origin : JSON.stringify(url.slice(0, 200))}, not at Resource Manager (${this.resourceManagerOrigin}): it was not followed.`,
      "Run the command again; if it persists, report it: Resource Manager pages never lead off its own host.",
      ExitCode.Failed,
    );
  }

  private isAllowed(host: string, kind: SiteHostKind): boolean {
    let u: URL;
    try {
      u = new URL(`https://${host}`);
    } catch {
      return false;
    }
    // nothing but a host (and, emulated, a port): no path, userinfo or query smuggled into the name
    if (u.host !== host.toLowerCase() || u.pathname !== "/" || u.search || u.username) return false;
    if (this.emulated) return LOOPBACK_NAMES.has(u.hostname);
    if (u.port) return false;
    const domain = this.domain!;
    if (!u.hostname.endsWith(`.${domain}`)) return false;
    const labels = u.hostname.slice(0, -domain.length - 1).split(".");
    const label = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
    if (!labels.every((l) => label.test(l))) return false;
    // {name}[.{region}-01] for the app; {name}.scm[.{region}-01] for Kudu
    if (kind === "scm") return labels[1] === "scm" && (labels.length === 2 || labels.length === 3);
    return !labels.includes("scm") && (labels.length === 1 || labels.length === 2);
  }
}
