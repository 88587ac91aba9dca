// One key per message, whatever spelling of its InternetMessageId a source writes: Microsoft's published
// MailItemsAccessed records show ids without the angle brackets EmailEvents keeps, and case and surrounding spaces vary.
// The same rule as kql/functions/normalized-message-id.kql (NormalizedMessageId); test/vectors/email-events/ holds both.
const EDGES = /^[<>\s]+|[<>\s]+$/g;

export function messageIdKey(internetMessageId: string): string {
  return internetMessageId.replace(EDGES, "").toLowerCase();
}
