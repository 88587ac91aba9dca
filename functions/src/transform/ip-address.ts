// Client IP addresses arrive as `203.0.113.45`, `203.0.113.45:51234`, `[2001:db8::1]:1234`, `2001:db8::1` or
// `::ffff:203.0.113.45`; investigators join on the bare address, so every shape is reduced to one canonical text:
// IPv4 dotted quad, or IPv6 in RFC 5952 form (lower case, zeros compressed), IPv4-mapped IPv6 as plain IPv4.
// The one rule, shared with kql/functions/normalized-ip.kql and held to by test/vectors/ip-keys/: trim; `[x]` or
// `[x]:port` → x; `x:port` (one colon, 1–5 digits after it) → x; x canonical when an IP, else kept as written.
// Written with indexOf/charCode scans rather than regular expressions: it runs once per MailItemsAccessed record.

const COLON = 58;
const DOT = 46;

/**
 * The bare, canonical address inside `raw`; "" for a missing value. Text that is not an IP address comes back
 * trimmed and unchanged (so nothing is lost; it simply joins with nothing).
 */
export function normalizeIpAddress(raw: unknown): string {
  if (typeof raw !== "string") return "";
  let s = raw;
  // Fast path: the common case is a plain dotted IPv4 with no spaces, port or brackets.
  if (isPlainIpv4(s)) return s;
  s = s.trim();
  if (s.length === 0) return "";

  if (s.charCodeAt(0) === 91 /* [ */) {
    // [host] or [host]:port; anything after the ] but a port keeps the text whole
    const close = s.indexOf("]");
    if (close < 0 || (close + 1 < s.length && !isPortSuffix(s, close + 1))) return s;
    return hostKey(s.slice(1, close));
  }

  const firstColon = s.indexOf(":");
  if (firstColon < 0) return s;
  if (s.indexOf(":", firstColon + 1) < 0) {
    // exactly one colon: host:port only when digits follow it ("ffff:10.11.0.229", in Microsoft's own samples, is no port)
    if (firstColon === 0 || !isPortSuffix(s, firstColon)) return s;
    return hostKey(s.slice(0, firstColon));
  }
  return canonicalIpv6(s) ?? s;
}

/** The address text of a host found inside brackets or before a port: canonical when an IP, else as written. */
function hostKey(host: string): string {
  if (isIpv4(host)) return host;
  return canonicalIpv6(host) ?? host;
}

/** True when s[from] is ':' followed by 1–5 digits to the end: the rule NormalizedIp applies with ^...:[0-9]{1,5}$. */
function isPortSuffix(s: string, from: number): boolean {
  const n = s.length - from - 1;
  if (s.charCodeAt(from) !== COLON || n < 1 || n > 5) return false;
  for (let i = from + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function isPlainIpv4(s: string): boolean {
  const n = s.length;
  if (n < 7 || n > 15) return false;
  let dots = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === DOT) {
      if (digits === 0) return false;
      dots++;
      digits = 0;
      value = 0;
    } else if (c >= 48 && c <= 57) {
      // a leading zero ("01") is ambiguous (octal in some parsers): not canonical, leave to the slow path
      if (digits === 1 && value === 0) return false;
      value = value * 10 + (c - 48);
      if (++digits > 3 || value > 255) return false;
    } else {
      return false;
    }
  }
  return dots === 3 && digits > 0;
}

function isIpv4(s: string): boolean {
  return isPlainIpv4(s);
}

/** RFC 5952 text of an IPv6 address (zone id dropped), the IPv4 text for an IPv4-mapped one, or null if invalid. */
function canonicalIpv6(text: string): string | null {
  let s = text;
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  if (s.length < 2) return null;

  const groups: number[] = [];
  let gapAt = -1;
  let i = 0;
  const n = s.length;
  if (s.charCodeAt(0) === COLON) {
    if (s.charCodeAt(1) !== COLON) return null;
    gapAt = 0;
    i = 2;
  }
  let embeddedV4: string | null = null;
  while (i < n) {
    // read one group: hex digits up to ':' or end; a group with '.' is an embedded IPv4 tail
    let j = i;
    let value = 0;
    let sawDot = false;
    while (j < n) {
      const c = s.charCodeAt(j);
      if (c === COLON) break;
      if (c === DOT) sawDot = true;
      else if (!sawDot) {
        const h = hexValue(c);
        if (h < 0) return null;
        value = value * 16 + h;
      }
      j++;
    }
    if (sawDot) {
      const v4 = s.slice(i, j);
      if (j !== n || !isIpv4(v4)) return null;
      embeddedV4 = v4;
      const parts = v4.split(".");
      groups.push(((+parts[0] << 8) | +parts[1]) >>> 0, ((+parts[2] << 8) | +parts[3]) >>> 0);
      i = j;
      break;
    }
    if (j === i || j - i > 4) return null;
    groups.push(value);
    if (j === n) {
      i = j;
      break;
    }
    // at a colon
    if (j + 1 < n && s.charCodeAt(j + 1) === COLON) {
      if (gapAt >= 0) return null;
      gapAt = groups.length;
      i = j + 2;
    } else {
      i = j + 1;
      if (i === n) return null; // trailing single colon
    }
  }

  if (gapAt >= 0) {
    if (groups.length > 7) return null;
    const zeros = new Array<number>(8 - groups.length).fill(0);
    groups.splice(gapAt, 0, ...zeros);
  } else if (groups.length !== 8) {
    return null;
  }

  // ::ffff:a.b.c.d (and the hex spelling ::ffff:cb00:712d) is an IPv4 client seen through a dual-stack socket
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return embeddedV4 ?? `${groups[6] >>> 8}.${groups[6] & 255}.${groups[7] >>> 8}.${groups[7] & 255}`;
  }

  // RFC 5952: compress the longest run (≥ 2) of zero groups, the first one on a tie
  let bestStart = -1;
  let bestLen = 1;
  for (let k = 0; k < 8; ) {
    if (groups[k] !== 0) {
      k++;
      continue;
    }
    let e = k;
    while (e < 8 && groups[e] === 0) e++;
    if (e - k > bestLen) {
      bestStart = k;
      bestLen = e - k;
    }
    k = e;
  }
  let out = "";
  for (let k = 0; k < 8; k++) {
    if (k === bestStart) {
      out += k === 0 ? "::" : ":";
      k += bestLen - 1;
      continue;
    }
    out += groups[k].toString(16);
    if (k < 7) out += ":";
  }
  return out;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}
