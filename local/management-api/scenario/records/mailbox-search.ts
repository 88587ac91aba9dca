// SearchQueryInitiatedExchange: a search run in a mailbox (audited only where the tenant turned it on). QueryText holds
// what was searched for; the record carries the address only in ClientIPAddress, like other mailbox records.
import type { Random } from "../../random";
import type { ClientSession } from "../client-session";
import type { TenantIdentity } from "../tenant-identity";
import type { EmulatedUser } from "../users";
import { auditHeader, shapeIp, type AuditRecord } from "./audit-record";

export function mailboxSearchRecord(t: TenantIdentity, rng: Random, e: { id: string; ms: number; mailbox: EmulatedUser; session: ClientSession; queryText: string }): AuditRecord {
  const r = auditHeader({
    id: e.id,
    ms: e.ms,
    operation: "SearchQueryInitiatedExchange",
    organizationId: t.tenantId,
    recordType: 2,
    resultStatus: "Succeeded",
    userKey: e.mailbox.puid,
    workload: "Exchange",
    userId: e.mailbox.upn,
  });
  r.ClientIPAddress = shapeIp(e.session.ip, rng);
  r.ClientInfoString = e.session.clientInfoString;
  r.MailboxOwnerUPN = e.mailbox.upn;
  r.SessionId = e.session.sessionId;
  r.AppAccessContext = { AADSessionId: e.session.aadSessionId, ClientAppId: e.session.clientAppId };
  r.QueryText = e.queryText;
  return r;
}
