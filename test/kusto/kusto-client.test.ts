// test:kusto's client against an unauthenticated endpoint that does not serve the SDK's cloud-metadata preflight the
// way a cluster does (the emulator's documentation names no /v1/rest/auth/metadata): the client must not depend on it.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "azure-kusto-data";
import { kustoTarget } from "./kusto-client";

/** A loopback engine: 401 on the metadata path, a one-row v1 answer to any management command. */
function engine(): Promise<{ url: string; paths: string[]; server: Server }> {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? "");
    req.resume();
    req.on("end", () => {
      if (req.url === "/v1/rest/auth/metadata") {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ Tables: [{ TableName: "Table_0", Columns: [{ ColumnName: "BuildVersion", DataType: "String", ColumnType: "string" }], Rows: [["1.0.0"]] }] }));
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, paths, server })));
}

test("the emulator client runs commands without asking the endpoint for cloud metadata", async () => {
  const e = await engine();
  const { client, canCreateDatabases } = kustoTarget(e.url);
  try {
    const response = await client.execute("NetDefaultDB", ".show version");
    expect(response.primaryResults[0].toJSON<{ BuildVersion: string }>().data[0].BuildVersion).toBe("1.0.0");
    expect(e.paths).toEqual(["/v1/rest/mgmt"]);
    expect(canCreateDatabases).toBe(true);
  } finally {
    client.close();
    e.server.close();
  }
});

test("without it, the SDK's own preflight fails on such an endpoint (why kustoTarget records the defaults)", async () => {
  const e = await engine();
  const client = new Client(e.url);
  try {
    await expect(client.execute("NetDefaultDB", ".show version")).rejects.toThrow(/cloud info/i);
    expect(e.paths).toEqual(["/v1/rest/auth/metadata"]);
  } finally {
    client.close();
    e.server.close();
  }
});
