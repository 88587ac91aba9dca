import { isIP } from "node:net";
import { normalizeIpAddress } from "../../functions/src/transform/ip-address";

describe("normalizeIpAddress", () => {
  it.each([
    ["203.0.113.45", "203.0.113.45"],
    ["203.0.113.45:51234", "203.0.113.45"],
    [" 203.0.113.45 ", "203.0.113.45"],
    ["[2001:db8::1]:1234", "2001:db8::1"],
    ["[2001:db8::1]", "2001:db8::1"],
    ["2001:db8::1", "2001:db8::1"],
    ["2001:DB8::1", "2001:db8::1"],
    ["::ffff:1.2.3.4", "1.2.3.4"],
    ["::FFFF:1.2.3.4", "1.2.3.4"],
    ["[::ffff:203.0.113.45]:443", "203.0.113.45"],
    ["::ffff:cb00:712d", "203.0.113.45"],
    ["0:0:0:0:0:ffff:203.0.113.45", "203.0.113.45"],
    ["fe80::1%eth0", "fe80::1"],
    ["::1", "::1"],
    ["::", "::"],
  ])("reduces %s to %s", (raw, bare) => {
    expect(normalizeIpAddress(raw)).toBe(bare);
  });

  it.each([
    ["2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8::ff00:42:8329"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1"],
    ["1::2:3:4:5:6:7", "1:0:2:3:4:5:6:7"],
    ["1:0:0:0:0:0:0:0", "1::"],
    ["0:0:0:0:0:0:0:0", "::"],
  ])("writes IPv6 %s in the one RFC 5952 form %s, so the same address always joins", (raw, canonical) => {
    expect(normalizeIpAddress(raw)).toBe(canonical);
  });

  it.each([["garbage"], ["1.2.3"], ["256.1.1.1"], ["2001:db8::1::2"], ["[2001:db8::1"], ["12345"]])(
    "returns non-addresses such as %s unchanged (nothing is lost; they join with nothing)",
    (raw) => {
      expect(normalizeIpAddress(raw)).toBe(raw);
    },
  );

  it.each([[undefined], [null], [""], ["   "], [42]])("returns an empty string for %p", (raw) => {
    expect(normalizeIpAddress(raw)).toBe("");
  });

  it("always yields an address Node also accepts, for every shape of a sample of addresses", () => {
    const samples = ["10.1.2.3", "2001:db8:85a3::8a2e:370:7334", "2001:db8:85a3:0:0:8a2e:370:7334", "::ffff:10.0.0.1", "fd00::abcd"];
    for (const s of samples) {
      for (const shape of [s, `[${s}]:8080`, s.includes(":") ? s.toUpperCase() : `${s}:8080`]) {
        expect(isIP(normalizeIpAddress(shape))).not.toBe(0);
      }
    }
  });
});
