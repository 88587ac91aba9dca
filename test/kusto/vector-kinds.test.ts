// test:kusto's runner against a loopback engine that records every command and answers with no rows: what it sends
// for a vector (its own database, kql/ deployed, rows through the production mappings, the function, the drop) and
// that an engine answering nothing fails the vectors. The KQL itself runs only on a real engine (npm run test:kusto).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { loadCatalog } from "../../kql/catalog";
import { deploymentCommands } from "../../kql/scripts";
import { Tables, jsonMappingName } from "../../kql/tables";
import { loadEmailEventsVectors, loadFootprintVectors } from "../vectors/vectors";
import { emailEventsKind } from "./email-events-vectors";
import { footprintKind } from "./footprint-vectors";
import { ipKeyKind } from "./ip-key-vectors";
import { kustoTarget } from "./kusto-client";
import { runKinds, type VectorKind } from "./kusto-vector";

interface Sent {
  path: string;
  db: string;
  csl: string;
}

/** Management commands get an empty v1 table, queries an empty v2 primary result. */
function engine(): Promise<{ url: string; sent: Sent[]; server: Server }> {
  const sent: Sent[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as { db?: string; csl?: string };
      sent.push({ path: req.url ?? "", db: body.db ?? "", csl: body.csl ?? "" });
      res.writeHead(200, { "Content-Type": "application/json" });
      if (req.url === "/v2/rest/query") {
        res.end(JSON.stringify([
          { FrameType: "DataSetHeader", IsProgressive: false, Version: "v2.0" },
          { FrameType: "DataTable", TableId: 0, TableKind: "PrimaryResult", TableName: "PrimaryResult", Columns: [], Rows: [] },
          { FrameType: "DataSetCompletion", HasErrors: false, Cancelled: false },
        ]));
      } else {
        res.end(JSON.stringify({ Tables: [{ TableName: "Table_0", Columns: [], Rows: [] }] }));
      }
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sent, server })));
}

async function run(kinds: VectorKind[]): Promise<{ sent: Sent[]; output: string; failed: number }> {
  const e = await engine();
  const target = kustoTarget(e.url);
  let output = "";
  try {
    const { failed } = await runKinds(target, kinds, (text) => (output += text));
    return { sent: e.sent, output, failed };
  } finally {
    target.client.close();
    e.server.close();
  }
}

const first = (kind: VectorKind, n = 1): VectorKind => ({ ...kind, vectors: kind.vectors.slice(0, n) });
const ingests = (sent: Sent[], table: string) => sent.filter((s) => s.csl.startsWith(`.ingest inline into table ${table} `));
const linesOf = (csl: string) => csl.split("\n").slice(1).map((l) => JSON.parse(l) as Record<string, unknown>);

test("a footprint vector: its own database, kql/ deployed, mail access and audit rows through their mappings, AttackerFootprint, the drop", async () => {
  const v = loadFootprintVectors().find((f) => f.rows.length > 0 && f.auditRecords.length > 0)!;
  const kind = footprintKind();
  const { sent, output, failed } = await run([{ ...kind, vectors: kind.vectors.filter((k) => k.name === `footprint/${v.name}`) }]);

  const create = /^\.create database (test_kusto_\w+) persist/.exec(sent[0].csl);
  expect(create).not.toBeNull();
  const database = create![1];
  const deployment = deploymentCommands({ parameters: { dedupLookbackDays: 365 } });
  expect(sent.slice(1, 1 + deployment.length)).toEqual(deployment.map((csl) => ({ path: "/v1/rest/mgmt", db: database, csl })));

  const [mail] = ingests(sent, Tables.accessMail);
  expect(mail.csl.split("\n")[0]).toBe(`.ingest inline into table ${Tables.accessMail} with (format="multijson", ingestionMappingReference="${jsonMappingName(Tables.accessMail)}") <|`);
  const mapped = new Set(loadCatalog().get(Tables.accessMail)!.mappings[jsonMappingName(Tables.accessMail)].map((m) => m.path!.slice(2)));
  expect(linesOf(mail.csl).map((r) => r.RecordId)).toEqual(v.rows.map((r) => r.RecordId));
  for (const line of linesOf(mail.csl)) expect(Object.keys(line).filter((k) => !mapped.has(k))).toEqual([]);

  const [audit] = ingests(sent, Tables.unifiedAudit);
  expect(audit.csl.split("\n")[0]).toBe(`.ingest inline into table ${Tables.unifiedAudit} with (format="multijson", ingestionMappingReference="${jsonMappingName(Tables.unifiedAudit)}") <|`);
  expect(linesOf(audit.csl).map((r) => r.Id)).toEqual(v.auditRecords.map((r) => r.Id));
  expect(linesOf(audit.csl).every((r) => typeof r.Record === "object" && r.ClientIP !== undefined)).toBe(true);

  const query = sent.find((s) => s.path === "/v2/rest/query")!;
  expect(query.db).toBe(database);
  expect(query.csl).toContain("AttackerFootprint(user, ips, sessions, start, end, aadSessions, apps)");
  expect(sent[sent.length - 1].csl).toBe(`.drop database ${database} ifexists`);

  // the engine answered no rows; the vector expects some
  expect(output).toContain(`FAIL  footprint/${v.name}`);
  expect(output).toContain("test:kusto: 0 of 1 footprint vectors pass through AttackerFootprint\ntest:kusto: 0 passed, 1 failed\n");
  expect(failed).toBe(1);
});

test("an EmailEvents vector deploys the EmailEvents table and fills it by query (it has no mapping of ours)", async () => {
  const v = loadEmailEventsVectors()[0];
  const { sent } = await run([first(emailEventsKind())]);
  expect(sent.map((s) => s.csl)).toEqual(expect.arrayContaining(deploymentCommands({ parameters: { dedupLookbackDays: 365 }, includeEmailEvents: true })));
  expect(sent.some((s) => s.csl.startsWith(".create-merge table EmailEvents"))).toBe(true);
  expect(ingests(sent, "EmailEvents")).toEqual([]);
  const append = sent.find((s) => s.csl.startsWith(".set-or-append EmailEvents <|"))!;
  for (const e of v.emailEvents) expect(append.csl).toContain(JSON.stringify(e.InternetMessageId));
  expect(linesOf(ingests(sent, Tables.accessMail)[0].csl)).toHaveLength(v.rows.length);
  expect(sent.find((s) => s.path === "/v2/rest/query")!.csl).toContain("MailAccessWithEmailEvents(user, ips, sessions, start, end, clientInfoStrings, aadSessions, apps)");
});

test("each vector gets a database of its own, dropped after it; an engine that gives no key fails an IP key vector", async () => {
  const { sent, output, failed } = await run([first(ipKeyKind(), 2)]);
  const created = sent.map((s) => /^\.create database (\w+) /.exec(s.csl)?.[1]).filter(Boolean);
  const dropped = sent.map((s) => /^\.drop database (\w+) ifexists$/.exec(s.csl)?.[1]).filter(Boolean);
  expect(created).toHaveLength(2);
  expect(new Set(created).size).toBe(2);
  expect(dropped).toEqual(created);
  expect(sent.filter((s) => s.csl.startsWith(".ingest"))).toEqual([]);
  expect(output).toMatch(/FAIL {2}ip-keys\/\S+: .*\n {6}NormalizedIp gave no key for /);
  expect(failed).toBe(2);
});
