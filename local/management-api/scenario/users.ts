// The tenant's people: names, directory and mailbox identifiers, the devices and addresses they work from.
import { hash32, Random } from "../random";
import type { TenantIdentity } from "./tenant-identity";

const FIRST = [
  "Adele", "Alex", "Amir", "Ana", "Ben", "Carla", "Chen", "Dana", "Diego", "Elif", "Emma", "Farah", "Grace", "Hana",
  "Ivan", "Jonas", "Kai", "Lea", "Lina", "Marco", "Maya", "Nadia", "Noah", "Omar", "Priya", "Rafael", "Sara", "Tariq",
  "Uma", "Victor", "Wen", "Yara", "Zoe",
];
const LAST = [
  "Abbott", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hoffmann", "Ito", "Jensen", "Kowalski", "Larsen",
  "Moreau", "Nakamura", "Okafor", "Petrov", "Quinn", "Rossi", "Silva", "Tanaka", "Usman", "Varga", "Weber", "Xu",
  "Yilmaz", "Zimmer",
];
const DEPARTMENTS = ["Finance", "Sales", "Engineering", "Legal", "HR", "Operations", "Marketing"];

export interface EmulatedUser {
  index: number;
  displayName: string;
  upn: string;
  /** Entra object id (also UserKey of Entra records). */
  objectId: string;
  /** Exchange/SharePoint UserKey: the PUID as 16 hex digits. */
  puid: string;
  sid: string;
  mailboxGuid: string;
  department: string;
  isAdmin: boolean;
  /** Has Outlook for Windows: produces Sync records and MSExchangeRPC binds. */
  usesOutlookDesktop: boolean;
  machineName: string;
  /** Home address: IPv4 (TEST-NET-1) or IPv6 (2001:db8::/32), both documentation ranges. */
  homeIp: string;
  /** Mobile carrier address (TEST-NET-1 upper half). */
  mobileIp: string;
}

/** `aliasPrefix` keeps generated crowds (the large tenant's) apart from the named people of the scenario. */
export function createUsers(seed: number, tenant: TenantIdentity, count: number, aliasPrefix = ""): EmulatedUser[] {
  const rng = new Random(hash32(seed, "users", tenant.index, aliasPrefix));
  const users: EmulatedUser[] = [];
  const taken = new Set<string>();
  const sidBase = `S-1-5-21-${rng.int(1e9, 4e9)}-${rng.int(1e9, 4e9)}-${rng.int(1e9, 4e9)}`;
  for (let i = 0; i < count; i++) {
    const first = rng.pick(FIRST);
    const last = rng.pick(LAST);
    let alias = `${aliasPrefix}${first}.${last}`.toLowerCase();
    for (let n = 2; taken.has(alias); n++) alias = `${aliasPrefix}${first}.${last}${n}`.toLowerCase();
    taken.add(alias);
    const ipv6Home = rng.chance(0.35);
    users.push({
      index: i,
      displayName: `${first} ${last}`,
      upn: `${alias}@${tenant.domain}`,
      objectId: rng.uuid(),
      puid: `1003${rng.hex(12)}`.toUpperCase(),
      sid: `${sidBase}-${1100 + i}`,
      mailboxGuid: rng.uuid(),
      department: rng.pick(DEPARTMENTS),
      isAdmin: i % 17 === 3,
      usesOutlookDesktop: rng.chance(0.6),
      machineName: `DESKTOP-${rng.hex(6).toUpperCase()}`,
      homeIp: ipv6Home
        ? `2001:db8:${(tenant.index + 1).toString(16)}:${(i + 1).toString(16)}::${rng.int(1, 0xfff).toString(16)}`
        : `192.0.2.${rng.int(1, 120)}`,
      mobileIp: `192.0.2.${rng.int(130, 250)}`,
    });
  }
  return users;
}
