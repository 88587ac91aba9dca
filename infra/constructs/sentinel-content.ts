// What a tenant's Sentinel workspace holds of the lake: every kql/hunting query as a saved search in "Hunting Queries"
// (tactics and techniques as tags), and workspace functions named like the ADX tables and dedup views that wrap
// adx('<cluster>/<database>'), so one query text runs in ADX and in Sentinel.
import { LogAnalyticsSavedSearch } from "@cdktf/provider-azurerm/lib/log-analytics-saved-search";
import type { HuntingQuery } from "../../kql/hunting";
import { sentinelWorkspaceFunctions } from "../../kql/sentinel";
import { Construct } from "../cdk";

export interface SentinelContentProps {
  /** The workspace's resource id. */
  workspaceId: string;
  huntingQueries: HuntingQuery[];
  clusterUri: string;
  database: string;
}

/** Tag values may be 256 bytes: azurerm counts them with Go's len, UTF-8 bytes (go-azure-helpers tags/validate.go). */
export const MAX_TAG_VALUE_BYTES = 256;

const bytes = (text: string) => Buffer.byteLength(text, "utf8");

export function huntingTags(q: HuntingQuery): Record<string, string> {
  const tags = { tactics: q.tactics.join(","), techniques: q.relevantTechniques.join(","), description: shorten(q.description.trim().replace(/\s+/g, " ")) };
  for (const [name, value] of Object.entries(tags)) {
    if (bytes(value) > MAX_TAG_VALUE_BYTES) throw new Error(`${q.path}: the ${name} tag would be ${bytes(value)} bytes, Azure allows ${MAX_TAG_VALUE_BYTES}; list fewer ${name}.`);
  }
  return tags;
}

// The full description stays in kql/hunting; the tag only previews it, cut at a word within the byte limit.
function shorten(text: string): string {
  if (bytes(text) <= MAX_TAG_VALUE_BYTES) return text;
  const ellipsis = "…";
  let cut = "";
  for (const ch of text) {
    if (bytes(cut + ch) + bytes(ellipsis) > MAX_TAG_VALUE_BYTES) break;
    cut += ch;
  }
  return `${cut.replace(/\s+\S*$/, "")}${ellipsis}`;
}

export class SentinelContent extends Construct {
  constructor(scope: Construct, id: string, props: SentinelContentProps) {
    super(scope, id);
    for (const q of props.huntingQueries) {
      new LogAnalyticsSavedSearch(this, `hunting-${q.id}`, {
        name: q.id,
        logAnalyticsWorkspaceId: props.workspaceId,
        category: "Hunting Queries",
        displayName: q.name,
        query: q.query,
        tags: huntingTags(q),
      });
    }
    for (const f of sentinelWorkspaceFunctions(props.clusterUri, props.database)) {
      new LogAnalyticsSavedSearch(this, `function-${f.name}`, {
        name: `audit-lake-${f.name}`,
        logAnalyticsWorkspaceId: props.workspaceId,
        category: f.category,
        displayName: f.name,
        functionAlias: f.name,
        query: f.query,
      });
    }
  }
}
