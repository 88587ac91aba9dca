// The project's KQL assets, analysed once with Microsoft's Kusto language service (the same pass as npm run kql:check).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkAssets, functionResultColumns, type AssetCheck } from "../../kql/analysis/asset-check";
import { analyseKql } from "../../kql/analysis/diagnostics";
import { formatReport } from "../../kql/check";
import { ENTERPRISE_TACTICS } from "../../kql/attack";
import { loadCatalog } from "../../kql/catalog";
import { DedupViews, Tables, dedupViewName, jsonMappingName } from "../../kql/tables";

let check: AssetCheck;

beforeAll(() => {
  check = checkAssets();
}, 120_000);

function columnsOf(name: string): Record<string, string> {
  const columns = functionResultColumns(check.schema, name);
  if (!columns) throw new Error(`${name} has no tabular result`);
  return Object.fromEntries(columns.map((c) => [c.name, c.type]));
}

describe("every KQL asset", () => {
  it("analyses with zero errors and zero warnings, file by file", () => {
    const failing = check.files.filter((f) => f.problems.length > 0).map(formatReport);
    expect(failing).toEqual([]);
  });

  it("covers the table scripts, reference schemas, functions and hunting queries", () => {
    const paths = check.files.map((f) => f.path);
    for (const table of Object.values(Tables)) expect(paths).toContain(`kql/tables/${table}.kql`);
    expect(paths).toEqual(expect.arrayContaining(["kql/reference/EmailEvents.kql", "kql/reference/OfficeActivity.kql"]));
    expect(paths.filter((p) => p.startsWith("kql/functions/")).length).toBeGreaterThanOrEqual(6);
    expect(paths.filter((p) => p.startsWith("kql/hunting/")).length).toBeGreaterThanOrEqual(13);
  });
});

describe("the schema the analysis builds from kql/", () => {
  it("has the four tables with the columns the catalog reads, each with its one JSON mapping", () => {
    const catalog = loadCatalog();
    for (const table of Object.values(Tables)) {
      const columns = catalog.get(table)!.columns;
      expect(check.schema.tables.get(table)!.columns).toEqual(columns.map((c) => ({ name: c.name, type: c.type })));
      expect(Object.keys(catalog.get(table)!.mappings)).toEqual([jsonMappingName(table)]);
    }
  });

  it("has a dedup view per table, keyed on the record (and folder and message for mail access), with every column", () => {
    for (const table of Object.values(Tables)) {
      const view = check.schema.views.get(dedupViewName(table))!;
      expect(view.source).toBe(table);
      expect(view.columns.map((c) => c.name).sort()).toEqual(check.schema.tables.get(table)!.columns.map((c) => c.name).sort());
    }
    expect(check.schema.views.get(DedupViews.unifiedAudit)!.query).toMatch(/summarize take_any\(\*\) by Id\b/);
    expect(check.schema.views.get(DedupViews.accessMail)!.query).toMatch(/summarize take_any\(\*\) by RecordId, FolderPath, ItemId\b/);
  });

  it("knows the reference tables EmailEvents and OfficeActivity", () => {
    const emailEvents = check.schema.tables.get("EmailEvents")!;
    expect(emailEvents.reference).toBe(true);
    expect(emailEvents.columns).toEqual(
      expect.arrayContaining([
        { name: "Timestamp", type: "datetime" },
        { name: "InternetMessageId", type: "string" },
        { name: "RecipientEmailAddress", type: "string" },
        { name: "EmailClusterId", type: "long" },
        { name: "AttachmentCount", type: "int" },
      ]),
    );
    expect(check.schema.tables.get("OfficeActivity")!.columns).toEqual(
      expect.arrayContaining([
        { name: "MailboxOwnerUPN", type: "string" },
        { name: "OperationProperties", type: "dynamic" },
      ]),
    );
  });
});

describe("the investigation functions", () => {
  it("MailAccessScope returns one row per exposure with its step, kind, place, first/last access and evidence", () => {
    expect(columnsOf("MailAccessScope")).toEqual({
      Step: "long",
      ExposureKind: "string",
      PresumedExposed: "bool",
      MailboxOwnerUPN: "string",
      FolderPath: "string",
      InternetMessageId: "string",
      ItemId: "string",
      FirstAccess: "datetime",
      LastAccess: "datetime",
      AccessCount: "long",
      SizeInBytes: "long",
      ClientIPAddresses: "dynamic",
      SessionIds: "dynamic",
      AADSessionIds: "dynamic",
      AppIds: "dynamic",
      ClientInfoStrings: "dynamic",
      UserIds: "dynamic",
      RecordIds: "dynamic",
      Evidence: "string",
    });
  });

  it("MailAccessScope answers each of Microsoft's four steps from the dedup view", () => {
    const body = check.schema.functions.get("MailAccessScope")!.body;
    expect(body).toContain(DedupViews.accessMail);
    expect(body).not.toMatch(/\bmicrosoft_unified_access_mail\b(?!_dedup)/);
    for (const kind of ["ThrottledMailbox", "SyncToReview", "SyncedFolder", "BoundMessage"]) expect(body).toContain(`"${kind}"`);
    expect(body).toMatch(/IsThrottled == true/);
    expect(body).toMatch(/\+ 1d/); // a throttle blinds Bind auditing for the next 24 h
  });

  it("MailAccessWithEmailEvents adds sender, recipients, subject and delivery time per message read", () => {
    const columns = columnsOf("MailAccessWithEmailEvents");
    expect(columns).toMatchObject({
      InternetMessageId: "string",
      SenderFromAddress: "string",
      Subject: "string",
      Recipients: "dynamic",
      DeliveredAt: "datetime",
      InEmailEvents: "bool",
      FirstAccess: "datetime",
    });
  });

  it("the ingestion-health functions give lag, gaps and quarantine per tenant and content type", () => {
    expect(columnsOf("IngestionLag")).toMatchObject({ TenantId: "string", ContentType: "string", BlobLagP95: "timespan", SinceLastIngestion: "timespan" });
    expect(columnsOf("IngestionGaps")).toMatchObject({ ContentType: "string", GapStart: "datetime", GapEnd: "datetime", GapLength: "timespan", Open: "bool" });
    expect(columnsOf("IngestionQuarantine")).toMatchObject({ ContentId: "string", Level: "string", ErrorCode: "string", Records: "long" });
  });
});

describe("kql/README.md", () => {
  it("shows a working invocation of every function", () => {
    const readme = readFileSync(join(__dirname, "..", "..", "kql", "README.md"), "utf8");
    const block = readme.split("```kusto")[1].split("```")[0];
    // one example per statement: a line starting with a name, plus its indented or piped continuation lines
    const examples = block
      .replace(/\s*\/\/.*$/gm, "")
      .split(/\n(?=[A-Z])/)
      .map((e) => e.trim())
      .filter(Boolean);
    for (const example of examples) {
      expect({ example, problems: analyseKql(example, check.schema.adx).problems }).toEqual({ example, problems: [] });
    }
    for (const name of check.schema.functions.keys()) expect(examples.some((e) => e.startsWith(`${name}(`))).toBe(true);
  });
});

describe("the hunting queries", () => {
  it("have unique GUID ids, ATT&CK Enterprise tactics and well-formed technique ids", () => {
    const ids = check.hunting.map((q) => q.id.toLowerCase());
    expect(new Set(ids).size).toBe(ids.length);
    for (const q of check.hunting) {
      expect(q.tactics.every((t) => (ENTERPRISE_TACTICS as readonly string[]).includes(t))).toBe(true);
      expect(q.relevantTechniques.every((t) => /^T\d{4}(\.\d{3})?$/.test(t))).toBe(true);
    }
  });

  it("include the issue's nine investigations, remote email collection among them", () => {
    const names = check.hunting.map((q) => q.name.toLowerCase()).join("\n");
    for (const topic of [/suspicious ip.*sender/, /synchronised from an unfamiliar client or ip/, /throttled mailboxes/, /never seen for that user in the prior 30 days/, /another user's mailbox/, /above the user's own baseline/, /application rarely seen/, /after an unusual entra id sign-in/, /ingestion.*(lag|gaps)/]) {
      expect(names).toMatch(topic);
    }
    expect(check.hunting.filter((q) => q.relevantTechniques.includes("T1114.002")).length).toBeGreaterThanOrEqual(7);
  });

  it("hunt each kind of persistence an attacker leaves in a mailbox or tenant, each with its remediation", () => {
    const by = (technique: string) => check.hunting.filter((q) => q.relevantTechniques.includes(technique));
    for (const technique of ["T1114.003", "T1564.008", "T1098", "T1528"])
      expect({ technique, withRemediation: by(technique).some((q) => /Remediation = /.test(q.query)) }).toEqual({ technique, withRemediation: true });
  });

  it("read only what a Sentinel workspace resolves: the dedup views and EmailEvents", () => {
    for (const q of check.hunting) {
      expect(q.query).not.toMatch(/\b(microsoft_unified_audit|microsoft_unified_access_mail|ingestion_ledger|ingestion_errors)\b(?!_dedup)/);
    }
    const withEmailEvents = check.hunting.find((q) => /EmailEvents/.test(q.query))!;
    expect(withEmailEvents.requiredDataConnectors).toEqual([{ connectorId: "MicrosoftThreatProtection", dataTypes: ["EmailEvents"] }]);
  });
});
