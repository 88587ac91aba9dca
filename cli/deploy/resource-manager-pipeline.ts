// HTTP to Resource Manager and to a site's Kudu on Azure's own pipeline: a Resource Manager bearer token from the
// caller's TokenCredential, retries on 408/429/5xx and network errors, and an extra trusted CA for the emulated cloud.
import type { TokenCredential } from "@azure/core-auth";
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type Pipeline,
} from "@azure/core-rest-pipeline";
import { CliError } from "../output/cli-error";
import { ExitCode } from "../output/exit-codes";

/** Resource Manager per Azure cloud: its endpoint and the token audience it accepts (Kudu accepts the same tokens). */
export const RESOURCE_MANAGER = {
  public: { endpoint: "https://management.azure.com", scope: "https://management.azure.com/.default" },
  // US Government Resource Manager refuses a management.azure.com token (Enterprise/GCC tenants: public; GCC High/DoD: this).
  usgovernment: { endpoint: "https://management.usgovcloudapi.net", scope: "https://management.usgovcloudapi.net/.default" },
} as const;

export type ResourceManagerCloud = keyof typeof RESOURCE_MANAGER;

export const PUBLIC_RESOURCE_MANAGER = RESOURCE_MANAGER.public.endpoint;

export interface ResourceManagerConnection {
  credential: TokenCredential;
  /** The deployment config's platform.azureCloud: which Resource Manager, and the audience of its token (default public). */
  cloud?: ResourceManagerCloud;
  /** Default the cloud's Resource Manager (the emulated cloud passes its own). */
  endpoint?: string;
  /** PEM of an extra CA to trust (the emulated cloud's per-run CA); replaces the system roots for these requests. */
  caPem?: string;
  /** Retries of GETs on 408/429/5xx and network errors (default 3); POSTs are never retried. */
  maxRetries?: number;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

// Failures an @azure/identity credential raises when it cannot give a token at all.
const CREDENTIAL_ERRORS = new Set(["CredentialUnavailableError", "AuthenticationError", "AuthenticationRequiredError", "AggregateAuthenticationError"]);

export class ResourceManagerHttp {
  readonly endpoint: string;
  private readonly reads: Pipeline;
  // A retried publish could start a second deployment (or meet its own first one as a 409): POSTs are sent once.
  private readonly writes: Pipeline;
  private readonly client: HttpClient = createDefaultHttpClient();

  constructor(connection: ResourceManagerConnection) {
    const cloud = RESOURCE_MANAGER[connection.cloud ?? "public"];
    this.endpoint = (connection.endpoint ?? cloud.endpoint).replace(/\/$/, "");
    const pipeline = (maxRetries: number) => {
      const p = createPipelineFromOptions({
        retryOptions: { maxRetries, retryDelayInMs: 500, maxRetryDelayInMs: 8000 },
        tlsOptions: connection.caPem ? { ca: connection.caPem } : undefined,
        userAgentOptions: { userAgentPrefix: "m365-audit-lake-cli" },
      });
      p.addPolicy(bearerTokenAuthenticationPolicy({ credential: connection.credential, scopes: cloud.scope }));
      return p;
    };
    this.reads = pipeline(connection.maxRetries ?? 3);
    this.writes = pipeline(0);
  }

  async send(method: "GET" | "POST", url: string, body?: { bytes: Uint8Array; contentType: string }, timeoutMs = 120_000): Promise<HttpAnswer> {
    const request = createPipelineRequest({
      url,
      method,
      timeout: timeoutMs,
      headers: createHttpHeaders({ Accept: "application/json", ...(body ? { "Content-Type": body.contentType } : {}) }),
      body: body ? body.bytes : undefined,
    });
    try {
      const response = await (method === "GET" ? this.reads : this.writes).sendRequest(this.client, request);
      return { status: response.status, headers: response.headers.toJSON(), text: response.bodyAsText ?? "" };
    } catch (e) {
      const error = e as Error;
      if (CREDENTIAL_ERRORS.has(error.name)) {
        throw new CliError(
          "NoCredential",
          `No Azure credential could give a Resource Manager token: ${firstLine(error.message)}`,
          "Sign in with `az login` (add --tenant <id> for the tenant that holds the subscription), or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or a federated token file) for a service principal, then run the command again.",
          ExitCode.Auth,
        );
      }
      const host = new URL(url).host;
      throw new CliError(
        "Unreachable",
        `${method} https://${host} failed: ${firstLine(error.message)}`,
        `Check the network path to ${host} (proxy, firewall, DNS) and run the command again.`,
        ExitCode.Failed,
      );
    }
  }
}

function firstLine(text: string): string {
  return text.split("\n")[0].trim();
}

/** Reads Resource Manager's `{"error":{"code","message"}}`, or the text a Kudu endpoint answered. */
export function serviceError(answer: HttpAnswer): { code: string; message: string } {
  try {
    const body = JSON.parse(answer.text) as { error?: { code?: string; message?: string }; Message?: string };
    if (body.error?.code) return { code: body.error.code, message: body.error.message ?? "" };
    if (body.Message) return { code: `Http${answer.status}`, message: body.Message };
  } catch {
    // not JSON: Kudu answers text
  }
  return { code: `Http${answer.status}`, message: answer.text.trim() || `HTTP ${answer.status}` };
}
