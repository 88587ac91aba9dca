// The Kusto client test:kusto uses: the Kusto emulator over plain HTTP with no authentication, or a dev cluster over
// HTTPS as the caller (DefaultAzureCredential, e.g. az login).
import { DefaultAzureCredential } from "@azure/identity";
import { Client, CloudSettings, KustoConnectionStringBuilder } from "azure-kusto-data";

export interface KustoTarget {
  client: Client;
  /** The emulator accepts `.create database`; an ADX cluster creates databases only through Resource Manager. */
  canCreateDatabases: boolean;
}

export function kustoTarget(endpoint: string): KustoTarget {
  if (endpoint.startsWith("https://")) {
    return { client: new Client(KustoConnectionStringBuilder.withTokenCredential(endpoint, new DefaultAzureCredential())), canCreateDatabases: false };
  }
  // The SDK asks every endpoint for /v1/rest/auth/metadata before its first request and accepts only 200 or 404; the
  // emulator has no authentication and its documentation names no such endpoint, so the public-cloud defaults are
  // recorded for it up front and nothing depends on what it answers there.
  CloudSettings.writeToCache(endpoint);
  return { client: new Client(endpoint), canCreateDatabases: true };
}
