// The Function App's admin API, as the CLI calls it: a base URL and a function key (x-functions-key), JSON in and
// out, the contract's error body turned into a CliError with the exit code a pipeline can act on.
import type { TokenCredential } from "@azure/core-auth";
import { bearerTokenAuthenticationPolicy, createDefaultHttpClient, createHttpHeaders, createPipelineFromOptions, createPipelineRequest, type HttpClient, type Pipeline } from "@azure/core-rest-pipeline";
import type { TenantAccessReport } from "../../functions/src/admin/tenant-access";
import type { PlanNowResult } from "../../functions/src/admin/plan-now";
import type { RequeueResult, RequeueSelect } from "../../functions/src/admin/requeue";
import { ADMIN_ROUTE_PREFIX } from "../../functions/src/http-routes";
import type { HealthReport } from "../../functions/src/use-cases/health";
import type { BackfillJob } from "../../functions/src/backfill/backfill-job";
import { CliError } from "../output/cli-error";
import { ExitCode } from "../output/exit-codes";

export interface AppEndpoint {
  /** https://<defaultHostName> in Azure; the local host's http://127.0.0.1:<port>. */
  url: string;
  /** The host key: the local host, or the break-glass path of an app without operator sign-in. */
  functionKey?: string;
  /** With operator sign-in on: the operator's own Entra identity and the app's scope (`api://<app id>/.default`). */
  signIn?: { credential: TokenCredential; scope: string };
  /** PEM of an extra CA to trust (the emulated cloud's per-run CA). */
  caPem?: string;
}

export interface RequeueRequestBody {
  tenantId: string;
  select: RequeueSelect;
  from?: string;
  to?: string;
  dryRun?: boolean;
}

/** A back-fill job as GET operator/backfills lists it (only the fields status shows are relied on). */
export interface BackfillJobSummary {
  id: string;
  tenantId: string;
  state: string;
  from: string;
  to: string;
  intervals?: { total: number; done: number; failed: number };
  records?: { fetched: number; landed: number };
}

export class AdminClient {
  private readonly reads: Pipeline;
  // a retried requeue or plan would run twice: POSTs are sent once
  private readonly writes: Pipeline;
  private readonly client: HttpClient = createDefaultHttpClient();
  readonly baseUrl: string;

  constructor(private readonly endpoint: AppEndpoint) {
    this.baseUrl = endpoint.url.replace(/\/+$/, "");
    const pipeline = (maxRetries: number) => {
      const p = createPipelineFromOptions({
        retryOptions: { maxRetries, retryDelayInMs: 500, maxRetryDelayInMs: 4000 },
        tlsOptions: endpoint.caPem ? { ca: endpoint.caPem } : undefined,
        userAgentOptions: { userAgentPrefix: "m365-audit-lake-cli" },
      });
      // the operator's own token: App Service authentication validates it and the app scopes answers by its roles
      if (endpoint.signIn) p.addPolicy(bearerTokenAuthenticationPolicy({ credential: endpoint.signIn.credential, scopes: endpoint.signIn.scope }));
      return p;
    };
    this.reads = pipeline(3);
    this.writes = pipeline(0);
  }

  /** GET health: 503 (unhealthy) still carries the report. */
  health(): Promise<HealthReport> {
    return this.send<HealthReport>("GET", "health", undefined, [200, 503]);
  }

  tenants(tenantId?: string): Promise<TenantAccessReport> {
    return this.send("GET", `${ADMIN_ROUTE_PREFIX}/tenants${tenantId ? `?tenant=${encodeURIComponent(tenantId)}` : ""}`);
  }

  /** A plan run of one tenant now (the timer plans every tenant; the app rate-limits this per tenant). */
  plan(tenantId: string): Promise<{ results: PlanNowResult[] }> {
    return this.send("POST", `${ADMIN_ROUTE_PREFIX}/plan`, { tenantId });
  }

  requeue(body: RequeueRequestBody): Promise<RequeueResult> {
    return this.send("POST", `${ADMIN_ROUTE_PREFIX}/requeue`, body);
  }

  /** Back-fill jobs; null when the app has no back-fill route (an app deployed before back-fills existed answers 404). */
  async backfills(tenantId?: string): Promise<{ jobs: BackfillJobSummary[] } | null> {
    const answer = await this.raw("GET", `${ADMIN_ROUTE_PREFIX}/backfills${tenantId ? `?tenant=${encodeURIComponent(tenantId)}` : ""}`);
    if (answer.status === 404 && !answer.text) return null;
    return this.parse(answer, "GET", "backfills", [200]);
  }

  /** POST operator/backfills: 202 with the queued job. */
  startBackfill(body: { tenantId: string; from: string; to: string; operations?: string[]; recordTypes?: string[]; tenantRetentionDays?: number }): Promise<{ job: BackfillJob }> {
    return this.send("POST", `${ADMIN_ROUTE_PREFIX}/backfills`, body, [202]);
  }

  /** GET operator/backfills/{id}. */
  backfill(id: string): Promise<{ job: BackfillJob }> {
    return this.send("GET", `${ADMIN_ROUTE_PREFIX}/backfills/${encodeURIComponent(id)}`);
  }

  private async send<T>(method: "GET" | "POST", path: string, body?: unknown, ok: number[] = [200]): Promise<T> {
    return this.parse<T>(await this.raw(method, path, body), method, path, ok);
  }

  private async raw(method: "GET" | "POST", path: string, body?: unknown): Promise<{ status: number; text: string }> {
    const url = `${this.baseUrl}/api/${path}`;
    const request = createPipelineRequest({
      url,
      method,
      timeout: 120_000,
      headers: createHttpHeaders({
        Accept: "application/json",
        ...(this.endpoint.functionKey && !this.endpoint.signIn ? { "x-functions-key": this.endpoint.functionKey } : {}),
        ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
      }),
      body: body !== undefined ? JSON.stringify(body) : undefined,
      // plain http only ever reaches a loopback host (app-endpoint.ts refuses any other): the local Functions host
      allowInsecureConnection: this.baseUrl.startsWith("http:") && !this.endpoint.signIn,
    });
    try {
      const response = await (method === "GET" ? this.reads : this.writes).sendRequest(this.client, request);
      return { status: response.status, text: response.bodyAsText ?? "" };
    } catch (e) {
      throw new CliError(
        "AppUnreachable",
        `${method} ${this.baseUrl}/api/${path.split("?")[0]} failed: ${(e as Error).message.split("\n")[0]}`,
        "Check --app-url (or M365_AUDIT_LAKE_APP_URL) and that the Function App is running (locally: npm run host).",
        ExitCode.Failed,
      );
    }
  }

  private parse<T>(answer: { status: number; text: string }, method: string, path: string, ok: number[]): T {
    const where = `${method} /api/${path.split("?")[0]}`;
    if (ok.includes(answer.status)) {
      try {
        return JSON.parse(answer.text) as T;
      } catch {
        throw new CliError("UnexpectedAnswer", `${where} answered ${answer.status} without JSON.`, "Check that --app-url points at the m365-audit-lake Function App.", ExitCode.Failed);
      }
    }
    if (answer.status === 401 && this.endpoint.signIn)
      throw new CliError(
        "SignInRefused",
        `The Function App refused your Entra sign-in (${where} answered 401).`,
        "Sign in again (`az login`) with the account your operator role was assigned to, and check --app-scope names the app's operator API.",
        ExitCode.Auth,
      );
    if (answer.status === 403) {
      const e = errorBody(answer.text);
      throw new CliError(e?.code ?? "Forbidden", e?.message ?? `${where} answered 403.`, e?.advice ?? "Ask for an operator role on the app.", ExitCode.Auth);
    }
    if (answer.status === 401)
      throw new CliError(
        "FunctionKeyRefused",
        `The Function App refused the function key (${where} answered 401).`,
        "Pass the app's function key with --function-key (or M365_AUDIT_LAKE_FUNCTION_KEY); in Azure, let the CLI read it with --subscription, --resource-group and --site.",
        ExitCode.Auth,
      );
    const error = errorBody(answer.text);
    if (!error) {
      const next = answer.status === 404 ? "Check --app-url: the app answered 404 for this route (is it an m365-audit-lake app, deployed with this version?)." : "Run the command again; the app's log stream says why it failed.";
      throw new CliError(`Http${answer.status}`, `${where} answered ${answer.status}.`, next, answer.status === 404 ? ExitCode.NotFound : ExitCode.Failed);
    }
    const exit = answer.status === 400 ? ExitCode.Usage : answer.status === 404 ? ExitCode.NotFound : answer.status === 409 ? ExitCode.Conflict : ExitCode.Failed;
    throw new CliError(error.code, error.message, error.advice, exit);
  }
}

function errorBody(text: string): { code: string; message: string; advice: string } | undefined {
  try {
    const e = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown; advice?: unknown } }).error;
    if (e && typeof e.code === "string" && typeof e.message === "string") return { code: e.code, message: e.message, advice: typeof e.advice === "string" ? e.advice : "" };
  } catch {
    // not the contract's error body
  }
  return undefined;
}
