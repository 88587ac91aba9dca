// One OneDeploy deployment as Kudu reports it at /api/deployments/{id}: numeric status, timestamps and a log.
import { randomUUID } from "node:crypto";

/** Kudu's DeployStatus values. */
export const DeployStatus = { Cancelled: -1, Pending: 0, Building: 1, Deploying: 2, Failed: 3, Success: 4, Conflict: 5, PartialSuccess: 6 } as const;
export type DeployStatusCode = (typeof DeployStatus)[keyof typeof DeployStatus];

export interface DeploymentLogEntry {
  log_time: string;
  id: string;
  message: string;
  type: 0 | 1 | 2; // information, warning, error
  details_url: string | null;
}

export class Deployment {
  readonly id = randomUUID();
  readonly receivedAtMs = Date.now();
  readonly receivedTime = new Date(this.receivedAtMs).toISOString();
  status: DeployStatusCode = DeployStatus.Pending;
  statusText = "Receiving changes.";
  startTime: string | null = null;
  endTime: string | null = null;
  readonly log: DeploymentLogEntry[] = [];

  constructor(
    readonly siteName: string,
    readonly scmOrigin: string,
    readonly remoteBuild: boolean,
    readonly deployer: string,
  ) {}

  get complete(): boolean {
    return this.status === DeployStatus.Success || this.status === DeployStatus.Failed || this.status === DeployStatus.Cancelled;
  }

  note(message: string, type: DeploymentLogEntry["type"] = 0): void {
    this.log.push({ log_time: new Date().toISOString(), id: randomUUID(), message, type, details_url: null });
  }

  begin(): void {
    this.status = DeployStatus.Deploying;
    this.statusText = "Deploying the package.";
    this.startTime = new Date().toISOString();
  }

  finish(error?: string): void {
    this.endTime = new Date().toISOString();
    if (error) {
      this.status = DeployStatus.Failed;
      this.statusText = error;
      this.note(error, 2);
    } else {
      this.status = DeployStatus.Success;
      this.statusText = "";
      this.note("Deployment successful.");
    }
  }

  toJSON(lastSuccessEndTime: string | null, active: boolean): Record<string, unknown> {
    return {
      id: this.id,
      status: this.status,
      status_text: this.statusText,
      author_email: "N/A",
      author: "N/A",
      deployer: this.deployer,
      remoteBuild: this.remoteBuild,
      message: "OneDeploy",
      progress: "",
      received_time: this.receivedTime,
      start_time: this.startTime,
      end_time: this.endTime,
      last_success_end_time: lastSuccessEndTime,
      complete: this.complete,
      active,
      is_temp: false,
      is_readonly: true,
      url: `${this.scmOrigin}/api/deployments/${this.id}`,
      log_url: `${this.scmOrigin}/api/deployments/${this.id}/log`,
      site_name: this.siteName,
      build_summary: { errors: [], warnings: [] },
    };
  }
}
