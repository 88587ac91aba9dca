// Azure's HTTP pipeline for Graph calls: retries with backoff (Retry-After honoured on 429/503), a bearer token from
// the TokenCredential on every attempt, and a guard that refuses to send anything — token included — to a host other
// than the API's own origin (a nextLink or redirect pointing elsewhere never receives the token).
import type { TokenCredential } from "@azure/core-auth";
import {
  bearerTokenAuthenticationPolicy,
  createPipelineFromOptions,
  type Pipeline,
  type PipelinePolicy,
  type TlsSettings,
} from "@azure/core-rest-pipeline";
import { GraphAuditError, GraphAuditErrorCodes } from "./errors";
import { GRAPH_SCOPE } from "./graph-endpoint";

export interface GraphPipelineOptions {
  credential: TokenCredential;
  /** The only origin requests may go to. */
  origin: string;
  /** Retries per call for throttling (429 + Retry-After), 5xx and connection failures; default 6. */
  maxRetries?: number;
  /** First backoff when the service gives no Retry-After, ms; default 1000. */
  retryDelayMs?: number;
  /** Extra CA for a local emulator's certificate. */
  tls?: TlsSettings;
}

function originGuard(origin: string): PipelinePolicy {
  return {
    name: "graphAuditOriginGuard",
    sendRequest(request, next) {
      const target = new URL(request.url).origin;
      if (target !== origin) {
        throw new GraphAuditError(`Refusing to send a Graph request to ${target}: only ${origin} may receive the tenant's token. The service returned a link to another host.`, {
          code: GraphAuditErrorCodes.HostNotAllowed,
        });
      }
      return next(request);
    },
  };
}

export function createGraphPipeline(o: GraphPipelineOptions): Pipeline {
  const pipeline = createPipelineFromOptions({
    retryOptions: { maxRetries: o.maxRetries ?? 6, retryDelayInMs: o.retryDelayMs ?? 1000, maxRetryDelayInMs: 60_000 },
    tlsOptions: o.tls,
    userAgentOptions: { userAgentPrefix: "m365-audit-lake-backfill" },
  });
  // both in the Sign phase, guard first: it runs on every attempt and every redirect hop, before the token is attached
  pipeline.addPolicy(originGuard(o.origin), { phase: "Sign" });
  pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential: o.credential, scopes: GRAPH_SCOPE }), { phase: "Sign" });
  return pipeline;
}
