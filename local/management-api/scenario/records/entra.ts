// Audit.AzureActiveDirectory: sign-ins (RecordType 15, UserLoggedIn / UserLoginFailed) and directory changes (8).
import type { Random } from "../../random";
import type { ClientSession } from "../client-session";
import type { TenantIdentity } from "../tenant-identity";
import type { EmulatedUser } from "../users";
import { auditHeader, type AuditRecord } from "./audit-record";

const LOGIN_ERRORS: Array<[string, string]> = [
  ["50126", "InvalidUserNameOrPassword"],
  ["50074", "UserStrongAuthClientAuthNRequiredInterrupt"],
  ["50140", "KmsiInterrupt"],
];

export function signInRecord(
  t: TenantIdentity,
  rng: Random,
  e: { id: string; ms: number; user: EmulatedUser; session: ClientSession; failed?: boolean },
): AuditRecord {
  const s = e.session;
  const r = auditHeader({
    id: e.id,
    ms: e.ms,
    operation: e.failed ? "UserLoginFailed" : "UserLoggedIn",
    organizationId: t.tenantId,
    recordType: 15,
    resultStatus: e.failed ? "Failed" : "Success",
    userKey: e.user.objectId,
    workload: "AzureActiveDirectory",
    clientIp: s.ip,
    objectId: s.appId,
    userId: e.user.upn,
  });
  const [errorNumber, logonError] = e.failed ? rng.pick(LOGIN_ERRORS) : ["0", ""];
  r.AzureActiveDirectoryEventType = 1;
  r.ExtendedProperties = [
    { Name: "ResultStatusDetail", Value: e.failed ? "Redirect" : "Success" },
    { Name: "UserAgent", Value: s.userAgent },
    { Name: "UserAuthenticationMethod", Value: rng.pick(["1", "8", "16"]) },
    { Name: "RequestType", Value: rng.pick(["OAuth2:Authorize", "OAuth2:Token", "Login:login"]) },
  ];
  r.ModifiedProperties = [];
  r.Actor = [
    { ID: e.user.objectId, Type: 0 },
    { ID: e.user.upn, Type: 5 },
  ];
  r.ActorContextId = t.tenantId;
  r.ActorIpAddress = s.ip;
  r.InterSystemsId = rng.uuid();
  r.IntraSystemId = rng.uuid();
  r.SupportTicketId = "";
  r.Target = [{ ID: s.appId, Type: 0 }];
  r.TargetContextId = t.tenantId;
  r.ApplicationId = s.clientAppId;
  r.DeviceProperties = [
    { Name: "OS", Value: s.os },
    ...(s.browser ? [{ Name: "BrowserType", Value: s.browser }] : []),
    { Name: "IsCompliantAndManaged", Value: String(s.kind === "outlook-desktop") },
    { Name: "SessionId", Value: s.aadSessionId },
  ];
  r.ErrorNumber = errorNumber;
  if (e.failed) r.LogonError = logonError;
  return r;
}

const DIRECTORY_OPERATIONS = [
  "Update user.",
  "Add member to group.",
  "Remove member from group.",
  "Update device.",
  "Add registered owner to device.",
];

export function directoryRecord(
  t: TenantIdentity,
  rng: Random,
  e: { id: string; ms: number; actor: EmulatedUser; target: EmulatedUser; operation?: string },
): AuditRecord {
  const operation = e.operation ?? rng.pick(DIRECTORY_OPERATIONS);
  const r = auditHeader({
    id: e.id,
    ms: e.ms,
    operation,
    organizationId: t.tenantId,
    recordType: 8,
    resultStatus: "Success",
    userKey: `${e.actor.puid}@${t.domain}`,
    userType: e.actor.isAdmin ? 2 : 0,
    workload: "AzureActiveDirectory",
    objectId: e.target.upn,
    userId: e.actor.upn,
  });
  r.AzureActiveDirectoryEventType = 1;
  r.ExtendedProperties = [
    { Name: "additionalDetails", Value: "{}" },
    { Name: "extendedAuditEventCategory", Value: operation.includes("group") ? "Group" : "User" },
  ];
  r.ModifiedProperties = operation === "Update user."
    ? [{ Name: "Department", NewValue: `["${e.target.department}"]`, OldValue: "[]" }]
    : [];
  r.Actor = [
    { ID: e.actor.upn, Type: 5 },
    { ID: e.actor.puid, Type: 3 },
    { ID: `User_${e.actor.objectId}`, Type: 2 },
  ];
  r.ActorContextId = t.tenantId;
  r.InterSystemsId = rng.uuid();
  r.IntraSystemId = rng.uuid();
  r.SupportTicketId = "";
  r.Target = [
    { ID: `User_${e.target.objectId}`, Type: 2 },
    { ID: e.target.upn, Type: 5 },
  ];
  r.TargetContextId = t.tenantId;
  return r;
}
