// National clouds: each has its own API host (which is also the token audience) and login authority.
export type CloudName = "Enterprise" | "GCC" | "GCCHigh" | "DoD";

export const CLOUD_NAMES: readonly CloudName[] = ["Enterprise", "GCC", "GCCHigh", "DoD"];

export interface CloudEndpoints {
  /** Host name of the Management Activity API, e.g. `manage.office.com`. */
  apiHost: string;
  /** Login authority as a URL, e.g. `https://login.microsoftonline.com` (what @azure/identity calls authorityHost). */
  authorityHost: string;
  /** App-only scope, `https://{apiHost}/.default`. */
  tokenScope: string;
  /** `https://{apiHost}`: the only origin the token is ever sent to unless a baseUrl override is configured. */
  apiBaseUrl: string;
}

const HOSTS: Record<CloudName, { apiHost: string; loginHost: string }> = {
  Enterprise: { apiHost: "manage.office.com", loginHost: "login.microsoftonline.com" },
  GCC: { apiHost: "manage-gcc.office.com", loginHost: "login.microsoftonline.com" },
  GCCHigh: { apiHost: "manage.office365.us", loginHost: "login.microsoftonline.us" },
  DoD: { apiHost: "manage.protection.apps.mil", loginHost: "login.microsoftonline.us" },
};

export function cloudEndpoints(cloud: CloudName): CloudEndpoints {
  const hosts = HOSTS[cloud];
  if (!hosts) {
    throw new Error(`Unknown cloud "${String(cloud)}": use one of ${CLOUD_NAMES.join(", ")}.`);
  }
  return {
    apiHost: hosts.apiHost,
    authorityHost: `https://${hosts.loginHost}`,
    tokenScope: `https://${hosts.apiHost}/.default`,
    apiBaseUrl: `https://${hosts.apiHost}`,
  };
}

/** True when the authority is one of the public Entra ID hosts (instance discovery works there). */
export function isKnownAuthorityHost(authorityHost: string): boolean {
  let host: string;
  try {
    host = new URL(authorityHost).host.toLowerCase();
  } catch {
    return false;
  }
  return Object.values(HOSTS).some((h) => h.loginHost === host);
}
