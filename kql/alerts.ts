// The alert rules deployed with the platform: what each watches in the app's structured log lines (Application Insights
// `traces`), its thresholds and severity by default, and the one-line fix it pages with. Each rule's query is
// kql/alerts/<id>.kql; `evaluate` is the same condition in TypeScript, for where no Kusto engine runs (the local proof).
// Both read only the rule's declared `fields`: kql:check proves the KQL's, evaluate() cannot read another.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { KQL_DIR } from "./scripts";

/** One row of Application Insights' `traces` as the alert queries read it (the columns they use). */
export interface TraceRow {
  timestamp: string;
  /** The host's message: the log call's arguments joined by util.format, the fields as trailing JSON. */
  message: string;
  /** 0 verbose, 1 information, 2 warning, 3 error, 4 critical. */
  severityLevel: number;
  operation_Name: string;
}

/** One alert that would fire, per the rule's dimensions (the KQL's result rows). */
export interface Firing {
  rule: AlertRuleId;
  tenant: string;
  contentType: string;
  /** The figure compared with the threshold (minutes of lag, blobs, failures). */
  value: number;
}

export type AlertRuleId = "ingestion-lag" | "blobs-failed" | "blobs-expiring" | "tenant-access-lost" | "planner-failing";

export type Severity = 0 | 1 | 2 | 3 | 4;

export interface AlertRule {
  id: AlertRuleId;
  title: string;
  /** One line: what is wrong and the first thing to do. Deployed as the rule's description. */
  fix: string;
  severity: Severity;
  /** The threshold the query's `let threshold = …;` line holds (minutes for lag, a count otherwise). */
  threshold: number;
  unit: "minutes" | "count";
  /** How often the rule runs and over how much of the log (minutes). */
  frequencyMinutes: number;
  windowMinutes: number;
  /** The structured fields (log-line.ts) the rule reads; nothing else. */
  fields: readonly string[];
  evaluate(rows: readonly TraceRow[], threshold: number, now: Date): Firing[];
}

/**
 * Plan failures that mean the app lost a tenant: Entra refused the token (consent revoked, app disabled: AADSTS…),
 * the token lacks the role (AF10001), the API refuses the token (Unauthorized), audit logging is off (AF20011, which the
 * client reports as AuditLoggingDisabled) or the subscription was disabled (AF20023).
 */
export const ACCESS_CODES = ["AF10001", "AF20010", "AF20011", "AF20023", "AuditLoggingDisabled", "AuthenticationFailed", "MissingRoles", "Unauthorized"] as const;
const isAccessCode = (code: string) => code.startsWith("AADSTS") || (ACCESS_CODES as readonly string[]).includes(code);

/** The trailing JSON of a message, as the queries read it with extract() + parse_json(). */
export function messageFields(message: string): Record<string, unknown> {
  const m = /(\{[^{}]*\})\s*$/.exec(message);
  if (!m) return {};
  try {
    return JSON.parse(m[1]) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** The fields of a row, limited to those the rule declares (reading another is a bug in the rule). */
function reader(rule: Pick<AlertRule, "id" | "fields">) {
  return (row: TraceRow) => {
    const f = messageFields(row.message);
    return (name: string): string => {
      if (!rule.fields.includes(name)) throw new Error(`alert ${rule.id} reads ${name}, which it does not declare`);
      const v = f[name];
      return v === undefined || v === null ? "" : String(v);
    };
  };
}

function groups<T>(items: Iterable<T>, key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const i of items) {
    const k = key(i);
    out.set(k, [...(out.get(k) ?? []), i]);
  }
  return out;
}

const within = (row: TraceRow, now: Date, minutes: number) => {
  const t = Date.parse(row.timestamp);
  return t <= now.getTime() && t > now.getTime() - minutes * 60_000;
};

const LAG: Omit<AlertRule, "evaluate"> = {
  id: "ingestion-lag",
  title: "Ingestion lag",
  fix: "The planner has not listed this tenant's content type for longer than the threshold: check the app is running and its last plan error (m365-audit-lake status --check); content expires 7 days after creation.",
  severity: 1,
  threshold: 120,
  unit: "minutes",
  frequencyMinutes: 15,
  windowMinutes: 2 * 24 * 60,
  fields: ["stage", "outcome", "tenant", "contentType", "windowEnd"],
};

const FAILED: Omit<AlertRule, "evaluate"> = {
  id: "blobs-failed",
  title: "Blobs failed",
  fix: "Content blobs were quarantined by the worker or refused by ADX (the code is in the alert and in ingestion_errors): fix the cause the error names, then m365-audit-lake requeue --failed.",
  severity: 2,
  threshold: 1,
  unit: "count",
  frequencyMinutes: 15,
  windowMinutes: 15,
  fields: ["stage", "outcome", "tenant", "contentType", "contentId", "code"],
};

const EXPIRING: Omit<AlertRule, "evaluate"> = {
  id: "blobs-expiring",
  title: "Blobs near expiry",
  fix: "Listed blobs are within a day of Microsoft's 7-day expiry and not landed: check the worker (queue backlog, poison queue, errors) and m365-audit-lake requeue --expiring before they are lost.",
  severity: 0,
  threshold: 1,
  unit: "count",
  frequencyMinutes: 15,
  windowMinutes: 15,
  fields: ["stage", "outcome", "tenant", "contentType", "contentId"],
};

const ACCESS: Omit<AlertRule, "evaluate"> = {
  id: "tenant-access-lost",
  title: "Tenant access lost",
  fix: "The app can no longer read this tenant's audit feed (consent revoked, role missing, audit logging off, subscription disabled; the code says which): run m365-audit-lake status --check --tenant <id> for the fix and consent URL.",
  severity: 1,
  threshold: 1,
  unit: "count",
  frequencyMinutes: 15,
  windowMinutes: 15,
  fields: ["stage", "outcome", "tenant", "contentType", "code"],
};

const PLANNER: Omit<AlertRule, "evaluate"> = {
  id: "planner-failing",
  title: "Planner failing",
  fix: "The planner failed this many runs in a row for reasons other than access (the code says which): read the plan errors in Application Insights and m365-audit-lake status --check.",
  severity: 2,
  threshold: 3,
  unit: "count",
  frequencyMinutes: 15,
  windowMinutes: 60,
  fields: ["stage", "outcome", "tenant", "contentType", "code"],
};

export const ALERT_RULES: readonly AlertRule[] = [
  {
    ...LAG,
    evaluate(rows, threshold, now) {
      const read = reader(LAG);
      const planned = rows.filter((r) => within(r, now, LAG.windowMinutes)).map(read).filter((f) => f("stage") === "plan" && f("outcome") === "planned");
      const out: Firing[] = [];
      for (const [, lines] of groups(planned, (f) => `${f("tenant")}|${f("contentType")}`)) {
        const listedThrough = Math.max(...lines.map((f) => Date.parse(f("windowEnd"))));
        const lagMinutes = Math.floor((now.getTime() - listedThrough) / 60_000);
        if (lagMinutes > threshold) out.push({ rule: LAG.id, tenant: lines[0]("tenant"), contentType: lines[0]("contentType"), value: lagMinutes });
      }
      return out;
    },
  },
  {
    ...FAILED,
    evaluate(rows, threshold, now) {
      const read = reader(FAILED);
      const failed = rows
        .filter((r) => within(r, now, FAILED.windowMinutes) && r.severityLevel >= 3)
        .map(read)
        .filter((f) => (["ingest", "fetch", "transform"].includes(f("stage")) && f("outcome") === "quarantined") || (f("stage") === "adx-settlement" && f("outcome") === "failed"));
      return countPer(FAILED.id, failed, threshold, (f) => f("contentId"));
    },
  },
  {
    ...EXPIRING,
    evaluate(rows, threshold, now) {
      const read = reader(EXPIRING);
      const expiring = rows
        .filter((r) => within(r, now, EXPIRING.windowMinutes))
        .map(read)
        .filter((f) => f("stage") === "expiry-watch" && ["expiring", "expiredUnread"].includes(f("outcome")));
      return countPer(EXPIRING.id, expiring, threshold, (f) => f("contentId"));
    },
  },
  {
    ...ACCESS,
    evaluate(rows, threshold, now) {
      const read = reader(ACCESS);
      const refused = rows
        .filter((r) => within(r, now, ACCESS.windowMinutes))
        .map(read)
        .filter((f) => f("stage") === "plan" && f("outcome") === "failed" && isAccessCode(f("code")));
      return countPer(ACCESS.id, refused, threshold, () => "", true);
    },
  },
  {
    ...PLANNER,
    evaluate(rows, threshold, now) {
      const read = reader(PLANNER);
      const runs = rows
        .filter((r) => within(r, now, PLANNER.windowMinutes))
        .map((r) => ({ at: Date.parse(r.timestamp), f: read(r) }))
        .filter(({ f }) => f("stage") === "plan" && (f("outcome") === "planned" || (f("outcome") === "failed" && !isAccessCode(f("code")))));
      const out: Firing[] = [];
      for (const [, lines] of groups(runs, ({ f }) => `${f("tenant")}|${f("contentType")}`)) {
        const lastOk = Math.max(0, ...lines.filter(({ f }) => f("outcome") === "planned").map((l) => l.at));
        const failures = lines.filter(({ f, at }) => f("outcome") === "failed" && at > lastOk).length;
        if (failures >= threshold) out.push({ rule: PLANNER.id, tenant: lines[0].f("tenant"), contentType: lines[0].f("contentType"), value: failures });
      }
      return out;
    },
  },
];

/** Lines per tenant × content type (or per tenant), counting distinct `distinct` values when given. */
function countPer(rule: AlertRuleId, lines: Array<(name: string) => string>, threshold: number, distinct: (f: (name: string) => string) => string, tenantOnly = false): Firing[] {
  const out: Firing[] = [];
  for (const [, group] of groups(lines, (f) => (tenantOnly ? f("tenant") : `${f("tenant")}|${f("contentType")}`))) {
    const keys = group.map(distinct);
    const value = keys.every((k) => k === "") ? group.length : new Set(keys.filter(Boolean)).size;
    if (value >= threshold) out.push({ rule, tenant: group[0]("tenant"), contentType: tenantOnly ? "" : group[0]("contentType"), value });
  }
  return out;
}

export const ALERTS_DIR = join(KQL_DIR, "alerts");

export function alertQueryPath(id: AlertRuleId): string {
  return join(ALERTS_DIR, `${id}.kql`);
}

/** `let threshold = …;` as the .kql file writes it for this rule's unit. */
export function thresholdLet(rule: Pick<AlertRule, "unit">, threshold: number): string {
  return `let threshold = ${rule.unit === "minutes" ? `${threshold}m` : threshold};`;
}

export const TENANT_NAMES_LET = "let tenantNames = datatable(tenant: string, tenantName: string) [];";

/** The access codes as the rules that tell access from other failures declare them. */
export const ACCESS_CODES_LET = `let accessCodes = dynamic([${ACCESS_CODES.map((c) => JSON.stringify(c)).join(", ")}]);`;

/** The lines a rule's .kql must hold as written: they carry the declared defaults into the query. */
export function requiredLines(rule: AlertRule): string[] {
  return [thresholdLet(rule, rule.threshold), TENANT_NAMES_LET, ...(rule.id === "tenant-access-lost" || rule.id === "planner-failing" ? [ACCESS_CODES_LET] : [])];
}

/** The columns every rule's result carries: the alert's dimensions and figure. */
export function resultDimensions(rule: AlertRule): string[] {
  return rule.id === "tenant-access-lost" ? ["tenantName", "tenant", "value"] : ["tenantName", "tenant", "contentType", "value"];
}

/**
 * The rule's query as deployed: its threshold and the tenants' names (an MSSP sees the client's name in every alert)
 * put in place of the file's defaults.
 */
export function renderAlertQuery(rule: AlertRule, opts: { threshold?: number; tenantNames?: Record<string, string> } = {}): string {
  const text = readFileSync(alertQueryPath(rule.id), "utf8");
  const names = Object.entries(opts.tenantNames ?? {});
  const table = `let tenantNames = datatable(tenant: string, tenantName: string) [${names.map(([id, name]) => `${kqlString(id)}, ${kqlString(name)}`).join(", ")}];`;
  for (const line of requiredLines(rule)) {
    if (!text.includes(line)) throw new Error(`${alertQueryPath(rule.id)} must contain the line: ${line}`);
  }
  return text.replace(thresholdLet(rule, rule.threshold), thresholdLet(rule, opts.threshold ?? rule.threshold)).replace(TENANT_NAMES_LET, table);
}

function kqlString(value: string): string {
  return JSON.stringify(value);
}

/** The `f.<name>` and `f["<name>"]` fields a query reads from the parsed message. */
export function fieldsReadBy(kql: string): string[] {
  const text = kql.replace(/\/\/.*$/gm, "");
  const names = new Set<string>();
  for (const m of text.matchAll(/\bf\.(\w+)|\bf\[\s*["'](\w+)["']\s*\]/g)) names.add(m[1] ?? m[2]);
  return [...names].sort();
}

/**
 * Application Insights' `traces` table as a log alert on the Application Insights resource queries it (the classic
 * schema; its columns and types as Microsoft's Azure Monitor reference lists them).
 */
export const TRACES_COLUMNS: ReadonlyArray<{ name: string; type: string }> = [
  { name: "timestamp", type: "datetime" },
  { name: "message", type: "string" },
  { name: "severityLevel", type: "int" },
  { name: "itemType", type: "string" },
  { name: "customDimensions", type: "dynamic" },
  { name: "customMeasurements", type: "dynamic" },
  { name: "operation_Name", type: "string" },
  { name: "operation_Id", type: "string" },
  { name: "operation_ParentId", type: "string" },
  { name: "operation_SyntheticSource", type: "string" },
  { name: "session_Id", type: "string" },
  { name: "user_Id", type: "string" },
  { name: "user_AuthenticatedId", type: "string" },
  { name: "user_AccountId", type: "string" },
  { name: "application_Version", type: "string" },
  { name: "client_Type", type: "string" },
  { name: "client_Model", type: "string" },
  { name: "client_OS", type: "string" },
  { name: "client_IP", type: "string" },
  { name: "client_City", type: "string" },
  { name: "client_StateOrProvince", type: "string" },
  { name: "client_CountryOrRegion", type: "string" },
  { name: "client_Browser", type: "string" },
  { name: "cloud_RoleName", type: "string" },
  { name: "cloud_RoleInstance", type: "string" },
  { name: "appId", type: "string" },
  { name: "appName", type: "string" },
  { name: "iKey", type: "string" },
  { name: "sdkVersion", type: "string" },
  { name: "itemId", type: "string" },
  { name: "itemCount", type: "int" },
];

/** The Sentinel analytics rule on ingestion gaps (kql/alerts/sentinel/ingestion-gap.kql), over the workspace's AppTraces. */
export const SENTINEL_GAP = {
  path: join(ALERTS_DIR, "sentinel", "ingestion-gap.kql"),
  thresholdMinutes: 120,
  fields: ["stage", "outcome", "tenant", "contentType", "windowEnd"] as readonly string[],
  /** The lines the file holds as written, replaced per tenant at deploy time. */
  lines: { threshold: "let threshold = 120m;", tenant: 'let tenantId = "";', contentTypes: "let contentTypes = dynamic([]);" },
};

/**
 * The rule's query for one tenant: its content types, the gap threshold, and AppTraces read from the platform's
 * workspace (the tenant's Sentinel workspace is another one: workspace() reaches it, as analytics rules allow).
 */
export function renderSentinelGapQuery(opts: { tenantId: string; contentTypes: readonly string[]; thresholdMinutes: number; platformWorkspaceId: string }): string {
  const text = readFileSync(SENTINEL_GAP.path, "utf8");
  for (const line of Object.values(SENTINEL_GAP.lines)) if (!text.includes(line)) throw new Error(`${SENTINEL_GAP.path} must contain the line: ${line}`);
  return text
    .replace(SENTINEL_GAP.lines.threshold, `let threshold = ${opts.thresholdMinutes}m;`)
    .replace(SENTINEL_GAP.lines.tenant, `let tenantId = ${kqlString(opts.tenantId)};`)
    .replace(SENTINEL_GAP.lines.contentTypes, `let contentTypes = dynamic([${opts.contentTypes.map(kqlString).join(", ")}]);`)
    .split("\n")
    // the query's table, not the header comment's mention of it: the app's lines sit in the platform's workspace
    .map((line) => (line.trimStart().startsWith("//") ? line : line.replace(/\bAppTraces\b/g, `workspace(${kqlString(opts.platformWorkspaceId)}).AppTraces`)))
    .join("\n");
}

/** Application Insights lines as a workspace stores them (workspace-based Application Insights: AppTraces). */
export const APP_TRACES_COLUMNS: ReadonlyArray<{ name: string; type: string }> = [
  { name: "TenantId", type: "string" },
  { name: "TimeGenerated", type: "datetime" },
  { name: "Message", type: "string" },
  { name: "SeverityLevel", type: "int" },
  { name: "Properties", type: "dynamic" },
  { name: "Measurements", type: "dynamic" },
  { name: "OperationName", type: "string" },
  { name: "OperationId", type: "string" },
  { name: "ParentId", type: "string" },
  { name: "SyntheticSource", type: "string" },
  { name: "SessionId", type: "string" },
  { name: "UserId", type: "string" },
  { name: "UserAuthenticatedId", type: "string" },
  { name: "UserAccountId", type: "string" },
  { name: "AppVersion", type: "string" },
  { name: "AppRoleName", type: "string" },
  { name: "AppRoleInstance", type: "string" },
  { name: "ClientType", type: "string" },
  { name: "ClientModel", type: "string" },
  { name: "ClientOS", type: "string" },
  { name: "ClientIP", type: "string" },
  { name: "ClientCity", type: "string" },
  { name: "ClientStateOrProvince", type: "string" },
  { name: "ClientCountryOrRegion", type: "string" },
  { name: "ClientBrowser", type: "string" },
  { name: "ResourceGUID", type: "string" },
  { name: "IKey", type: "string" },
  { name: "SDKVersion", type: "string" },
  { name: "ItemCount", type: "int" },
  { name: "ReferencedItemId", type: "string" },
  { name: "ReferencedType", type: "string" },
  { name: "SourceSystem", type: "string" },
  { name: "Type", type: "string" },
  { name: "_ResourceId", type: "string" },
];
