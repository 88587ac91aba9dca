// One comparison key per IP address, whatever text it arrives in or an investigator types: the ingestion's own rule
// (bare address, RFC 5952 IPv6, ::ffff: mapped IPv4 as IPv4), applied to both sides. KQL gets the same effect from
// NormalizedIp (parse_ipv6 on both sides).
import { isIP } from "node:net";
import { normalizeIpAddress } from "../functions/src/transform/ip-address";

export function ipKey(text: string): string {
  return normalizeIpAddress(text).toLowerCase();
}

/** True when `text` holds an IP address in any accepted form (port, brackets, case, compression, ::ffff:). */
export function isIpAddressText(text: string): boolean {
  return isIP(normalizeIpAddress(text)) !== 0;
}
