import type { Catalog } from "../../kql/catalog";
import { AdxIngestionError } from "./errors";
import type { IngestionResources } from "./ingestion-resources";

type ColumnType = "string" | "long" | "datetime" | "bool";
const DATA_TYPES: Record<ColumnType, string> = { string: "String", long: "Int64", datetime: "DateTime", bool: "Boolean" };

/** ADX's V1 response (what azure-kusto-data parses for /v1/rest/mgmt): one table, Columns + Rows. */
export function v1Response(columns: Array<[string, ColumnType]>, rows: unknown[][]): object {
  return {
    Tables: [
      {
        TableName: "Table_0",
        Columns: columns.map(([name, type]) => ({ ColumnName: name, DataType: DATA_TYPES[type], ColumnType: type })),
        Rows: rows,
      },
    ],
  };
}

export interface ControlCommandContext {
  resources: IngestionResources | undefined;
  databases: Set<string>;
  catalog: Catalog;
}

const SUPPORTED = [".get ingestion resources", ".get kusto identity token", ".show databases", ".show tables", ".show version"];

/** Answers the control commands the ingestion SDK (and a curious operator) sends to the ingestion endpoint. */
export function runControlCommand(db: string | undefined, csl: string, ctx: ControlCommandContext): object {
  const command = csl.trim().replace(/\s+/g, " ").toLowerCase();
  if (command.startsWith(".get ingestion resources")) {
    if (!ctx.resources) throw noStorage();
    return v1Response([["ResourceTypeName", "string"], ["StorageRoot", "string"]], ctx.resources.resourceRows());
  }
  if (command.startsWith(".get kusto identity token")) {
    if (!ctx.resources) throw noStorage();
    return v1Response([["AuthorizationContext", "string"]], [[ctx.resources.authorizationContext]]);
  }
  if (command === ".show databases") {
    return v1Response([["DatabaseName", "string"], ["PersistentStorage", "string"], ["Version", "string"], ["IsCurrent", "bool"]],
      [...ctx.databases].map((name) => [name, "", "v1.0", name === db]));
  }
  if (command === ".show tables") {
    if (!db || !ctx.databases.has(db)) {
      throw new AdxIngestionError("BadRequest_DatabaseNotExist", `Database '${db ?? ""}' does not exist. The emulator holds: ${[...ctx.databases].join(", ")}.`);
    }
    return v1Response([["TableName", "string"], ["DatabaseName", "string"], ["Folder", "string"], ["DocString", "string"]],
      [...ctx.catalog.keys()].map((t) => [t, db, "", ""]));
  }
  if (command === ".show version") {
    return v1Response([["BuildVersion", "string"], ["BuildTime", "datetime"], ["ServiceType", "string"], ["ProductVersion", "string"]],
      [["1.0.0.0", "2025-01-01T00:00:00Z", "DataManagement", "m365-audit-lake ADX ingestion emulator"]]);
  }
  throw new AdxIngestionError(
    "BadRequest_SyntaxError",
    `The ADX emulator does not run '${csl.trim().slice(0, 80)}'. It answers: ${SUPPORTED.join(", ")}; tables and mappings come from kql/tables/*.kql, and rows can be read from the .jsonl files under the emulator's data folder.`,
  );
}

function noStorage(): AdxIngestionError {
  return new AdxIngestionError("ServiceUnavailable", "Queued ingestion is unavailable: this ADX emulator was started without a storage account (pass `storage`, e.g. Azurite's).", false);
}
