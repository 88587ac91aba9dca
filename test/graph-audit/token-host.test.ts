// The tenant's Graph token goes to the API's own origin and nowhere else, even when the service's answer points away.
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GraphAuditError, GraphAuditErrorCodes, GraphAuditLogClient } from "../../functions/src/graph-audit/index";
import { createLocalTls, type LocalTls } from "../../local/tls";

interface Seen {
  path: string;
  authorization: string | undefined;
}

function serve(tls: LocalTls, answer: (path: string) => { status: number; body: unknown; headers?: Record<string, string> }): Promise<{ server: Server; origin: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    seen.push({ path: req.url ?? "", authorization: req.headers.authorization });
    const a = answer(req.url ?? "");
    res.writeHead(a.status, { "Content-Type": "application/json", ...a.headers });
    res.end(JSON.stringify(a.body));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, origin: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, seen })));
}

describe("the Graph token stays with the API host", () => {
  let tls: LocalTls;
  const servers: Server[] = [];
  beforeAll(async () => {
    tls = await createLocalTls(join(mkdtempSync(join(tmpdir(), "graph-host-test-")), "ca.pem"));
  });
  afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

  const credential = { getToken: async () => ({ token: "secret-graph-token", expiresOnTimestamp: Date.now() + 3_600_000 }) };

  test("a nextLink to another host is refused before anything is sent there", async () => {
    const elsewhere = await serve(tls, () => ({ status: 200, body: { value: [] } }));
    const api = await serve(tls, () => ({ status: 200, body: { value: [{ id: "a" }], "@odata.nextLink": `${elsewhere.origin}/beta/security/auditLog/queries/q/records?$skiptoken=x` } }));
    servers.push(elsewhere.server, api.server);
    const client = new GraphAuditLogClient(credential, { baseUrl: `${api.origin}/beta`, tls: { ca: tls.caPem } });
    const pages: unknown[] = [];
    let error: unknown;
    try {
      for await (const page of client.recordPages("q", { succeeded: true })) pages.push(page);
    } catch (e) {
      error = e;
    }
    expect(pages).toHaveLength(1);
    expect((error as GraphAuditError).code).toBe(GraphAuditErrorCodes.HostNotAllowed);
    expect(api.seen[0].authorization).toBe("Bearer secret-graph-token");
    expect(elsewhere.seen).toEqual([]);
  });

  test("a redirect to another host is not followed with the token", async () => {
    const elsewhere = await serve(tls, () => ({ status: 200, body: { id: "q", status: "succeeded" } }));
    const api = await serve(tls, () => ({ status: 302, body: {}, headers: { Location: `${elsewhere.origin}/beta/security/auditLog/queries/q` } }));
    servers.push(elsewhere.server, api.server);
    const client = new GraphAuditLogClient(credential, { baseUrl: `${api.origin}/beta`, tls: { ca: tls.caPem } });
    await expect(client.getQuery("q")).rejects.toMatchObject({ code: GraphAuditErrorCodes.HostNotAllowed });
    expect(elsewhere.seen).toEqual([]);
  });

  test("an error message never carries the token", async () => {
    const api = await serve(tls, () => ({ status: 400, body: { error: { code: "BadRequest", message: "nope", innerError: { "request-id": "r-1" } } } }));
    servers.push(api.server);
    const client = new GraphAuditLogClient(credential, { baseUrl: `${api.origin}/beta`, tls: { ca: tls.caPem } });
    const error = (await client.getQuery("q").catch((e: unknown) => e)) as GraphAuditError;
    expect(error.code).toBe("BadRequest");
    expect(error.requestId).toBe("r-1");
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain("secret-graph-token");
  });
});
