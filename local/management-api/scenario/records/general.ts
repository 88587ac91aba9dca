// Audit.General: everything outside Exchange, SharePoint and Entra — here Teams (RecordType 25) and Power BI (20).
import type { Random } from "../../random";
import { TEAMS_APP_ID, type ClientSession } from "../client-session";
import type { TenantIdentity } from "../tenant-identity";
import type { EmulatedUser } from "../users";
import { auditHeader, type AuditRecord } from "./audit-record";

export const GENERAL_OPERATIONS = ["TeamsSessionStarted", "MessageSent", "MemberAdded", "ViewReport", "ExportReport"];
export const GENERAL_OPERATION_WEIGHTS = [40, 30, 5, 20, 5];

const TEAMS = ["Finance Team", "Project Atlas", "All Company", "Sales EMEA", "Engineering"];
const REPORTS = ["Revenue dashboard", "Pipeline", "Headcount", "Support KPIs"];

export function generalRecord(
  t: TenantIdentity,
  rng: Random,
  e: { id: string; ms: number; user: EmulatedUser; session: ClientSession; operation: string; colleague?: EmulatedUser },
): AuditRecord {
  if (e.operation === "ViewReport" || e.operation === "ExportReport") {
    const report = rng.pick(REPORTS);
    const r = auditHeader({
      id: e.id,
      ms: e.ms,
      operation: e.operation,
      organizationId: t.tenantId,
      recordType: 20,
      userKey: e.user.puid,
      workload: "PowerBI",
      clientIp: e.session.ip,
      objectId: report,
      userId: e.user.upn,
    });
    r.UserAgent = e.session.userAgent;
    r.Activity = e.operation;
    r.ItemName = report;
    r.WorkSpaceName = `${rng.pick(["Finance", "Sales", "Ops"])} workspace`;
    r.DatasetName = report;
    r.ReportName = report;
    r.WorkspaceId = rng.uuid();
    r.ReportId = rng.uuid();
    r.ReportType = "PowerBIReport";
    r.DistributionMethod = "Workspace";
    r.ConsumptionMethod = "Power BI Web";
    r.RequestId = rng.uuid();
    r.ActivityId = rng.uuid();
    if (e.operation === "ExportReport") r.ExportEventStartDateTimeParameter = new Date(e.ms - 86_400_000).toISOString();
    return r;
  }
  const team = rng.pick(TEAMS);
  const r = auditHeader({
    id: e.id,
    ms: e.ms,
    operation: e.operation,
    organizationId: t.tenantId,
    recordType: 25,
    userKey: e.user.objectId,
    workload: "MicrosoftTeams",
    clientIp: e.session.ip,
    userId: e.user.upn,
  });
  if (e.operation !== "TeamsSessionStarted") r.CommunicationType = rng.pick(["Team", "OneOnOne", "GroupChat"]);
  r.AppAccessContext = { ClientAppId: TEAMS_APP_ID, UniqueTokenId: e.session.uniqueTokenId };
  r.ItemName = e.operation === "TeamsSessionStarted" ? "TeamsSession" : team;
  r.ExtraProperties = [
    { Key: "TimeZone", Value: t.region === "nam" ? "America/New_York" : t.region === "apac" ? "Asia/Singapore" : "Europe/Berlin" },
    { Key: "OsName", Value: e.session.os },
    { Key: "ClientName", Value: "skypeteams" },
  ];
  if (e.operation === "MessageSent") {
    r.ChatThreadId = `19:${rng.hex(32)}@thread.v2`;
    r.MessageId = String(e.ms);
    r.MessageSizeInBytes = rng.int(200, 8000);
    r.TeamName = team;
  }
  if (e.operation === "MemberAdded" && e.colleague) {
    r.TeamName = team;
    r.TeamGuid = `19:${rng.hex(32)}@thread.tacv2`;
    r.Members = [{ DisplayName: e.colleague.displayName, Role: 1, UPN: e.colleague.upn }];
  }
  return r;
}
