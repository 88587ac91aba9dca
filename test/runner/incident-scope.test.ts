import { incidentScope } from "../../local/runner/incident-scope";

// How the summary answers "what did the attacker read?" from microsoft_unified_access_mail rows, as Microsoft's
// investigation steps describe it: the attacker's IP in the window, pivoting to that IP's sessions.

const question = { victimUpn: "ava@contoso.com", attackerIp: "203.0.113.45", windowStart: "2024-03-14T07:00:00Z", windowEnd: "2024-03-18T13:30:00Z" };

function row(over: Record<string, unknown>): Record<string, unknown> {
  return {
    CreationTime: "2024-03-15T10:00:00Z",
    RecordId: "r1",
    MailboxOwnerUPN: "ava@contoso.com",
    MailAccessType: "Bind",
    IsThrottled: false,
    ClientIPAddress: "198.51.100.7",
    SessionId: "owner-session",
    FolderPath: "\\Inbox",
    InternetMessageId: "",
    ...over,
  };
}

test("messages bound from the attacker's IP inside the window are in scope; the owner's and those outside the window are not", () => {
  const scope = incidentScope(
    [
      row({ RecordId: "a", ClientIPAddress: "203.0.113.45", SessionId: "s-att", InternetMessageId: "<m1@x>" }),
      row({ RecordId: "a", ClientIPAddress: "203.0.113.45", SessionId: "s-att", InternetMessageId: "<m2@x>" }),
      row({ RecordId: "b", InternetMessageId: "<owner@x>" }),
      row({ RecordId: "c", ClientIPAddress: "203.0.113.45", CreationTime: "2024-03-19T00:00:00", InternetMessageId: "<late@x>" }),
    ],
    question,
  );
  expect(scope.boundInternetMessageIds).toEqual(["<m1@x>", "<m2@x>"]);
  expect(scope.attackerSessionIds).toEqual(["s-att"]);
});

test("a row from another IP in one of the attacker's sessions counts as the attacker's (the session pivot)", () => {
  const scope = incidentScope(
    [
      row({ RecordId: "a", ClientIPAddress: "203.0.113.45", SessionId: "s-att", InternetMessageId: "<m1@x>" }),
      row({ RecordId: "b", ClientIPAddress: "192.0.2.99", SessionId: "s-att", InternetMessageId: "<m3@x>" }),
      row({ RecordId: "c", ClientIPAddress: "192.0.2.99", SessionId: "s-att", MailAccessType: "Sync", FolderPath: "\\Inbox\\Finance" }),
    ],
    question,
  );
  expect(scope.boundInternetMessageIds).toEqual(["<m1@x>", "<m3@x>"]);
  expect(scope.syncedFolders).toEqual(["\\Inbox\\Finance"]);
});

test("a throttling notice is one period per record, with CreationTime read as UTC even without a zone", () => {
  const scope = incidentScope(
    [
      row({ RecordId: "t", IsThrottled: true, MailboxOwnerUPN: "ben@contoso.com", CreationTime: "2024-03-16T08:00:00", FolderPath: "\\Inbox" }),
      row({ RecordId: "t", IsThrottled: true, MailboxOwnerUPN: "ben@contoso.com", CreationTime: "2024-03-16T08:00:00", FolderPath: "\\Sent" }),
    ],
    question,
  );
  expect(scope.throttled).toEqual([{ mailboxUpn: "ben@contoso.com", at: "2024-03-16T08:00:00.000Z" }]);
});
