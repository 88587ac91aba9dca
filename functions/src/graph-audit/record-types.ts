// auditLogRecordType members → the Management Activity API's RecordType integers (its schema numbers them; Graph's
// enum skips numbers, so this is a table, never a position). Every type the emulated tenant writes is here, plus
// the Exchange types an investigation needs; a record of another type fails to unwrap, naming the member to add.
export const RECORD_TYPE_NUMBERS: Readonly<Record<string, number>> = {
  exchangeAdmin: 1,
  exchangeItem: 2,
  exchangeItemGroup: 3,
  sharePoint: 4,
  syntheticProbe: 5,
  sharePointFileOperation: 6,
  oneDrive: 7,
  azureActiveDirectory: 8,
  azureActiveDirectoryAccountLogon: 9,
  dataCenterSecurityCmdlet: 10,
  complianceDLPSharePoint: 11,
  sway: 12,
  complianceDLPExchange: 13,
  sharePointSharingOperation: 14,
  azureActiveDirectoryStsLogon: 15,
  skypeForBusinessPSTNUsage: 16,
  skypeForBusinessUsersBlocked: 17,
  securityComplianceCenterEOPCmdlet: 18,
  exchangeAggregatedOperation: 19,
  powerBIAudit: 20,
  crm: 21,
  yammer: 22,
  skypeForBusinessCmdlets: 23,
  discovery: 24,
  microsoftTeams: 25,
  exchangeItemAggregated: 50,
  exchangeSearch: 101,
};

/** auditLogUserType members → UserType integers. */
export const USER_TYPE_NUMBERS: Readonly<Record<string, number>> = {
  regular: 0,
  reserved: 1,
  admin: 2,
  dcAdmin: 3,
  system: 4,
  application: 5,
  servicePrincipal: 6,
  customPolicy: 7,
  systemPolicy: 8,
};
