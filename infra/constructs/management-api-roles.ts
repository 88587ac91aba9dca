// The Office 365 Management APIs service principal and the two application permissions the engine needs.

/** The Office 365 Management APIs application (the same client id in every tenant). */
export const MANAGEMENT_API_APP_ID = "c5393580-f805-4401-95e8-94b7a6ef2fc2";

/** ActivityFeed.Read serves the Audit.* content types; ActivityFeed.ReadDlp serves DLP.All (a default content type). */
export const MANAGEMENT_API_APP_ROLES = {
  "ActivityFeed.Read": "594c1fb6-4f81-4475-ae41-0c394909246c",
  "ActivityFeed.ReadDlp": "4807a72c-ad38-4250-94c9-4eabfe26cd55",
} as const;

export type ManagementApiRole = keyof typeof MANAGEMENT_API_APP_ROLES;

/** The roles a set of tenants needs: ActivityFeed.ReadDlp only when one of them collects DLP.All. */
export const feedRoles = (dlp: boolean): ManagementApiRole[] => (dlp ? ["ActivityFeed.Read", "ActivityFeed.ReadDlp"] : ["ActivityFeed.Read"]);
