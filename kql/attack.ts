// MITRE ATT&CK Enterprise tactics as Sentinel content spells them (no spaces), and the technique id shape.

export const ENTERPRISE_TACTICS = [
  "Reconnaissance",
  "ResourceDevelopment",
  "InitialAccess",
  "Execution",
  "Persistence",
  "PrivilegeEscalation",
  "DefenseEvasion",
  "CredentialAccess",
  "Discovery",
  "LateralMovement",
  "Collection",
  "CommandAndControl",
  "Exfiltration",
  "Impact",
] as const;

export type EnterpriseTactic = (typeof ENTERPRISE_TACTICS)[number];

/** T1234 or T1234.001 */
export const TECHNIQUE_ID = /^T\d{4}(?:\.\d{3})?$/;

/**
 * Sentinel entity types this project maps, with their identifiers (Sentinel's entity reference). An unknown
 * identifier makes the deployment fail, so the check refuses it here first.
 */
export const SENTINEL_ENTITY_IDENTIFIERS: Record<string, readonly string[]> = {
  Account: ["Name", "FullName", "NTDomain", "DnsDomain", "UPNSuffix", "Sid", "AadTenantId", "AadUserId", "PUID", "IsDomainJoined", "DisplayName", "ObjectGuid"],
  IP: ["Address"],
  Mailbox: ["MailboxPrimaryAddress", "DisplayName", "Upn", "ExternalDirectoryObjectId", "RiskLevel"],
  MailMessage: ["Recipient", "Urls", "Threats", "Sender", "P1Sender", "P1SenderDisplayName", "P1SenderDomain", "SenderIP", "P2Sender", "P2SenderDisplayName", "P2SenderDomain", "ReceivedDate", "NetworkMessageId", "InternetMessageId", "Subject", "AntispamDirection", "DeliveryAction", "DeliveryLocation", "Language", "ThreatDetectionMethods"],
  CloudApplication: ["AppId", "Name", "InstanceName"],
  Host: ["DnsDomain", "NTDomain", "HostName", "FullName", "NetBiosName", "AzureID", "OMSAgentID", "OSFamily", "OSVersion", "IsDomainJoined"],
  URL: ["Url"],
  AzureResource: ["ResourceId"],
};
