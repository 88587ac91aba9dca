// Audit.SharePoint: file operations on team sites and OneDrive (RecordType 6), page views (4), sharing (14).
import { hash32, Random } from "../../random";
import type { ClientSession } from "../client-session";
import type { TenantIdentity } from "../tenant-identity";
import type { EmulatedUser } from "../users";
import { auditHeader, type AuditRecord } from "./audit-record";

export const FILE_OPERATIONS = ["FileAccessed", "FilePreviewed", "FileModified", "FileUploaded", "FileDownloaded", "FileDeleted"];
export const FILE_OPERATION_WEIGHTS = [45, 20, 15, 8, 10, 2];

const SITES = ["Finance", "Projects", "HR", "Sales", "Engineering", "Leadership"];
const FILES = [
  ["Budget FY25", "xlsx"], ["Quarterly report", "docx"], ["Roadmap", "pptx"], ["Vendor list", "xlsx"], ["Contract draft", "docx"],
  ["Org chart", "pdf"], ["Meeting notes", "docx"], ["Pricing model", "xlsx"], ["Onboarding guide", "pdf"], ["Architecture", "vsdx"],
];

function siteGuid(t: TenantIdentity, site: string, salt: string): string {
  return new Random(hash32(t.tenantId, site, salt)).uuid();
}

export function sharePointRecord(
  t: TenantIdentity,
  rng: Random,
  e: { id: string; ms: number; user: EmulatedUser; session: ClientSession; operation: string; oneDrive?: boolean },
): AuditRecord {
  // drawn even when the caller decides, so the records after it stay as they were
  const drawn = rng.chance(0.35);
  const oneDrive = e.oneDrive ?? drawn;
  const site = oneDrive ? "" : rng.pick(SITES);
  const [base, ext] = rng.pick(FILES);
  const fileName = `${base} ${rng.int(1, 40)}.${ext}`;
  const siteUrl = oneDrive
    ? `https://${t.orgName}-my.sharepoint.com/personal/${e.user.upn.replace(/[@.]/g, "_")}/`
    : `https://${t.sharePointHost}/sites/${site}/`;
  const relative = oneDrive ? "Documents" : "Shared Documents";
  const pageView = e.operation === "PageViewed";
  const sharing = e.operation === "SharingSet";
  const r = auditHeader({
    id: e.id,
    ms: e.ms,
    operation: e.operation,
    organizationId: t.tenantId,
    recordType: pageView ? 4 : sharing ? 14 : 6,
    userKey: `i:0h.f|membership|${e.user.puid.toLowerCase()}@live.com`,
    workload: oneDrive ? "OneDrive" : "SharePoint",
    clientIp: e.session.ip,
    objectId: pageView ? `${siteUrl}SitePages/Home.aspx` : `${siteUrl}${relative}/${fileName}`,
    userId: e.user.upn,
  });
  r.CorrelationId = rng.uuid();
  r.CustomUniqueId = true;
  r.EventSource = "SharePoint";
  r.ItemType = pageView ? "Page" : "File";
  r.ListId = siteGuid(t, site || e.user.upn, "list");
  r.ListItemUniqueId = rng.uuid();
  r.Site = siteGuid(t, site || e.user.upn, "site");
  r.UserAgent = e.session.userAgent;
  r.WebId = siteGuid(t, site || e.user.upn, "web");
  r.GeoLocation = t.region === "nam" ? "NAM" : t.region === "apac" ? "APC" : "EUR";
  r.IsManagedDevice = e.session.kind === "outlook-desktop";
  r.DeviceDisplayName = e.session.machineName || e.session.ip;
  r.Platform = e.session.os === "Ios" ? "iOS" : "WinDesktop";
  r.SiteUrl = siteUrl;
  r.ApplicationDisplayName = e.session.kind === "owa" ? "Microsoft Edge" : "Microsoft Office";
  if (!pageView) {
    r.SourceFileExtension = ext;
    r.SourceFileName = fileName;
    r.SourceRelativeUrl = relative;
    if (e.operation !== "FileDeleted") r.FileSizeBytes = rng.int(8_000, 6_000_000);
  }
  if (sharing) {
    r.TargetUserOrGroupType = "Member";
    r.TargetUserOrGroupName = `${rng.pick(SITES)} Members`;
    r.EventData = "<PermissionsGranted>Contribute</PermissionsGranted>";
  }
  return r;
}
