// Kudu's OneDeploy: POST the zip to /api/publish, then follow /api/deployments/{id} until it ends.
import { setTimeout as sleep } from "node:timers/promises";
import { CliError } from "../output/cli-error";
import { ExitCode } from "../output/exit-codes";
import { serviceError, type ResourceManagerHttp } from "./resource-manager-pipeline";

/** Kudu's DeployStatus. */
const Status = { Cancelled: -1, Pending: 0, Building: 1, Deploying: 2, Failed: 3, Success: 4, Conflict: 5, PartialSuccess: 6 } as const;
const STATUS_NAME = Object.fromEntries(Object.entries(Status).map(([k, v]) => [v, k])) as Record<number, string>;

export interface DeploymentRecord {
  id: string;
  status: number;
  status_text?: string;
  complete?: boolean;
}

export interface PollOptions {
  pollIntervalMs: number;
  timeoutMs: number;
  /** How long a 404 for the new deployment is taken as "not recorded yet" (default 30 s). */
  notFoundGraceMs?: number;
  onStatus?: (statusName: string) => void;
  signal?: AbortSignal;
}

export async function startOneDeploy(http: ResourceManagerHttp, scmHost: string, zip: Uint8Array): Promise<string> {
  const answer = await http.send("POST", `https://${scmHost}/api/publish?RemoteBuild=false&Deployer=m365-audit-lake`, { bytes: zip, contentType: "application/zip" }, 600_000);
  if (answer.status === 409) {
    throw new CliError(
      "DeploymentInProgress",
      `Another deployment is running on ${scmHost}: ${serviceError(answer).message}`,
      `Wait until it ends (GET https://${scmHost}/api/deployments/latest shows it) and publish again.`,
      ExitCode.Conflict,
    );
  }
  if (answer.status === 401 || answer.status === 403) {
    throw new CliError(
      "ScmUnauthorized",
      `The SCM site ${scmHost} refused the Resource Manager token (${answer.status}): ${serviceError(answer).message}`,
      "Use an account with Website Contributor (or Contributor) on the app, and check that the app does not disable Microsoft Entra authentication for its SCM site.",
      ExitCode.Auth,
    );
  }
  if (answer.status !== 200 && answer.status !== 202) {
    throw new CliError("PublishRejected", `OneDeploy answered ${answer.status}: ${serviceError(answer).message}`, "Check the package and run publish again.", ExitCode.Failed);
  }
  return deploymentId(answer.text, answer.headers["location"]);
}

// The body is the deployment id as a JSON string; the Location header names it too.
function deploymentId(body: string, location: string | undefined): string {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (typeof parsed === "string" && parsed) return parsed;
    if (parsed && typeof parsed === "object" && typeof (parsed as { id?: unknown }).id === "string") return (parsed as { id: string }).id;
  } catch {
    if (body.trim()) return body.trim();
  }
  const m = location ? /\/api\/deployments\/([^/?]+)/.exec(location) : null;
  if (m) return decodeURIComponent(m[1]);
  throw new CliError("NoDeploymentId", "OneDeploy accepted the package but named no deployment to follow.", "Check the app's Deployment Center in the portal for the outcome.", ExitCode.Failed);
}

export async function waitForDeployment(http: ResourceManagerHttp, scmHost: string, id: string, options: PollOptions): Promise<DeploymentRecord> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  for (;;) {
    const answer = await http.send("GET", `https://${scmHost}/api/deployments/${encodeURIComponent(id)}`);
    // Kudu writes the deployment record after it answers 202: a 404 right after publishing means "not yet"
    if (answer.status === 404 && Date.now() - started < (options.notFoundGraceMs ?? 30_000) && Date.now() + options.pollIntervalMs <= deadline) {
      options.onStatus?.("Recording");
      await sleep(options.pollIntervalMs, undefined, { signal: options.signal });
      continue;
    }
    if (answer.status !== 200) {
      throw new CliError("DeploymentStatusUnavailable", `Reading deployment ${id} answered ${answer.status}: ${serviceError(answer).message}`, "Check the app's Deployment Center in the portal for the outcome, then publish again if it failed.", ExitCode.Failed);
    }
    const record = JSON.parse(answer.text) as DeploymentRecord;
    options.onStatus?.(STATUS_NAME[record.status] ?? String(record.status));
    if (record.status === Status.Success) return record;
    if (record.status === Status.Failed || record.status === Status.Cancelled || record.status === Status.Conflict) {
      const log = await deploymentLog(http, scmHost, id);
      throw new CliError(
        "DeploymentFailed",
        `Deployment ${id} ended ${STATUS_NAME[record.status]}: ${record.status_text || "no reason given"}`,
        "Read the log above; fix the package or the app's configuration (e.g. Storage Blob Data Owner for the app's identity on its deployment container) and publish again.",
        ExitCode.Failed,
        log,
      );
    }
    if (Date.now() + options.pollIntervalMs > deadline) {
      throw new CliError(
        "DeploymentTimeout",
        `Deployment ${id} was still ${STATUS_NAME[record.status] ?? record.status} after ${Math.round(options.timeoutMs / 1000)} s.`,
        `Follow it at https://${scmHost}/api/deployments/${id}, or publish again with a longer --timeout.`,
        ExitCode.Timeout,
      );
    }
    await sleep(options.pollIntervalMs, undefined, { signal: options.signal });
  }
}

async function deploymentLog(http: ResourceManagerHttp, scmHost: string, id: string): Promise<string[]> {
  const answer = await http.send("GET", `https://${scmHost}/api/deployments/${encodeURIComponent(id)}/log`);
  if (answer.status !== 200) return [];
  try {
    return (JSON.parse(answer.text) as Array<{ log_time: string; message: string }>).map((e) => `${e.log_time} ${e.message}`);
  } catch {
    return [];
  }
}
