import { AfCodes, errorFromResponse } from "../../functions/src/management-api/errors";
import { failureCode, failureReason, isPermanent, isServiceError } from "../../functions/src/service-error";
import { AdxIngestError } from "../../functions/src/sinks/sink-error";
import { parseContentMessage } from "../../functions/src/state/content-queue";

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

  it("calls a failure permanent only when a service error says so: a look-alike object with transient false is retried", () => {
    expect(isPermanent(new AdxIngestError("mapping missing", { code: "MappingNotFound", transient: false }))).toBe(true);
    expect(isPermanent(new AdxIngestError("throttled", { code: "Throttled", transient: true }))).toBe(false);
    expect(isPermanent(Object.assign(new Error("look-alike"), { code: "X", transient: false }))).toBe(false);
  });

  it("records a failure by the service's code, else the Node or SDK code, else the error's class", () => {
    const refused = new AdxIngestError("refused", { code: "Forbidden", transient: false, status: 403 });
    expect(failureCode(refused)).toBe("Forbidden");
    expect(failureCode(Object.assign(new Error("reset"), { code: "ECONNRESET" }))).toBe("ECONNRESET");
    expect(failureCode(new TypeError("bug"))).toBe("TypeError");
    expect([failureReason(refused), failureReason("text")]).toEqual(["refused", "text"]);
  });

  it("refuses a queue message that is not a content message with a permanent service error that says to delete it", () => {
    let thrown: unknown;
    try {
      parseContentMessage("not json, not base64 json");
    } catch (e) {
      thrown = e;
    }
    expect(isServiceError(thrown)).toBe(true);
    expect(isPermanent(thrown)).toBe(true);
    expect(thrown).toMatchObject({ name: "MalformedMessageError", code: "MalformedMessage", message: expect.stringMatching(/delete it/) });
  });
});
