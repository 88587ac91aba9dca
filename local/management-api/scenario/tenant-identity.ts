// Who an emulated tenant is: directory ids, its app registration, domain, and the audit shards its blobs come from.
import { hash32, Random } from "../random";

const ORG_NAMES = [
  "contoso", "fabrikam", "northwind", "adatum", "tailspin", "wingtip", "litware", "proseware", "woodgrove", "alpineski",
];
const REGIONS = ["emea", "nam", "apac"];
/** UTC hour the working day starts, per region (users' activity follows it). */
const WORKDAY_START_UTC: Record<string, number> = { emea: 7, nam: 13, apac: 23 };

export interface TenantIdentity {
  index: number;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  publisherId: string;
  database: string;
  orgName: string;
  domain: string;
  /** Audit shards named in contentIds, e.g. emea0036. */
  shards: string[];
  /** Where the tenant's mail and sites live (Exchange servers, SharePoint geo). */
  region: string;
  workdayStartUtc: number;
  /** The office's egress IPv4 (TEST-NET-2, documentation range). */
  officeIp: string;
  originatingServerPrefix: string;
  sharePointHost: string;
}

export function tenantIdentity(seed: number, index: number, multiTenantApp: boolean): TenantIdentity {
  const rng = new Random(hash32(seed, "tenant", index));
  const app = multiTenantApp ? new Random(hash32(seed, "multi-tenant-app")) : rng.fork("app");
  const tenantId = rng.uuid();
  const clientId = app.uuid();
  const clientSecret = `emu~${app.hex(32)}`;
  const publisherId = multiTenantApp ? app.uuid() : rng.uuid();
  const base = ORG_NAMES[index % ORG_NAMES.length];
  const orgName = index < ORG_NAMES.length ? base : `${base}${index}`;
  const region = REGIONS[index % REGIONS.length];
  const shardCount = rng.int(2, 3);
  const shards: string[] = [];
  while (shards.length < shardCount) {
    const shard = `${region}${String(rng.int(1, 99)).padStart(4, "0")}`;
    if (!shards.includes(shard)) shards.push(shard);
  }
  const serverRegion = { emea: "AM0PR", nam: "CY4PR", apac: "SG2PR" }[region]!;
  return {
    index,
    tenantId,
    clientId,
    clientSecret,
    publisherId,
    database: `audit_${tenantId.slice(0, 8)}`,
    orgName,
    domain: `${orgName}.onmicrosoft.com`,
    shards,
    region,
    workdayStartUtc: WORKDAY_START_UTC[region],
    officeIp: `198.51.100.${10 + (index % 200)}`,
    originatingServerPrefix: `${serverRegion}${String(rng.int(1, 9)).padStart(2, "0")}MB`,
    sharePointHost: `${orgName}.sharepoint.com`,
  };
}
