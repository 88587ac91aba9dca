// Audit.AzureActiveDirectory "Consent to application." (RecordType 8): a user granted an app delegated permissions.
// The service principal is the record's ObjectId; what was granted is in ModifiedProperties (ConsentAction.Permissions).
import type { Random } from "../../random";
import type { ClientSession } from "../client-session";
import type { TenantIdentity } from "../tenant-identity";
import type { EmulatedUser } from "../users";
import { auditHeader, type AuditRecord } from "./audit-record";

export function appConsentRecord(
  t: TenantIdentity,
  rng: Random,
  e: { id: string; ms: number; user: EmulatedUser; session: ClientSession; servicePrincipalId: string; appDisplayName: string; permissions: string },
): AuditRecord {
  const r = auditHeader({
    id: e.id,
    ms: e.ms,
    operation: "Consent to application.",
    organizationId: t.tenantId,
    recordType: 8,
    resultStatus: "Success",
    userKey: e.user.objectId,
    workload: "AzureActiveDirectory",
    // directory records often leave ClientIP as "<null>" and carry the address as ActorIpAddress
    clientIp: "<null>",
    objectId: e.servicePrincipalId,
    userId: e.user.upn,
  });
  r.AzureActiveDirectoryEventType = 1;
  r.Actor = [{ ID: e.user.objectId, Type: 0 }, { ID: e.user.upn, Type: 5 }];
  r.ActorIpAddress = e.session.ip;
  r.ActorContextId = t.tenantId;
  r.InterSystemsId = rng.uuid();
  r.IntraSystemId = rng.uuid();
  r.Target = [{ ID: e.servicePrincipalId, Type: 2 }, { ID: e.appDisplayName, Type: 1 }];
  r.TargetContextId = t.tenantId;
  r.ModifiedProperties = [
    { Name: "ConsentContext.IsAdminConsent", NewValue: "False", OldValue: "" },
    { Name: "ConsentAction.Permissions", NewValue: e.permissions, OldValue: "" },
  ];
  r.ExtendedProperties = [{ Name: "additionalDetails", Value: "{}" }];
  return r;
}
