// How Sentinel reaches the lake: workspace functions named like the ADX tables and dedup views, each wrapping
// adx('<cluster>/<database>').<name>, so one hunting query text runs unchanged in ADX and in the workspace.
// The hunting queries read the dedup views; the raw tables are exposed too, for ad-hoc work.
import { DedupViews, Tables } from "./tables";

export interface SentinelWorkspaceFunction {
  /** The function alias: exactly the ADX table or view name. */
  name: string;
  /** The function body (a Log Analytics saved search of category "Function"). */
  query: string;
  category: string;
}

export class SentinelLinkError extends Error {
  readonly code = "InvalidAdxReference";
  constructor(message: string) {
    super(message);
    this.name = "SentinelLinkError";
  }
}

/**
 * The workspace functions for one tenant database. `clusterUri` is the ADX query endpoint,
 * e.g. https://mycluster.westeurope.kusto.windows.net.
 */
export function sentinelWorkspaceFunctions(clusterUri: string, database: string): SentinelWorkspaceFunction[] {
  const cluster = clusterUri.replace(/\/+$/, "");
  if (!/^https:\/\/[A-Za-z0-9.-]+(?::\d+)?$/.test(cluster)) {
    throw new SentinelLinkError(`'${clusterUri}' is not an ADX query endpoint; pass https://<cluster>.<region>.kusto.windows.net (no path).`);
  }
  if (!/^[A-Za-z0-9_.-]{1,260}$/.test(database)) {
    throw new SentinelLinkError(`'${database}' is not an ADX database name; use the tenant's database (e.g. audit_1a2b3c4d).`);
  }
  const source = `adx('${cluster}/${database}')`;
  return [...Object.values(DedupViews), ...Object.values(Tables)].map((name) => ({
    name,
    query: `${source}.${name}`,
    category: "Function",
  }));
}
