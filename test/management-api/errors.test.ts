import { errorFromResponse, retryAfterFromMessage } from "../../functions/src/management-api/errors";

const tenantId = "11111111-2222-3333-4444-555555555555";
const map = (status: number, body: unknown, retryAfterMs?: number) =>
  errorFromResponse({
    status,
    bodyText: typeof body === "string" ? body : JSON.stringify(body),
    tenantId,
    operation: "subscriptions/content",
    retryAfterMs,
  });
const af = (code: string, message: string) => ({ error: { code, message } });

describe("error mapping", () => {
  it("treats AF429 as throttling whether it comes as HTTP 429 or 403 (the code decides, not the status)", () => {
    for (const status of [429, 403]) {
      const e = map(status, af("AF429", "Too many requests. Method=GetBlob, PublisherId=00000000"));
      expect([e.code, e.status, e.transient]).toEqual(["AF429", status, true]);
    }
  });

  it("treats a bare 429 without a body as throttling too", () => {
    expect(map(429, "").code).toBe("AF429");
    expect(map(429, "").transient).toBe(true);
  });

  it("retries the service's internal errors AF50000/AF50005/AF50006 and any 5xx", () => {
    for (const code of ["AF50000", "AF50005", "AF50006"]) expect(map(500, af(code, "internal")).transient).toBe(true);
    const bare = map(503, "<html>Service Unavailable</html>");
    expect([bare.code, bare.transient]).toEqual(["HTTP503", true]);
  });

  it("does not retry a missing permission and says which role to grant and that admin consent is needed", () => {
    const e = map(403, af("AF10001", "The permission set (ActivityFeed.ReadDlp) sent in the request does not include the expected permission."));
    expect([e.code, e.transient]).toEqual(["AF10001", false]);
    expect(e.message).toMatch(/ActivityFeed\.Read/);
    expect(e.message).toMatch(/admin consent/);
  });

  it("does not retry tenant problems AF20010–AF20013 and points at the configured tenant id", () => {
    for (const code of ["AF20010", "AF20011", "AF20012", "AF20013"]) {
      const e = map(401, af(code, "tenant problem"));
      expect(e.transient).toBe(false);
      expect(e.code).toBe(code);
    }
    expect(map(400, af("AF20010", "mismatch")).message).toMatch(/tenantId/);
  });

  it("recognises audit logging switched off by its message and says how to turn it on", () => {
    const e = map(400, af("AF20011", `Tenant ${tenantId} does not exist.`));
    expect([e.code, e.transient]).toEqual(["AuditLoggingDisabled", false]);
    expect(e.message).toMatch(/Purview/);
    expect(e.message).toContain(tenantId);
  });

  it("turns the subscription-start throttle message into a transient error carrying the stated wait", () => {
    const e = map(400, af("AF429", "Too many frequent subscription start requests. Please retry again after 14m 56s"));
    expect([e.code, e.transient, e.retryAfterMs]).toEqual(["SubscriptionStartThrottled", true, (14 * 60 + 56) * 1000]);
  });

  it("keeps Retry-After on the error and the service message beside our guidance", () => {
    const e = map(403, af("AF429", "slow down"), 7000);
    expect(e.retryAfterMs).toBe(7000);
    expect(e.serviceMessage).toBe("slow down");
    expect(e.message).toContain("slow down");
  });

  it("reads error bodies with capitalised keys and non-JSON bodies", () => {
    expect(map(400, { Error: { Code: "AF20022", Message: "No subscription" } }).code).toBe("AF20022");
    expect(map(400, "plain text").serviceMessage).toBe("plain text");
  });

  it("parses prose waits", () => {
    expect(retryAfterFromMessage("retry again after 1h 2m 3s")).toBe(3723000);
    expect(retryAfterFromMessage("retry after 45s")).toBe(45000);
    expect(retryAfterFromMessage("no wait stated")).toBeUndefined();
  });
});
