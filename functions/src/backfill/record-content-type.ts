// Which Management API content type a back-filled record would have come in, for the rows' ContentType column:
// Graph returns records of every workload from one query, the live feed one content type per blob.

/** ComplianceDLPSharePoint (11), ComplianceDLPExchange (13), ComplianceDLPSharePointClassification (33): DLP.All. */
const DLP_RECORD_TYPES = new Set([11, 13, 33]);

const BY_WORKLOAD: Record<string, string> = {
  Exchange: "Audit.Exchange",
  SharePoint: "Audit.SharePoint",
  OneDrive: "Audit.SharePoint",
  AzureActiveDirectory: "Audit.AzureActiveDirectory",
};

export function contentTypeOfRecord(record: { RecordType?: unknown; Workload?: unknown }): string {
  if (typeof record.RecordType === "number" && DLP_RECORD_TYPES.has(record.RecordType)) return "DLP.All";
  return (typeof record.Workload === "string" && BY_WORKLOAD[record.Workload]) || "Audit.General";
}
