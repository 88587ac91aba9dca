// The article's question answered from the ingested rows, the way a responder would: given the attacker's IP and the
// access window, which messages did the attacker read (Bind), which folders did their sessions sync, and when was
// the mailbox throttled (everything in the 24 h after is presumed exposed).

export interface IncidentQuestion {
  victimUpn: string;
  attackerIp: string;
  windowStart: string;
  windowEnd: string;
}

export interface IncidentScope {
  /** Sessions seen from the attacker's IP in the window; their other rows count as the attacker's too. */
  attackerSessionIds: string[];
  boundInternetMessageIds: string[];
  syncedFolders: string[];
  throttled: Array<{ mailboxUpn: string; at: string }>;
}

type Row = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === "string" ? v : v == null ? "" : String(v));

export function incidentScope(mailRows: Iterable<Row>, q: IncidentQuestion): IncidentScope {
  const from = Date.parse(asUtc(q.windowStart));
  const to = Date.parse(asUtc(q.windowEnd));
  const inWindow: Row[] = [];
  const throttled = new Map<string, { mailboxUpn: string; at: string }>();
  for (const row of mailRows) {
    if (row.IsThrottled === true || str(row.IsThrottled).toLowerCase() === "true") {
      // one throttling notice per record, however many rows it produced
      throttled.set(str(row.RecordId), { mailboxUpn: str(row.MailboxOwnerUPN), at: isoUtc(str(row.CreationTime)) });
    }
    const t = Date.parse(asUtc(str(row.CreationTime)));
    if (t >= from && t <= to) inWindow.push(row);
  }
  const sessions = new Set<string>();
  for (const row of inWindow) if (str(row.ClientIPAddress) === q.attackerIp && str(row.SessionId)) sessions.add(str(row.SessionId));
  const bound = new Set<string>();
  const synced = new Set<string>();
  for (const row of inWindow) {
    const attackers = str(row.ClientIPAddress) === q.attackerIp || sessions.has(str(row.SessionId));
    if (!attackers) continue;
    if (row.MailAccessType === "Bind" && str(row.InternetMessageId)) bound.add(str(row.InternetMessageId));
    if (row.MailAccessType === "Sync" && str(row.FolderPath)) synced.add(str(row.FolderPath));
  }
  return {
    attackerSessionIds: [...sessions].sort(),
    boundInternetMessageIds: [...bound].sort(),
    syncedFolders: [...synced].sort(),
    throttled: [...throttled.values()].sort((a, b) => a.at.localeCompare(b.at) || a.mailboxUpn.localeCompare(b.mailboxUpn)),
  };
}

export interface SetComparison {
  found: number;
  expected: number;
  missing: string[];
  unexpected: string[];
}

export function compareSets(found: Iterable<string>, expected: Iterable<string>): SetComparison {
  const f = new Set(found);
  const e = new Set(expected);
  return {
    found: f.size,
    expected: e.size,
    missing: [...e].filter((x) => !f.has(x)).sort(),
    unexpected: [...f].filter((x) => !e.has(x)).sort(),
  };
}

/** The API writes CreationTime without a zone; it is UTC. */
function asUtc(time: string): string {
  return /[zZ]|[+-]\d\d:?\d\d$/.test(time) ? time : `${time}Z`;
}

export function isoUtc(time: string): string {
  const t = Date.parse(asUtc(time));
  return Number.isNaN(t) ? time : new Date(t).toISOString();
}
