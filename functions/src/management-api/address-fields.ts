// Where each workload writes the client's address: most records in ClientIP, Exchange mailbox records
// (MailItemsAccessed, AttachmentAccess) often only in ClientIPAddress, Entra records sometimes only in ActorIpAddress.
export const ADDRESS_FIELDS = ["ClientIP", "ClientIPAddress", "ActorIpAddress"] as const;
