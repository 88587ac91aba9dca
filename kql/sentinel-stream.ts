// The Logs Ingestion stream that carries mail-access rows to Sentinel, defined once next to the ADX table it mirrors:
// the engine's Sentinel sink, the Logs Ingestion emulator and the infra app's DCR and custom table all read it.
// Log Analytics replaces a TimeGenerated older than two days with the receive time, so CreationTime stays a column.
import { loadCatalog, type KustoType } from "./catalog";
import { Tables } from "./tables";

/** Column types of Log Analytics custom tables and DCR stream declarations. */
export type LogAnalyticsType = "string" | "int" | "long" | "real" | "boolean" | "datetime" | "dynamic" | "guid";

export interface StreamColumn {
  name: string;
  type: LogAnalyticsType;
}

export interface SentinelStream {
  /** The custom table in the workspace (`_CL` suffix required). */
  tableName: string;
  /** The DCR stream the engine posts to (`Custom-` + table name). */
  streamName: string;
  /** The ADX table whose rows the stream carries. */
  sourceTable: string;
  /** TimeGenerated first (from CreationTime), then the source table's columns in order. */
  columns: StreamColumn[];
}

const LOG_ANALYTICS_TYPE: Record<KustoType, LogAnalyticsType> = {
  string: "string",
  datetime: "datetime",
  guid: "guid",
  bool: "boolean",
  int: "int",
  long: "long",
  real: "real",
  decimal: "real",
  dynamic: "dynamic",
  timespan: "string",
};

export const MAIL_ACCESS_TABLE_CL = "M365MailItemsAccessed_CL";

/** The mail-access stream, columns read from kql/tables. */
export function mailAccessStream(): SentinelStream {
  const table = loadCatalog().get(Tables.accessMail);
  if (!table) throw new Error(`kql/tables has no ${Tables.accessMail} table; the Sentinel stream mirrors it.`);
  return {
    tableName: MAIL_ACCESS_TABLE_CL,
    streamName: `Custom-${MAIL_ACCESS_TABLE_CL}`,
    sourceTable: table.name,
    columns: [{ name: "TimeGenerated", type: "datetime" }, ...table.columns.map((c) => ({ name: c.name, type: LOG_ANALYTICS_TYPE[c.type] }))],
  };
}
