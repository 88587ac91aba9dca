// The admin API calls onboarding makes, over HTTP with the app's function key (never logged, sent only to the app).
import { CliError } from "../output/cli-error";
import { ExitCode } from "../output/exit-codes";
import type { OnboardingApp, PlanRunResult, TenantAccessView } from "./onboarding-app";

const ADMIN = "api/operator";

export function onboardingApi(appUrl: string, functionKey: string, timeoutMs = 120_000): OnboardingApp {
  const base = appUrl.replace(/\/+$/, "");
  const call = async <T>(method: "GET" | "POST", path: string, body?: object, okStatus: number[] = []): Promise<T> => {
    let res: Response;
    try {
      res = await fetch(`${base}/${path}`, {
        method,
        headers: { "x-functions-key": functionKey, accept: "application/json", ...(body ? { "content-type": "application/json" } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      throw new CliError("AppUnreachable", `${base} did not answer ${method} /${path}: ${(e as Error).message}.`, "Check --app-url and that the app is running.", ExitCode.Failed);
    }
    const text = await res.text();
    if (res.ok || okStatus.includes(res.status)) return JSON.parse(text) as T;
    const error = (() => {
      try {
        return (JSON.parse(text) as { error?: { code?: string; message?: string; advice?: string } }).error;
      } catch {
        return undefined;
      }
    })();
    const exit = res.status === 401 || res.status === 403 ? ExitCode.Auth : res.status === 404 ? ExitCode.NotFound : res.status === 400 ? ExitCode.Usage : ExitCode.Failed;
    throw new CliError(
      error?.code ?? `Http${res.status}`,
      error?.message ?? `${base} answered ${res.status} to ${method} /${path}.`,
      error?.advice ?? (exit === ExitCode.Auth ? "Check --function-key: the app refused it." : "Check the app's logs."),
      exit,
    );
  };
  return {
    tenantAccess: async (tenantId) => {
      const report = await call<{ tenants: TenantAccessView[] }>("GET", `${ADMIN}/tenants?tenant=${encodeURIComponent(tenantId)}`);
      return report.tenants[0];
    },
    plan: async (tenantId) => (await call<{ results: PlanRunResult[] }>("POST", `${ADMIN}/plan`, { tenantId })).results,
    // health answers 503 with the same report when any tenant is unhealthy (e.g. one still waiting for consent)
    health: () => call("GET", "api/health", undefined, [503]),
  };
}
