import { ApiOrigin, assertSecureEndpoint } from "../../functions/src/management-api/api-origin";

const refusedCode = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return "accepted";
};

describe("the API origin the token may be sent to", () => {
  const api = new ApiOrigin("https://manage.office.com");
  const tenantPath = "/api/v1.0/t/activity/feed/audit/abc";

  it("accepts URLs on the configured origin, including an explicit default port", () => {
    expect(api.check(`https://manage.office.com${tenantPath}?x=1`, "content")).toBe(`https://manage.office.com${tenantPath}?x=1`);
    expect(api.check(`https://MANAGE.office.com:443${tenantPath}`, "content")).toBe(`https://manage.office.com${tenantPath}`);
  });

  it.each([
    ["another host", `https://evil.example${tenantPath}`],
    ["a look-alike host", `https://manage.office.com.evil.example${tenantPath}`],
    ["userinfo trick", `https://manage.office.com@evil.example${tenantPath}`],
    ["userinfo on the right host", `https://user:pw@manage.office.com${tenantPath}`],
    ["another port", `https://manage.office.com:8443${tenantPath}`],
    ["http downgrade", `http://manage.office.com${tenantPath}`],
    ["another scheme", `ftp://manage.office.com${tenantPath}`],
    ["not a URL", "not a url"],
    ["a relative path", tenantPath],
  ])("refuses %s with HostNotAllowed", (_name, url) => {
    expect(refusedCode(() => api.check(url, "content"))).toBe("HostNotAllowed");
  });

  it("keeps URLs under the base path of a proxy-mounted API", () => {
    const proxied = new ApiOrigin("https://proxy.example/o365/");
    expect(proxied.feedUrl("t", "subscriptions/list")).toBe("https://proxy.example/o365/api/v1.0/t/activity/feed/subscriptions/list");
    expect(refusedCode(() => proxied.check("https://proxy.example/o365/api/v1.0/t/x", "content"))).toBe("accepted");
    expect(refusedCode(() => proxied.check("https://proxy.example/other/api/v1.0/t/x", "content"))).toBe("HostNotAllowed");
    expect(refusedCode(() => proxied.check("https://proxy.example/o365evil/x", "content"))).toBe("HostNotAllowed");
  });

  it("names the allowed origin in the refusal", () => {
    expect(() => api.check("https://evil.example/x", "content")).toThrow(/only ever sent to https:\/\/manage\.office\.com/);
  });

  it("accepts plain http only on loopback (the local emulator)", () => {
    for (const ok of ["http://127.0.0.1:7071", "http://localhost:1", "http://[::1]:2", "https://manage.office365.us"]) {
      expect(refusedCode(() => assertSecureEndpoint(ok, "base"))).toBe("accepted");
    }
    for (const bad of ["http://manage.office.com", "http://10.0.0.5:8080", "https://u:p@manage.office.com", "nope"]) {
      expect(refusedCode(() => assertSecureEndpoint(bad, "base"))).toBe("InsecureEndpoint");
    }
  });
});
