// Defender XDR EmailEvents for the victim mailbox's messages: what a responder joins the read InternetMessageIds to.
import { hash32 } from "../random";
import type { EmailEventRow } from "../types";
import type { MailMessage } from "./mailbox";

const domainOf = (address: string) => address.slice(address.indexOf("@") + 1);

function deliveryLocation(m: MailMessage): string {
  return m.direction === "Outbound" ? "On-premises/external" : "Inbox/folder";
}

/** One row per recipient, as the table has it (dedupe on InternetMessageId before joining). */
export function emailEventRows(messages: MailMessage[]): EmailEventRow[] {
  const rows: EmailEventRow[] = [];
  for (const m of messages) {
    const external = m.direction === "Inbound";
    const mailFrom = external ? `bounces+${hash32(m.networkMessageId).toString(16)}@${domainOf(m.senderAddress)}` : m.senderAddress;
    for (const r of m.recipients) {
      rows.push({
        Timestamp: new Date(m.receivedMs).toISOString(),
        NetworkMessageId: m.networkMessageId,
        InternetMessageId: m.internetMessageId,
        Subject: m.subject,
        SenderMailFromAddress: mailFrom,
        SenderFromAddress: m.senderAddress,
        SenderDisplayName: m.senderDisplayName,
        SenderObjectId: m.senderObjectId,
        SenderMailFromDomain: domainOf(mailFrom),
        SenderFromDomain: domainOf(m.senderAddress),
        SenderIPv4: m.senderIPv4,
        SenderIPv6: "",
        RecipientEmailAddress: r.address,
        RecipientObjectId: r.objectId,
        EmailDirection: m.direction,
        DeliveryAction: "Delivered",
        DeliveryLocation: deliveryLocation(m),
        ThreatTypes: m.phish ? "Phish" : "",
        ThreatNames: "",
        DetectionMethods: m.phish ? '{"Phish":["URL detonation reputation"]}' : "",
        ConfidenceLevel: m.phish ? '{"Phish":"Low"}' : "",
        BulkComplaintLevel: external ? hash32(m.internetMessageId) % 4 : 0,
        EmailAction: "",
        EmailActionPolicy: "",
        EmailActionPolicyGuid: "",
        AttachmentCount: m.attachmentCount,
        UrlCount: m.urlCount,
        EmailLanguage: "en",
        Connectors: "",
        OrgLevelAction: "",
        OrgLevelPolicy: "",
        UserLevelAction: "",
        UserLevelPolicy: "",
        ReportId: `${m.networkMessageId}-${hash32(m.networkMessageId, r.address)}-1`,
        AdditionalFields: external ? '{"AuthenticationDetails":{"SPF":"pass","DKIM":"pass","DMARC":"pass"}}' : "{}",
        LatestDeliveryLocation: deliveryLocation(m),
        LatestDeliveryAction: m.phish ? "Delivered" : "",
        EmailClusterId: hash32(m.subject) * 4096 + (hash32(domainOf(m.senderAddress)) % 4096),
      });
    }
  }
  return rows.sort((a, b) => a.Timestamp.localeCompare(b.Timestamp) || a.RecipientEmailAddress.localeCompare(b.RecipientEmailAddress));
}
