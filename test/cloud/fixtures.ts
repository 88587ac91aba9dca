import { Readable } from "node:stream";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { loadCatalog } from "../../kql/catalog";

/** A credential that hands out a fixed bearer token: the local emulators want one, any one. */
export const localCredential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({ token: "local-test-token", expiresOnTimestamp: Date.now() + 60 * 60 * 1000 }),
};

/** Records as multijson text (one JSON object per line), as a stream for the Kusto SDKs. */
export function multijson(records: unknown[]): Readable {
  return Readable.from([records.map((r) => JSON.stringify(r)).join("\n")]);
}

/** A row of the table with every column null, in column order: what ADX stores for a record that maps nothing. */
export function nullRow(table: string): Record<string, unknown> {
  const schema = loadCatalog().get(table);
  if (!schema) throw new Error(`kql/ has no table ${table}`);
  return Object.fromEntries(schema.columns.map((c) => [c.name, null]));
}
