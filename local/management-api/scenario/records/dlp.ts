// DLP.All: policy matches on mail (RecordType 13) and on files (11).
import type { Random } from "../../random";
import type { TenantIdentity } from "../tenant-identity";
import type { EmulatedUser } from "../users";
import { auditHeader, type AuditRecord } from "./audit-record";

const SENSITIVE_TYPES: Array<[string, string]> = [
  ["50842eb7-edc8-4019-85dd-5a5c1f2bb085", "Credit Card Number"],
  ["e7dc4711-11b7-4cb0-b88b-2c394a771f0e", "International Banking Account Number (IBAN)"],
  ["a44669fe-0d48-453d-a9b1-2cc83f2cba77", "U.S. Social Security Number (SSN)"],
];

export function dlpRecord(
  t: TenantIdentity,
  rng: Random,
  e: { id: string; ms: number; user: EmulatedUser; recipient?: EmulatedUser; workload: "Exchange" | "SharePoint" },
): AuditRecord {
  const exchange = e.workload === "Exchange";
  const [typeId, typeName] = rng.pick(SENSITIVE_TYPES);
  const fileName = `${rng.pick(["Payroll", "Customer export", "Card batch"])} ${rng.int(1, 30)}.xlsx`;
  const siteUrl = `https://${t.sharePointHost}/sites/Finance/`;
  const r = auditHeader({
    id: e.id,
    ms: e.ms,
    operation: "DLPRuleMatch",
    organizationId: t.tenantId,
    recordType: exchange ? 13 : 11,
    userKey: exchange ? e.user.puid : `i:0h.f|membership|${e.user.puid.toLowerCase()}@live.com`,
    workload: e.workload,
    objectId: exchange ? `<${rng.hex(16)}@${t.domain}>` : `${siteUrl}Shared Documents/${fileName}`,
    userId: e.user.upn,
  });
  r.IncidentId = rng.uuid();
  r.PolicyDetails = [
    {
      PolicyId: "1c1b2c3d-0000-4000-8000-00000000d1f0",
      PolicyName: "Financial data protection",
      Rules: [
        {
          Actions: exchange ? ["NotifyUser", "GenerateIncidentReport"] : ["NotifyUser"],
          ConditionsMatched: {
            ConditionMatchedInNewScheme: true,
            SensitiveInformation: [
              {
                Confidence: rng.pick([75, 85]),
                Count: rng.int(1, 40),
                Location: null,
                SensitiveType: typeId,
                SensitiveInformationTypeName: typeName,
                ClassifierType: "Content",
                UniqueCount: rng.int(1, 20),
              },
            ],
          },
          ManagementRuleId: rng.uuid(),
          RuleId: rng.uuid(),
          RuleMode: "Enable",
          RuleName: "Detect financial identifiers",
          Severity: rng.pick(["Low", "Medium", "High"]),
        },
      ],
    },
  ];
  r.SensitiveInfoDetectionIsIncluded = true;
  if (exchange) {
    r.ExchangeMetaData = {
      BCC: [],
      CC: [],
      FileSize: rng.int(20_000, 600_000),
      From: e.user.upn,
      MessageID: r.ObjectId,
      RecipientCount: 1,
      Sent: new Date(e.ms - 1000).toISOString().slice(0, 19),
      Subject: rng.pick(["Payroll file", "Customer list", "Card reconciliation"]),
      To: [e.recipient ? e.recipient.upn : "partner@example.net"],
      UniqueID: rng.uuid(),
    };
  } else {
    r.SharePointMetaData = {
      DocumentLastModifier: e.user.upn,
      DocumentSharer: e.user.upn,
      FileID: rng.uuid(),
      FileName: fileName,
      FileOwner: e.user.displayName,
      FilePathUrl: r.ObjectId,
      From: e.user.upn,
      ItemCreationTime: new Date(e.ms - 86_400_000 * rng.int(1, 90)).toISOString().slice(0, 19),
      ItemLastModifiedTime: new Date(e.ms - 60_000).toISOString().slice(0, 19),
      SiteCollectionGuid: rng.uuid(),
      SiteCollectionUrl: siteUrl,
      UniqueID: rng.uuid(),
    };
  }
  return r;
}
