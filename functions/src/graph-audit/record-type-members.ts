// Every documented member of Graph's auditLogRecordType enum: what the CLI and the admin API accept in recordTypes.
// Source: Microsoft Graph docs — "Create auditLogQuery" (v1.0 and beta, ms.date 2024-10-29) lists the members in the
// JSON spelling Graph reads (`recordTypeFilters`); the "auditLogRecordType enum type" page (ms.date 2026-04-01) adds
// the newer ones, named there in PascalCase and spelt here the way the create page spells the older ones. Read
// 2026-12-06. Names match case-insensitively (the enum page and the create page differ in case); Graph gets this list's spelling.

/** As listed by "Create auditLogQuery" (v1.0), in its order; unknownFutureValue (a sentinel, "don't use") left out. */
const CREATE_PAGE_MEMBERS = [
  "exchangeAdmin", "exchangeItem", "exchangeItemGroup", "sharePoint", "syntheticProbe", "sharePointFileOperation",
  "oneDrive", "azureActiveDirectory", "azureActiveDirectoryAccountLogon", "dataCenterSecurityCmdlet",
  "complianceDLPSharePoint", "sway", "complianceDLPExchange", "sharePointSharingOperation",
  "azureActiveDirectoryStsLogon", "skypeForBusinessPSTNUsage", "skypeForBusinessUsersBlocked",
  "securityComplianceCenterEOPCmdlet", "exchangeAggregatedOperation", "powerBIAudit", "crm", "yammer",
  "skypeForBusinessCmdlets", "discovery", "microsoftTeams", "threatIntelligence", "mailSubmission", "microsoftFlow",
  "aeD", "microsoftStream", "complianceDLPSharePointClassification", "threatFinder", "project",
  "sharePointListOperation", "sharePointCommentOperation", "dataGovernance", "kaizala", "securityComplianceAlerts",
  "threatIntelligenceUrl", "securityComplianceInsights", "mipLabel", "workplaceAnalytics", "powerAppsApp",
  "powerAppsPlan", "threatIntelligenceAtpContent", "labelContentExplorer", "teamsHealthcare",
  "exchangeItemAggregated", "hygieneEvent", "dataInsightsRestApiAudit", "informationBarrierPolicyApplication",
  "sharePointListItemOperation", "sharePointContentTypeOperation", "sharePointFieldOperation", "microsoftTeamsAdmin",
  "hrSignal", "microsoftTeamsDevice", "microsoftTeamsAnalytics", "informationWorkerProtection", "campaign",
  "dlpEndpoint", "airInvestigation", "quarantine", "microsoftForms", "applicationAudit",
  "complianceSupervisionExchange", "customerKeyServiceEncryption", "officeNative", "mipAutoLabelSharePointItem",
  "mipAutoLabelSharePointPolicyLocation", "microsoftTeamsShifts", "secureScore", "mipAutoLabelExchangeItem",
  "cortanaBriefing", "search", "wdatpAlerts", "powerPlatformAdminDlp", "powerPlatformAdminEnvironment", "mdatpAudit",
  "sensitivityLabelPolicyMatch", "sensitivityLabelAction", "sensitivityLabeledFileAction", "attackSim",
  "airManualInvestigation", "securityComplianceRBAC", "userTraining", "airAdminActionInvestigation", "mstic",
  "physicalBadgingSignal", "teamsEasyApprovals", "aipDiscover", "aipSensitivityLabelAction", "aipProtectionAction",
  "aipFileDeleted", "aipHeartBeat", "mcasAlerts", "onPremisesFileShareScannerDlp", "onPremisesSharePointScannerDlp",
  "exchangeSearch", "sharePointSearch", "privacyDataMinimization", "labelAnalyticsAggregate", "myAnalyticsSettings",
  "securityComplianceUserChange", "complianceDLPExchangeClassification", "complianceDLPEndpoint",
  "mipExactDataMatch", "msdeResponseActions", "msdeGeneralSettings", "msdeIndicatorsSettings",
  "ms365DCustomDetection", "msdeRolesSettings", "mapgAlerts", "mapgPolicy", "mapgRemediation",
  "privacyRemediationAction", "privacyDigestEmail", "mipAutoLabelSimulationProgress",
  "mipAutoLabelSimulationCompletion", "mipAutoLabelProgressFeedback", "dlpSensitiveInformationType",
  "mipAutoLabelSimulationStatistics", "largeContentMetadata", "microsoft365Group", "cdpMlInferencingResult",
  "filteringMailMetadata", "cdpClassificationMailItem", "cdpClassificationDocument", "officeScriptsRunAction",
  "filteringPostMailDeliveryAction", "cdpUnifiedFeedback", "tenantAllowBlockList", "consumptionResource",
  "healthcareSignal", "dlpImportResult", "cdpCompliancePolicyExecution", "multiStageDisposition", "privacyDataMatch",
  "filteringDocMetadata", "filteringEmailFeatures", "powerBIDlp", "filteringUrlInfo", "filteringAttachmentInfo",
  "coreReportingSettings", "complianceConnector", "powerPlatformLockboxResourceAccessRequest",
  "powerPlatformLockboxResourceCommand", "cdpPredictiveCodingLabel", "cdpCompliancePolicyUserFeedback",
  "webpageActivityEndpoint", "omePortal", "cmImprovementActionChange", "filteringUrlClick",
  "mipLabelAnalyticsAuditRecord", "filteringEntityEvent", "filteringRuleHits", "filteringMailSubmission",
  "labelExplorer", "microsoftManagedServicePlatform", "powerPlatformServiceActivity",
  "scorePlatformGenericAuditRecord", "filteringTimeTravelDocMetadata", "alert", "alertStatus", "alertIncident",
  "incidentStatus", "case", "caseInvestigation", "recordsManagement", "privacyRemediation", "dataShareOperation",
  "cdpDlpSensitive", "ehrConnector", "filteringMailGradingResult", "publicFolder", "privacyTenantAuditHistoryRecord",
  "aipScannerDiscoverEvent", "eduDataLakeDownloadOperation", "m365ComplianceConnector",
  "microsoftGraphDataConnectOperation", "microsoftPurview", "filteringEmailContentFeatures", "powerPagesSite",
  "powerAppsResource", "plannerPlan", "plannerCopyPlan", "plannerTask", "plannerRoster", "plannerPlanList",
  "plannerTaskList", "plannerTenantSettings", "projectForTheWebProject", "projectForTheWebTask",
  "projectForTheWebRoadmap", "projectForTheWebRoadmapItem", "projectForTheWebProjectSettings",
  "projectForTheWebRoadmapSettings", "quarantineMetadata", "microsoftTodoAudit", "timeTravelFilteringDocMetadata",
  "teamsQuarantineMetadata", "sharePointAppPermissionOperation", "microsoftTeamsSensitivityLabelAction",
  "filteringTeamsMetadata", "filteringTeamsUrlInfo", "filteringTeamsPostDeliveryAction", "mdcAssessments",
  "mdcRegulatoryComplianceStandards", "mdcRegulatoryComplianceControls", "mdcRegulatoryComplianceAssessments",
  "mdcSecurityConnectors", "mdaDataSecuritySignal", "vivaGoals", "filteringRuntimeInfo", "attackSimAdmin",
  "microsoftGraphDataConnectConsent", "filteringAtpDetonationInfo", "privacyPortal", "managedTenants",
  "unifiedSimulationMatchedItem", "unifiedSimulationSummary", "updateQuarantineMetadata", "ms365DSuppressionRule",
  "purviewDataMapOperation", "filteringUrlPostClickAction", "irmUserDefinedDetectionSignal", "teamsUpdates",
  "plannerRosterSensitivityLabel", "ms365DIncident", "filteringDelistingMetadata",
  "complianceDLPSharePointClassificationExtended", "microsoftDefenderForIdentityAudit",
  "supervisoryReviewDayXInsight", "defenderExpertsforXDRAdmin", "cdpEdgeBlockedMessage", "hostedRpa",
  "cdpContentExplorerAggregateRecord", "cdpHygieneAttachmentInfo", "cdpHygieneSummary", "cdpPostMailDeliveryAction",
  "cdpEmailFeatures", "cdpHygieneUrlInfo", "cdpUrlClick", "cdpPackageManagerHygieneEvent", "filteringDocScan",
  "timeTravelFilteringDocScan", "mapgOnboard",
] as const;

/** Added by the enum page since (its PascalCase names, first capitals lowered as the create page does: MDASH → mdash). */
const ENUM_PAGE_MEMBERS = [
  "alertSubmission", "alertSubmissionResultDetail", "complianceSitGradingSharePoint",
  "compliancePolicyGradingSharePoint", "azureAISearchAudit", "p4AIRiskScoreRecord", "dragonCopilotAdmin",
  "aiSpanOutputs", "eopSubmissionFeedEntity", "sonarFileDetonationEntity", "sonarSubmissionEntity",
  "sonarUrlDetonationEntity", "submissionEntity", "sonarDetonationEntity", "microsoftTeamsUserConcern",
  "vivaGlintAgenticCampaign", "mspVectorSearchContentMetadata", "fabricPolicy",
  "securityCopilotAgentIdentityManagement", "copilotSessionSharing", "dragonCopilotAccess",
  "dragonCopilotClinicalData", "dragonCopilotSession", "mosAgentInfoRecordV2", "securityDevelopmentLifecycleAILog",
  "mdash", "defenderSecurityForAIConfiguration", "sparkCoreCustomLivePool",
] as const;

export const AUDIT_LOG_RECORD_TYPES: readonly string[] = [...CREATE_PAGE_MEMBERS, ...ENUM_PAGE_MEMBERS];

const BY_LOWER = new Map(AUDIT_LOG_RECORD_TYPES.map((m) => [m.toLowerCase(), m]));

/** The documented member a name means (any case), or undefined when Graph documents no such member. */
export function auditLogRecordType(name: string): string | undefined {
  return BY_LOWER.get(name.toLowerCase());
}
