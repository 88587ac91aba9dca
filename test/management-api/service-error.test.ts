import { AfCodes, errorFromResponse } from "../../functions/src/management-api/errors";
import { isServiceError } from "../../functions/src/service-error";
import { AdxIngestError } from "../../functions/src/sinks/sink-error";

describe("one error base for the Management API and the sinks", () => {
  it("gives a Management API error its code, transience and the operator's advice, recognised by one type guard", () => {
    const e = errorFromResponse({
      status: 400,
      bodyText: JSON.stringify({ error: { code: AfCodes.ContentExpired, message: "expired" } }),
      tenantId: "t",
      operation: "content",
    });
    expect(isServiceError(e)).toBe(true);
    expect([e.code, e.transient]).toEqual(["AF20051", false]);
    expect(e.advice).toMatch(/record the gap/);
  });

  it("gives a sink error the same fields, and a default advice that follows its transience", () => {
    const e = new AdxIngestError("ADX refused", { code: "Throttled", transient: true, status: 429 });
    expect(isServiceError(e)).toBe(true);
    expect([e.name, e.code, e.transient]).toEqual(["AdxIngestError", "Throttled", true]);
    expect(e.advice).toMatch(/retried/);
    expect(isServiceError(new Error("plain"))).toBe(false);
  });
});
